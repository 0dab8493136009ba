"""The one SSH stack against a real sshd on the loopback: one connection per device, pinned host keys."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from communet.transport import Endpoint, HostKeyChanged, Session
from communet.transport.batch import run_batch

SSHD = "/usr/sbin/sshd"


def need(condition: bool, why: str) -> None:
    if not condition:
        if os.environ.get("CI") == "true":
            pytest.fail(why)
        pytest.skip(why)


def keygen(path: Path) -> str:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)
    return " ".join(path.with_suffix(".pub").read_text().split()[:2])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Endpoint, str]]:
    """An sshd of our own on 127.0.0.1 (root logs in with a test key); its endpoint and host key."""
    need(os.geteuid() == 0, "a test sshd needs root")
    need(Path(SSHD).exists() and shutil.which("ssh") is not None, "openssh-server and its client are needed")
    d = tmp_path_factory.mktemp("sshd")
    d.chmod(0o700)
    host_key = keygen(d / "host")
    keygen(d / "client")
    (d / "authorized_keys").write_text((d / "client.pub").read_text())
    port = free_port()
    conf = d / "sshd_config"
    conf.write_text(
        f"ListenAddress 127.0.0.1\nPort {port}\nHostKey {d / 'host'}\nPidFile {d / 'sshd.pid'}\n"
        f"AuthorizedKeysFile {d / 'authorized_keys'}\nPermitRootLogin prohibit-password\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\n"
    )
    Path("/run/sshd").mkdir(exist_ok=True)
    proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(conf)], stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as sock, __import__("contextlib").suppress(OSError):
            sock.connect(("127.0.0.1", port))
            break
        time.sleep(0.05)
    known = d / "known_hosts"
    known.write_text(f"[127.0.0.1]:{port} {host_key}\n")
    try:
        yield Endpoint("127.0.0.1", "root", d / "client", known, port), host_key
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def established(port: int) -> int:
    out = subprocess.run(
        ["ss", "-Htn", "state", "established", f"( dport = :{port} )"], capture_output=True, text=True, check=True
    )
    return len([line for line in out.stdout.splitlines() if line.strip()])


def test_every_command_of_a_session_shares_one_connection(sshd) -> None:
    endpoint, _ = sshd
    with Session(endpoint) as session:
        assert session.run("echo one").out == "one\n"
        outs = run_batch(session, ["echo two", "exit 3", "printf '\\377'"])
        assert [o.rc for o in outs] == [0, 3, 0] and outs[2].out == "\ufffd"
        assert session.run("cat", stdin="three").out == "three"
        assert established(endpoint.port) == 1
    assert established(endpoint.port) == 0


def test_ssh_children_run_in_their_own_process_group(sshd) -> None:
    endpoint, _ = sshd
    with Session(endpoint) as session:
        master = session._master
        assert master is not None and os.getpgid(master.pid) == master.pid != os.getpgid(0)


def test_a_changed_host_key_stops_with_a_clear_error(sshd, tmp_path: Path) -> None:
    endpoint, _ = sshd
    other = keygen(tmp_path / "other")
    wrong = tmp_path / "known_hosts"
    wrong.write_text(f"[127.0.0.1]:{endpoint.port} {other}\n")
    with pytest.raises(HostKeyChanged, match="host key does not match") as info:
        Session(replace(endpoint, known_hosts=wrong)).open()
    assert str(wrong) in str(info.value)


def test_an_unknown_host_key_is_refused_too(sshd, tmp_path: Path) -> None:
    endpoint, _ = sshd
    empty = tmp_path / "known_hosts"
    empty.write_text("")
    with pytest.raises(HostKeyChanged):
        Session(replace(endpoint, known_hosts=empty)).open()
