"""The wave verify without a lab: a fake wave runner and fake device steps, then the device step
itself on a fake driver (the lab tests in test_deploy_faults.py run it on real daemons)."""

from __future__ import annotations

from pathlib import Path

import pytest

from communet import ROOT
from communet.deploy.backups import BackupStore
from communet.deploy.device import DeployContext, _Run, load_snapshot, save_snapshot
from communet.deploy.drivers.base import Driver, Expect, Snapshot, StepFailed
from communet.deploy.results import DeviceResult
from communet.deploy.run import DeployOptions, context, run_waves
from communet.deploy.target import Target
from communet.design import build_design
from communet.inventories import Device, devices
from communet.model.load import load_network

NETWORK = Target("network", None, None, None)


@pytest.fixture(scope="module")
def intents():
    return build_design(load_network(ROOT / "inventory"))


def make_ctx(intents, tmp_path: Path, commit: bool = True) -> DeployContext:
    return context(intents, DeployOptions(commit=commit, state_dir=tmp_path, secrets_files=()), NETWORK)


class Wave:
    """A fake wave runner and fake device steps that record what the wave verify asked of them."""

    def __init__(self, status: dict[str, str] | None = None, failing: str | None = None) -> None:
        self.status = status or {}  # device -> status its deploy ends in (default: applied)
        self.failing = failing  # the device whose wave check fails
        self.checked: list[str] = []
        self.undone: list[tuple[str, str]] = []
        self.on_check = lambda ctx: None

    def runner(self, wave: list[Device], number: int, ctx: DeployContext) -> list[DeviceResult]:
        out = []
        for d in wave:
            status = self.status.get(d.name, "applied" if ctx.commit else "pending")
            out.append(DeviceResult(d.name, d.site, d.platform.name, number, status, changed=True))  # type: ignore[arg-type]
        return out

    def check(self, dev: Device, result: DeviceResult, ctx: DeployContext) -> str | None:
        self.checked.append(dev.name)
        self.on_check(ctx)
        return "not up after 1s: OSPF neighbor 198.51.100.1" if dev.name == self.failing else None

    def undo(self, dev: Device, result: DeviceResult, ctx: DeployContext, reason: str) -> DeviceResult:
        self.undone.append((dev.name, reason))
        result.status, result.step, result.changed = "rolled-back", "wave-verify", False
        result.message = f"{reason}; rolled back to the backup"
        return result


def run(fake: Wave, waves: list[list[Device]], ctx: DeployContext):
    return run_waves(waves, ctx, fake.runner, fake.check, fake.undo)


def test_a_failed_wave_verify_rolls_the_wave_back_last_first_and_stops(intents, tmp_path: Path) -> None:
    a, b, c, later = devices(intents)[:4]
    fake = Wave(failing=b.name)
    report = run(fake, [[a, b, c], [later]], make_ctx(intents, tmp_path))
    assert fake.checked == [a.name, b.name]  # the first failure is enough: the wave goes back
    assert [name for name, _ in fake.undone] == [c.name, b.name, a.name]
    assert {reason for _, reason in fake.undone} == {
        f"wave 1 verify failed on {b.name}: not up after 1s: OSPF neighbor 198.51.100.1"
    }
    by = {r.device: r for r in report.results}
    assert [(by[d.name].status, by[d.name].step) for d in (a, b, c)] == [("rolled-back", "wave-verify")] * 3
    assert by[later.name].status == "skipped" and by[later.name].message == "wave 1 failed"
    assert report.stopped_after_wave == 1 and not report.ok


def test_a_verified_wave_goes_on_to_the_next(intents, tmp_path: Path) -> None:
    a, b, c = devices(intents)[:3]
    fake = Wave(status={b.name: "unchanged"})
    report = run(fake, [[a, b], [c]], make_ctx(intents, tmp_path))
    assert fake.checked == [a.name, c.name]  # only what the wave changed
    assert fake.undone == [] and report.ok
    assert [r.status for r in report.results] == ["applied", "unchanged", "applied"]


