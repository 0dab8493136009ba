"""One rendered FRR config loaded into real FRR daemons reads back unchanged.

The daemons run in a throwaway network namespace this test creates and always
removes (and their own sockets, pid files and hostname), so nothing of the host's
FRR or of a running lab is touched. It proves what deploys rely on: the template
writes what ``show running-config`` prints, so ``frr-reload.py --test`` finds
nothing to change after a reload.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from communet import ROOT
from communet.deploy.delta import parse_reload_test
from communet.design import RouterIntent, build_design
from communet.model.load import load_network
from communet.render import file_name

pytestmark = pytest.mark.lab

FRR = Path("/usr/lib/frr")
DAEMONS = ("zebra", "staticd", "bfdd", "ospfd", "ospf6d", "bgpd")
HEADER = ("Building configuration...", "Current configuration:", "!")


def edge_router() -> RouterIntent:
    """The richest config: IX policy, eBGP with a password, blackholes."""
    intents = build_design(load_network(ROOT / "inventory")).values()
    return next(i for i in intents if isinstance(i, RouterIntent) and i.platform == "frr" and i.role == "edge")


def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, capture_output=True, text=True, timeout=60, check=False)
    if check and result.returncode != 0:
        pytest.fail(f"{' '.join(args)} failed: {result.stdout}{result.stderr}")
    return result


class Router:
    """FRR daemons of one router in their own namespace and UTS (hostname)."""

    def __init__(self, ns: str, hostname: str, rundir: Path) -> None:
        self.ns, self.hostname, self.rundir = ns, hostname, rundir

    def cmd(self, *args: str) -> list[str]:
        """``args`` inside the namespace, with the router's hostname."""
        inner = 'hostname "$0" && exec "$@"'
        return ["ip", "netns", "exec", self.ns, "unshare", "--uts", "--", "sh", "-c", inner, self.hostname, *args]

    def start(self, interfaces: list[str]) -> None:
        run("ip", "netns", "add", self.ns)
        run("ip", "-n", self.ns, "link", "set", "lo", "up")
        run("ip", "netns", "exec", self.ns, "sysctl", "-qw", "net.ipv4.ip_forward=1", "net.ipv6.conf.all.forwarding=1")
        for i, name in enumerate(interfaces):
            run("ip", "-n", self.ns, "link", "add", name, "type", "veth", "peer", "name", f"rtpeer{i}")
        d = str(self.rundir)
        for daemon in DAEMONS:
            extra = ["--bfdctl", f"{d}/bfdd.sock"] if daemon == "bfdd" else []
            run(
                *self.cmd(
                    str(FRR / daemon),
                    "-d",
                    "-f",
                    "/dev/null",
                    "-P",
                    "0",
                    "-z",
                    f"{d}/zserv.api",
                    "--vty_socket",
                    d,
                    "-i",
                    f"{d}/{daemon}.pid",
                    *extra,
                )
            )
            self.wait_for(self.rundir / f"{daemon}.vty")

    def wait_for(self, path: Path, timeout: float = 15) -> None:
        end = time.monotonic() + timeout
        while not path.exists():
            if time.monotonic() > end:
                pytest.fail(f"{path.name} did not appear within {timeout:g}s")
            time.sleep(0.1)

    def vtysh(self, *args: str) -> str:
        return run(*self.cmd("vtysh", "--vty_socket", str(self.rundir), *args)).stdout

    def stop(self) -> None:
        for daemon in reversed(DAEMONS):
            pidfile = self.rundir / f"{daemon}.pid"
            with contextlib.suppress(FileNotFoundError, ValueError, ProcessLookupError):
                os.kill(int(pidfile.read_text().strip()), signal.SIGTERM)
        time.sleep(0.5)
        subprocess.run(["ip", "netns", "del", self.ns], capture_output=True, check=False)


@pytest.fixture
def router() -> Iterator[tuple[Router, RouterIntent, Path]]:
    for binary in ("ip", "unshare", "vtysh"):
        if shutil.which(binary) is None:
            pytest.fail(f"{binary} is not installed: run `make setup`")
    if os.geteuid() != 0:
        pytest.fail("needs root to create a network namespace")
    intent = edge_router()
    rundir = Path(tempfile.mkdtemp(prefix="communet-frr-"))
    shutil.chown(rundir, "frr", "frr")
    rundir.chmod(0o755)
    conf = rundir / "frr.conf"
    shutil.copy(ROOT / "configs" / file_name(intent), conf)
    (rundir / "vtysh.conf").write_text("service integrated-vtysh-config\n", encoding="utf-8")
    node = Router(f"cnrt{os.getpid()}", intent.hostname, rundir)
    try:
        node.start(sorted({i.name for i in intent.interfaces} - {"lo"}))
        yield node, intent, conf
    finally:
        node.stop()
        shutil.rmtree(rundir, ignore_errors=True)


def body(running: str) -> str:
    lines = running.splitlines()
    while lines and (lines[0].strip() in HEADER or not lines[0].strip() or lines[0].startswith("frr version")):
        lines.pop(0)
    return "\n".join(lines) + "\n"


def test_rendered_config_reads_back_unchanged(router) -> None:
    node, intent, conf = router
    node.vtysh("--config_dir", str(node.rundir), "-b")
    running = body(node.vtysh("-c", "show running-config"))
    assert running == conf.read_text(encoding="utf-8")
    test = run(
        *node.cmd(
            str(FRR / "frr-reload.py"),
            "--test",
            "--vty_socket",
            str(node.rundir),
            "--confdir",
            str(node.rundir),
            "--rundir",
            str(node.rundir),
            str(conf),
        )
    )
    assert parse_reload_test(test.stdout) == []
    assert f"hostname {intent.hostname}\n" in running
