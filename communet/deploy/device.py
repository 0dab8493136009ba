"""One device's deploy: render, back up, diff, check, apply, verify; roll back on failure.

Every text leaving this module (diff lines, messages) is masked of secrets.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
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
        for name, text in snap.files.items():
            self.ctx.store.write(self.dev.name, name, text)
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
        self.step = "connect"
        session = Session(self.ctx.target.endpoint(self.dev))
        try:
            driver = driver_for(self.dev.intent, Remote(session), companions)
            session.open()
        except NoDriver as exc:
            return self.fail("failed", str(exc))
        except HostKeyChanged as exc:
            self.ctx.stop(f"host key of {self.dev.name} changed")
            return self.fail("failed", str(exc))
        except Unreachable as exc:
            session.close()
            return self.fail("failed", f"unreachable: {exc}")
        lock = DeviceLock(session, driver.lock_path)
        try:
            self.step = "lock"
            lock.acquire()
        except (DeviceLocked, Unreachable) as exc:
            session.close()
            return self.fail("failed", str(exc))
        try:
            return self.steps(driver, intended)
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