def test_a_dry_run_and_a_wave_with_a_failure_are_not_verified_again(intents, tmp_path: Path) -> None:
    a, b = devices(intents)[:2]
    fake = Wave(failing=a.name)
    dry = run(fake, [[a, b]], make_ctx(intents, tmp_path, commit=False))
    assert [r.status for r in dry.results] == ["pending", "pending"] and fake.checked == []
    broken = Wave(status={b.name: "rolled-back"}, failing=a.name)
    report = run(broken, [[a, b]], make_ctx(intents, tmp_path / "c"))
    assert broken.checked == [] and broken.undone == []  # as before: the failed device went back alone
    assert [r.status for r in report.results] == ["applied", "rolled-back"]


@pytest.mark.parametrize("failing", [False, True])
def test_a_signal_during_the_wave_verify_ends_each_device_verified_or_rolled_back(
    intents, tmp_path: Path, failing: bool
) -> None:
    a, b, later = devices(intents)[:3]
    fake = Wave(failing=b.name if failing else None)
    fake.on_check = lambda ctx: ctx.stop("stopped by SIGTERM")
    ctx = make_ctx(intents, tmp_path)
    report = run(fake, [[a, b], [later]], ctx)
    report.stopped_by = ctx.stop_reason
    assert fake.checked == [a.name, b.name]  # the signal came during the first check: the rest still ran
    wave = [(r.status, r.step) for r in report.results[:2]]
    assert wave == ([("rolled-back", "wave-verify")] * 2 if failing else [("applied", "")] * 2)
    skipped = report.results[2]
    assert skipped.status == "skipped"
    assert skipped.message == ("wave 1 failed" if failing else "not started: stopped by SIGTERM")
    assert report.as_json()["stopped_by"] == "stopped by SIGTERM" and not report.ok


# --- the device side: its wave check and its wave rollback, on a fake driver ---


class Recorder(Driver):
    """A driver that answers as a device on its intended config; ``problem`` makes its verify fail."""

    def __init__(self, problem: str | None = None, drifted: bool = False) -> None:
        self.problem, self.drifted = problem, drifted
        self.expected: Expect | None = None
        self.restored: Snapshot | None = None
        self.saved_on_rollback = False

    def snapshot(self) -> Snapshot:
        return Snapshot(files={"running.conf": "new\n"})

    def stage(self, intended: str) -> None:
        self.staged = intended

    def check_and_diff(self, snap: Snapshot, intended: str) -> list[str]:
        return ["-new", "+other"] if self.drifted else []

    def apply(self) -> None:
        raise AssertionError("a wave verify applies nothing")

    def verify(self, expect: Expect, timeout: float) -> None:
        self.expected = expect
        if self.problem:
            raise StepFailed(self.problem)

    def rollback(self, snap: Snapshot) -> None:
        self.restored, self.saved_on_rollback = snap, self.persisted

    def cleanup(self) -> None:
        pass


def router_with_router_peer(intents) -> tuple[Device, str]:
    """A router and the hostname of a router at the other end of one of its spans."""
    for dev in devices(intents):
        if dev.intent.kind == "router":
            for iface in dev.intent.interfaces:
                peer = intents.get(iface.peer) if iface.kind == "span" else None
                if peer is not None and peer.kind == "router":
                    return dev, peer.hostname
    raise AssertionError("no router span in the example")


def test_the_wave_check_expects_adjacencies_with_peers_now_on_their_new_config(intents, tmp_path: Path) -> None:
    dev, peer = router_with_router_peer(intents)
    ctx = make_ctx(intents, tmp_path)
    before = Snapshot(files={"running.conf": "old\n"})  # nothing was up before the wave
    alone = Recorder()
    assert _Run(dev, 1, ctx).recheck(alone, before, "new\n").status == "applied"
    assert alone.expected == Expect()
    ctx.mark_ready(peer)  # the peer's deploy in this wave went through
    paired = Recorder()
    assert _Run(dev, 1, ctx).recheck(paired, before, "new\n").status == "applied"
    assert paired.expected is not None and intents[peer].loopback_v4 in paired.expected.ospf


