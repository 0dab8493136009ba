"""One device's deploy: render, back up, diff, check, apply, verify; roll back on failure.

Every text leaving this module (diff lines, messages) is masked of secrets.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import jinja2

from communet.deploy.backups import BackupStore
from communet.deploy.device_lock import DeviceLock, DeviceLocked
from communet.deploy.drivers import Driver, Expect, NoDriver, Snapshot, StepFailed, driver_for
from communet.deploy.results import DeviceResult, Step
from communet.deploy.secrets import Masker
from communet.deploy.ssh import HostKeyChanged, Remote, Unreachable
from communet.deploy.target import Target
from communet.design import Intent
from communet.filters import MissingSecret
from communet.inventories import Device
from communet.render import outputs, render_intent
from communet.transport import Session


@dataclass
class DeployContext:
    """What every device's deploy shares in one run."""

    intents: dict[str, Intent]
    env: jinja2.Environment
    store: BackupStore
    masker: Masker
    target: Target
    commit: bool = False
    verify_timeout: float = 60.0
    secrets_hint: str = "export it"
    #: hostname (its config) or file name (any of its files) -> intended text, instead of
    #: rendering (a what-if, and the fault tests)
    intended: dict[str, str] = field(default_factory=dict)
    #: devices known to run their intended config: their adjacencies must come up
    ready: set[str] = field(default_factory=set)
    on_done: Callable[[DeviceResult], None] = lambda _: None
    #: why the run takes no new device (a signal, a changed host key); None while it goes on
    stop_reason: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def stop(self, reason: str) -> None:
        with self._lock:
            self.stop_reason = self.stop_reason or reason

    def mark_ready(self, device: str) -> None:
        with self._lock:
            self.ready.add(device)

    def is_ready(self, device: str) -> bool:
        with self._lock:
            return device in self.ready


def expectations(intent: Intent, snap: Snapshot, ctx: DeployContext) -> Expect:
    """Adjacencies up before, or to a device already on its intended config, must be up after;
    BGP sessions Established before must come back."""
    if intent.kind != "router":
        return Expect()
    ospf = set()
    for iface in intent.interfaces:
        peer = ctx.intents.get(iface.peer) if iface.kind == "span" else None
        if peer is None or peer.kind != "router":
            continue
        if peer.loopback_v4 in snap.ospf_full or ctx.is_ready(peer.hostname):
            ospf.add(peer.loopback_v4)
    intended_bgp = {nb.address for nb in intent.bgp.neighbors}
    return Expect(ospf=frozenset(ospf), bgp=frozenset(snap.bgp_up & intended_bgp))


class _Run:
    """The state of one device's deploy while its steps run."""

    def __init__(self, device: Device, wave: int, ctx: DeployContext) -> None:
        self.dev = device
        self.ctx = ctx
        self.result = DeviceResult(device.name, device.site, device.platform.name, wave)
        self.step: Step = "render"

    def fail(self, status: str, message: str) -> DeviceResult:
        self.result.status = status  # type: ignore[assignment]
        self.result.step = self.step
        self.result.message = self.ctx.masker(message)
        return self.result

    def intended(self) -> str:
        text = self.ctx.intended.get(self.dev.name)
        return text if text is not None else render_intent(self.ctx.env, self.dev.intent, reveal=True)

    def companions(self) -> dict[str, str]:
        """The device's further files (an FRR router's nftables file), by companion name."""
        out = {}
        for o in outputs(self.dev.intent)[1:]:
            given = self.ctx.intended.get(o.file)
            text = render_intent(self.ctx.env, self.dev.intent, reveal=True, template=o.template)
            out[PurePosixPath(o.template).stem] = given if given is not None else text
        return out

    def backup(self, driver: Driver) -> Snapshot:
        snap = driver.snapshot()
        save_snapshot(self.ctx.store, self.dev.name, snap)
        self.result.backup = str(self.ctx.store.run_dir / self.dev.name)
        return snap

    def change(self, driver: Driver, snap: Snapshot) -> DeviceResult:
        """Steps 3-5; any failure rolls the device back to ``snap``."""
        try:
            self.step = "apply"
            driver.apply()
            self.step = "verify"
            driver.verify(expectations(self.dev.intent, snap, self.ctx), self.ctx.verify_timeout)
            driver.persist()
        except Exception as exc:  # whatever broke after the apply started, the device goes back
            return self.rollback(driver, snap, describe(exc))
        self.result.status, self.result.changed = "applied", True
        self.ctx.mark_ready(self.dev.name)
        return self.result

    def rollback(self, driver: Driver, snap: Snapshot, reason: str) -> DeviceResult:
        failed_step = self.step
        try:
            driver.rollback(snap)
        except Exception as exc:
            self.step = failed_step
            return self.fail("rollback-failed", f"{reason}; ROLLBACK FAILED: {exc}")
        self.step = failed_step
        return self.fail("rolled-back", f"{reason}; rolled back to the backup")

    def run(self) -> DeviceResult:
        try:
            intended, companions = self.intended(), self.companions()
        except MissingSecret as exc:
            return self.fail("failed", f"{exc}; hint: {self.ctx.secrets_hint}")
        try:
            with self.on_device(companions) as driver:
                return self.steps(driver, intended)
        except Unusable as exc:
            return self.fail("failed", str(exc))

    @contextlib.contextmanager
    def on_device(self, companions: dict[str, str]) -> Iterator[Driver]:
        """Connected and holding the device lock; :class:`Unusable` when either fails."""
        self.step = "connect"
        session = Session(self.ctx.target.endpoint(self.dev))
        try:
            driver = driver_for(self.dev.intent, Remote(session), companions)
            session.open()
        except NoDriver as exc:
            raise Unusable(str(exc)) from None
        except HostKeyChanged as exc:
            self.ctx.stop(f"host key of {self.dev.name} changed")
            raise Unusable(str(exc)) from None
        except Unreachable as exc:
            session.close()
            raise Unusable(f"unreachable: {exc}") from None
        lock = DeviceLock(session, driver.lock_path)
        try:
            self.step = "lock"
            lock.acquire()
        except (DeviceLocked, Unreachable) as exc:
            session.close()
            raise Unusable(str(exc)) from None
        try:
            yield driver
        finally:
            with contextlib.suppress(Exception):
                driver.cleanup()
            lock.release()
            session.close()

    def steps(self, driver: Driver, intended: str) -> DeviceResult:
        try:
            self.step = "backup"
            snap = self.backup(driver)
            self.step = "check"  # before the diff: a refused file fails here, in a dry-run too
            driver.stage(intended)
            self.result.diff = [self.ctx.masker(line) for line in driver.check_and_diff(snap, intended)]
        except Unreachable as exc:
            self.step = "connect"
            return self.fail("failed", f"unreachable: {exc}")
        except Exception as exc:  # a backup, check or diff that broke: nothing was applied
            return self.fail("failed", f"{describe(exc)}; nothing was applied")
        if not self.result.diff:
            self.result.status = "unchanged"
            self.ctx.mark_ready(self.dev.name)
            return self.result
        if not self.ctx.commit:
            self.result.status, self.result.changed = "pending", True
            return self.result
        return self.change(driver, snap)

    def recheck(self, driver: Driver, before: Snapshot, intended: str) -> DeviceResult:
        """The wave verify: still on its intended config, and its verify holds with the whole wave changed."""
        self.step = "wave-verify"
        try:
            now = driver.snapshot()
            driver.stage(intended)
            left = driver.check_and_diff(now, intended)
            if left:
                raise StepFailed(f"no longer on its intended config: {left[:3]}")
            driver.verify(expectations(self.dev.intent, before, self.ctx), self.ctx.verify_timeout)
        except Exception as exc:  # whatever broke, the wave goes back
            return self.fail("failed", describe(exc))
        self.result.status = "applied"
        return self.result

    def undo(self, driver: Driver, before: Snapshot, reason: str) -> DeviceResult:
        """Back to ``before`` after its wave failed; its verified config was saved, so the restored one is too."""
        self.step = "wave-verify"
        driver.persisted = True
        return self.rollback(driver, before, reason)


