"""Deploy safety without a lab: targets, host-key pinning, backups, tolerant output, batching."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from communet import ROOT
from communet.deploy.backups import BackupStore
from communet.deploy.drivers.base import Driver, Expect, Snapshot
from communet.deploy.lab_target import lab_target
from communet.deploy.target import Overrides, TargetError, resolve
from communet.design import build_design
from communet.inventories import devices
from communet.lab.state import State
from communet.model.load import load_network
from communet.transport import Endpoint
from communet.transport.batch import batch_script, parse_batch
from communet.transport.openssh import HostKeyChanged, classify, decode
from tests.tools import tool


@pytest.fixture(scope="module")
def devs():
    return devices(build_design(load_network(ROOT / "inventory")))


# --- targets: the lab is one provider; a lab that is not up stops the deploy before any connection ---


def test_lab_target_refuses_when_the_lab_is_not_up(devs, tmp_path: Path) -> None:
    with pytest.raises(TargetError, match="the lab is not up") as info:
        lab_target(devs, None, None, None, State(tmp_path / "no-lab"))
    assert "--target network" in str(info.value)


def test_deploy_with_no_lab_opens_no_connection(tmp_path: Path) -> None:
    """``communet deploy`` with the lab down: exit 2 and a clear message, and no ssh ever started."""
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    marker = tmp_path / "ssh-called"
    (fake_bin / "ssh").write_text(f"#!/bin/sh\ntouch {marker}\nexit 255\n")
    (fake_bin / "ssh").chmod(0o755)
    tree = tmp_path / "tree"  # a working tree of its own: its lab is down whatever this checkout runs
    shutil.copytree(ROOT / "inventory", tree / "inventory")
    env = {"PATH": f"{fake_bin}:/usr/bin:/bin", "HOME": str(tmp_path), "COMMUNET_TARGET": "lab"}
    out = subprocess.run(
        [tool("communet"), "deploy", "--state-dir", str(tmp_path / "d")],
        capture_output=True,
        text=True,
        cwd=tree,
        env=env,
        timeout=120,
        check=False,
    )
    assert out.returncode == 2, out.stdout + out.stderr
    assert "the lab is not up" in out.stderr and "Traceback" not in out.stderr
    assert not marker.exists()


def test_network_target_takes_user_key_and_known_hosts_from_flags_then_environment(devs, tmp_path: Path) -> None:
    key, known = tmp_path / "key", tmp_path / "known"
    key.write_text("k")
    known.write_text("")
    env = {"COMMUNET_SSH_USER": "ops", "COMMUNET_SSH_KEY": str(key), "COMMUNET_KNOWN_HOSTS": str(known)}
    target = resolve(devs, Overrides(kind="network"), env)
    endpoint = target.endpoint(devs[0])
    assert (endpoint.user, endpoint.key, endpoint.known_hosts) == ("ops", key, known)
    assert endpoint.address == devs[0].address  # from the inventory
    flagged = resolve(devs, Overrides(kind="network", user="admin"), env).endpoint(devs[0])
    assert flagged.user == "admin"
    bare = resolve(devs, Overrides(kind="network"), {}).endpoint(devs[0])
    assert bare.user == devs[0].username and bare.key is None and bare.known_hosts is None
    with pytest.raises(TargetError, match="not a file"):
        resolve(devs, Overrides(kind="network", known_hosts=tmp_path / "missing"), {})
    with pytest.raises(TargetError, match="not one of"):
        resolve(devs, Overrides(kind="elsewhere"), {})


def test_host_keys_are_always_checked(tmp_path: Path) -> None:
    pinned = Endpoint("192.0.2.1", "u", known_hosts=tmp_path / "kh").options()
    default = Endpoint("192.0.2.1", "u").options()
    for options in (pinned, default):
        assert "StrictHostKeyChecking=yes" in options
        assert not any(o.endswith("=no") and "StrictHostKey" in o for o in options)
        assert not any("/dev/null" in o for o in options)
    assert f"UserKnownHostsFile={tmp_path / 'kh'}" in pinned


def test_a_changed_host_key_is_its_own_error() -> None:
    banner = (
        "@@@@@@@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n@@@@@@@@@@@\n"
        "Host key for 192.0.2.1 has changed and you have requested strict checking.\nHost key verification failed.\n"
    )
    problem = classify(Endpoint("192.0.2.1", "u", known_hosts=Path("kh")), banner)
    assert isinstance(problem, HostKeyChanged) and "kh" in str(problem) and "stopping" in str(problem)
    assert not isinstance(classify(Endpoint("192.0.2.1", "u"), "Connection refused"), HostKeyChanged)


# --- drivers: an unexpected error is a device's failure (before apply) or a rollback (after) ---


class _Broken(Driver):
    """A driver whose steps raise what no driver expects (``fails_in`` names the step)."""

    def __init__(self, fails_in: str) -> None:
        self.fails_in = fails_in
        self.rolled_back = False

    def _maybe(self, step: str) -> None:
        if step == self.fails_in:
            raise AttributeError(f"'{step}' object has no attribute 'argv'")

    def snapshot(self) -> Snapshot:
        self._maybe("snapshot")
        return Snapshot(files={"x": "before"})

    def stage(self, intended: str) -> None:
        self._maybe("stage")

    def check_and_diff(self, snap: Snapshot, intended: str) -> list[str]:
        return ["+changed"]

    def apply(self) -> None:
        self._maybe("apply")

    def verify(self, expect: Expect, timeout: float) -> None:
        self._maybe("verify")

    def rollback(self, snap: Snapshot) -> None:
        self.rolled_back = True

    def cleanup(self) -> None:
        pass


@pytest.mark.parametrize(
    ("step", "status", "rolled_back"), [("snapshot", "failed", False), ("verify", "rolled-back", True)]
)
def test_an_unexpected_error_fails_the_device_or_rolls_it_back(devs, tmp_path, step, status, rolled_back) -> None:
    from communet.deploy.device import _Run
    from communet.deploy.run import DeployOptions, context
    from communet.deploy.target import Target

    intents = {d.name: d.intent for d in devs}
    ctx = context(
        intents, DeployOptions(commit=True, state_dir=tmp_path, secrets_files=()), Target("network", None, None, None)
    )
    driver = _Broken(step)
    result = _Run(devs[0], 1, ctx).steps(driver, "intended")
    assert result.status == status and "AttributeError" in result.message, result.as_json()
    assert driver.rolled_back is rolled_back


# --- output: any byte decodes; a batch keeps each command's own result ---


def test_device_output_decodes_whatever_its_bytes() -> None:
    assert decode(b"ok \xff\xfe") == "ok \ufffd\ufffd"


def test_batch_frames_each_command_and_resists_forgery() -> None:
    script, token = batch_script(["echo a", "printf 'x\\377'; exit 3", "echo fake 1 rc 0 >&2"])
    proc = subprocess.run(["sh", "-c", script], capture_output=True, check=True)
    outs = parse_batch(proc.stdout, 3, token)
    assert [o.rc for o in outs] == [0, 3, 0]
    assert outs[0].out == "a\n" and outs[1].out == "x\ufffd" and outs[2].err == "fake 1 rc 0\n"
    with pytest.raises(ValueError):
        parse_batch(proc.stdout[: len(proc.stdout) // 2], 3, token)


# --- backups: numbered in order, the current run never removed, dry runs never evict real ones ---


def test_backups_rotate_by_order_not_by_clock(tmp_path: Path) -> None:
    """Run directories carry a sequence number, no time: a clock stepping back cannot reorder them."""
    for i in range(4):
        store = BackupStore(tmp_path, keep=2)
        store.write("r1", "running.conf", f"run {i}\n")
        store.rotate()
        assert (store.run_dir / "r1" / "running.conf").read_text() == f"run {i}\n"  # the current run stays
    kept = store.runs()
    assert [p.name for p in kept] == ["000003-commit", "000004-commit"]


def test_dry_runs_do_not_evict_real_backups(tmp_path: Path) -> None:
    real = BackupStore(tmp_path, keep=2, kind="commit")
    real.write("r1", "running.conf", "before the change\n")
    for _ in range(5):
        dry = BackupStore(tmp_path, keep=2, kind="dry-run")
        dry.write("r1", "running.conf", "dry\n")
        dry.rotate()
    assert real.run_dir.is_dir()
    assert len(BackupStore(tmp_path).runs("dry-run")) == 2


def test_a_backup_directory_is_private(tmp_path: Path) -> None:
    store = BackupStore(tmp_path / "b")
    path = store.write("r1", "running.conf", "secret\n")
    assert path.stat().st_mode & 0o077 == 0 and store.root.stat().st_mode & 0o077 == 0


def test_endpoint_is_per_device(devs) -> None:
    target = resolve(devs, Overrides(kind="network"), {})
    assert target.endpoint(devs[0]) != target.endpoint(replace(devs[0], address="192.0.2.9"))