def test_the_wave_check_fails_on_a_failed_verify_or_a_drifted_config(intents, tmp_path: Path) -> None:
    dev, _ = router_with_router_peer(intents)
    ctx = make_ctx(intents, tmp_path)
    before = Snapshot(files={"running.conf": "old\n"})
    failed = _Run(dev, 1, ctx).recheck(Recorder(problem="not up after 1s: OSPF neighbor X"), before, "new\n")
    assert (failed.status, failed.step, failed.message) == ("failed", "wave-verify", "not up after 1s: OSPF neighbor X")
    drifted = _Run(dev, 1, ctx).recheck(Recorder(drifted=True), before, "new\n")
    assert drifted.status == "failed" and "no longer on its intended config" in drifted.message


def test_the_wave_rollback_restores_the_backup_and_saves_it(intents, tmp_path: Path) -> None:
    dev, _ = router_with_router_peer(intents)
    ctx = make_ctx(intents, tmp_path)
    before = Snapshot(files={"running.conf": "old\n"}, ospf_full=frozenset({"198.51.100.1"}))
    save_snapshot(ctx.store, dev.name, before)
    kept = load_snapshot(ctx.store, dev.name)
    assert kept == before
    driver = Recorder()
    run = _Run(dev, 1, ctx)
    result = run.undo(driver, kept, f"wave 1 verify failed on {dev.name}: X")
    assert driver.restored == before and driver.saved_on_rollback  # its new config had been saved
    assert (result.status, result.step) == ("rolled-back", "wave-verify")
    assert result.message == f"wave 1 verify failed on {dev.name}: X; rolled back to the backup"


def test_a_kept_snapshot_is_read_back_byte_for_byte(tmp_path: Path) -> None:
    store = BackupStore(tmp_path)
    snap = Snapshot(
        files={"running.conf": "a\r\nb \xe9\n", "nftables.rules": "table inet x {\n}\n"},
        ospf_full=frozenset({"192.0.2.1", "192.0.2.2"}),
        bgp_up=frozenset({"2001:db8::1"}),
    )
    save_snapshot(store, "r1", snap)
    assert load_snapshot(store, "r1") == snap


# --- the report: the Ansible engine's (from its devices' results) says what the Nornir one says ---


@pytest.mark.parametrize("failing", [None, 1])
def test_the_report_from_device_results_is_the_report_of_the_run(intents, tmp_path: Path, failing) -> None:
    from communet.deploy.run import report_of

    devs = devices(intents)[:4]
    waves = [devs[:1], devs[1:3], devs[3:]]
    fake = Wave(failing=None if failing is None else devs[failing].name)
    ran = run(fake, waves, make_ctx(intents, tmp_path))
    # what Ansible's workers leave behind: the results of the devices they ran, through JSON
    found = {r.device: DeviceResult.from_json(r.as_json()) for r in ran.results if r.status != "skipped"}
    assert report_of(waves, found, commit=True).as_json() == ran.as_json()
    assert ran.ok is (failing is None)


def test_devices_the_play_never_reached_are_reported_not_started(intents) -> None:
    from communet.deploy.run import report_of

    a, b = devices(intents)[:2]
    done = DeviceResult(a.name, a.site, a.platform.name, 1, "applied", changed=True)
    report = report_of([[a], [b]], {a.name: done}, commit=True, stopped_by="ansible-playbook exited 99")
    assert [(r.device, r.status, r.message) for r in report.results] == [
        (a.name, "applied", ""),
        (b.name, "skipped", "not started: ansible-playbook exited 99"),
    ]
    assert report.stopped_after_wave is None and not report.ok