class Unusable(RuntimeError):
    """The device cannot be worked on now (no driver, unreachable, locked); the message says why."""


#: Beside a device's backed-up files: the state its verify compares with (``Snapshot``'s sets).
STATE_FILE = "state.json"


def save_snapshot(store: BackupStore, device: str, snap: Snapshot) -> None:
    for name, text in snap.files.items():
        store.write(device, name, text)
    state = {"ospf_full": sorted(snap.ospf_full), "bgp_up": sorted(snap.bgp_up)}
    store.write(device, STATE_FILE, json.dumps(state) + "\n")


def load_snapshot(store: BackupStore, device: str) -> Snapshot:
    """The snapshot :func:`save_snapshot` kept for ``device`` in this run's backups."""
    folder = store.run_dir / device
    names = sorted(p.name for p in folder.iterdir() if p.name != STATE_FILE)
    state = json.loads(store.read(device, STATE_FILE))
    return Snapshot(
        files={n: store.read(device, n) for n in names},
        ospf_full=frozenset(state["ospf_full"]),
        bgp_up=frozenset(state["bgp_up"]),
    )


def wave_check(device: Device, result: DeviceResult, ctx: DeployContext) -> str | None:
    """Re-verify an applied device with its whole wave on its new config: None, or what failed."""
    run = _Run(device, result.wave, ctx)
    try:
        intended, companions = run.intended(), run.companions()
        before = load_snapshot(ctx.store, device.name)
        with run.on_device(companions) as driver:
            checked = run.recheck(driver, before, intended)
    except Exception as exc:  # unreachable, locked, no backup: the wave is not verified
        return describe(exc)
    return None if checked.ok else checked.message


def wave_rollback(device: Device, result: DeviceResult, ctx: DeployContext, reason: str) -> DeviceResult:
    """Roll an applied device back to this run's backup after its wave failed; ``result`` says so."""
    run = _Run(device, result.wave, ctx)
    run.result = result
    run.step = "wave-verify"
    try:
        companions = run.companions()
        before = load_snapshot(ctx.store, device.name)
        with run.on_device(companions) as driver:
            out = run.undo(driver, before, reason)
    except Exception as exc:  # it could not even be reached: a person must look
        run.step = "wave-verify"
        return run.fail("rollback-failed", f"{reason}; ROLLBACK FAILED: {describe(exc)}")
    out.changed = out.status != "rolled-back"
    return out


def describe(exc: BaseException) -> str:
    """A failure's message; an unexpected exception keeps its type name."""
    if isinstance(exc, StepFailed | Unreachable | OSError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def deploy_device(device: Device, wave: int, ctx: DeployContext) -> DeviceResult:
    started = time.monotonic()
    if ctx.stop_reason is not None:
        result = DeviceResult(device.name, device.site, device.platform.name, wave, "skipped")
        result.message = f"not started: {ctx.stop_reason}"
    else:
        result = _Run(device, wave, ctx).run()
    result.seconds = time.monotonic() - started
    ctx.on_done(result)
    return result
