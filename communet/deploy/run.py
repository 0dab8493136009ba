"""A whole deploy: plan the waves, take the lock, run each wave, verify it, stop at a failed wave.

The per-wave runner is pluggable: Nornir's threaded runner (``nornir_tasks/deploy.py``)
in the ``communet deploy`` command, a serial loop here. Once every device of a wave is
done and none failed, a commit verifies the wave again (:func:`verify_wave`): each
device it changed must still pass its own verify now that the whole wave runs its new
config, or every device the wave changed goes back to this run's backup.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from communet import ROOT
from communet.deploy.backups import BackupStore
from communet.deploy.device import DeployContext, deploy_device, wave_check, wave_rollback
from communet.deploy.lock import DeployLock
from communet.deploy.plan import plan_waves, select
from communet.deploy.results import DeployReport, DeviceResult
from communet.deploy.secrets import Masker, load_secrets, secret_names
from communet.deploy.signals import stop_on_signals
from communet.deploy.target import Overrides, Target, resolve
from communet.design import Intent
from communet.inventories import Device, default_canary, devices
from communet.lab.secrets import SECRETS_FILE
from communet.render import jinja_env

#: Backups, the lock and the last report live here (ignored by git).
DEPLOY_DIR = ROOT / "reports" / "deploy"
#: The lab writes the secrets of its other IX members here when the environment lacks them.
LAB_SECRETS = SECRETS_FILE

WaveRunner = Callable[[list[Device], int, DeployContext], list[DeviceResult]]
#: Re-verify one applied device of a finished wave: None, or what failed.
WaveCheck = Callable[[Device, DeviceResult, DeployContext], str | None]
#: Roll one applied device of a failed wave back; the reason goes in its result.
WaveUndo = Callable[[Device, DeviceResult, DeployContext, str], DeviceResult]


def serial_wave(wave: list[Device], number: int, ctx: DeployContext) -> list[DeviceResult]:
    return [deploy_device(dev, number, ctx) for dev in wave]


@dataclass
class DeployOptions:
    commit: bool = False
    limit: Sequence[str] = ()
    canary: Sequence[str] = ()  # none named: the first town (inventories.default_canary), unless not auto_canary
    auto_canary: bool = True
    wave_size: int | None = None
    keep: int = 10  # backup runs kept
    verify_timeout: float = 60.0
    state_dir: Path = DEPLOY_DIR
    target: Overrides = field(default_factory=Overrides)  # lab (default) or network; user, key, known_hosts
    secrets_files: Sequence[Path] = (LAB_SECRETS,)
    intended: dict[str, str] = field(default_factory=dict)


def targets(intents: dict[str, Intent], options: DeployOptions) -> list[list[Device]]:
    """The waves of devices to deploy (raises :class:`communet.deploy.plan.PlanError`)."""
    devs = devices(intents)
    if options.limit:
        devs = select(devs, options.limit)
    if options.canary:
        canary = select(devs, options.canary, "--canary")
    else:
        canary = default_canary(devs) if options.auto_canary else []
    return plan_waves(devs, canary, options.wave_size)


def context(intents: dict[str, Intent], options: DeployOptions, target: Target) -> DeployContext:
    known = load_secrets(secret_names(intents.values()), options.secrets_files)
    files = " or ".join(str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p) for p in options.secrets_files)
    return DeployContext(
        intents=intents,
        env=jinja_env(),
        store=BackupStore(options.state_dir / "backups", options.keep, "commit" if options.commit else "dry-run"),
        masker=Masker(known),
        target=target,
        commit=options.commit,
        verify_timeout=options.verify_timeout,
        intended=dict(options.intended),
        secrets_hint=f"export it, or set it in {files or 'the environment'}",
    )


def skipped(dev: Device, wave: int, why: str) -> DeviceResult:
    return DeviceResult(dev.name, dev.site, dev.platform.name, wave, "skipped", message=why)


def wave_verifies(results: list[DeviceResult], ctx: DeployContext) -> bool:
    """A commit whose wave changed a device and failed none (a signal may have left some not started)."""
    done = [r for r in results if r.status != "skipped"]
    return ctx.commit and all(r.ok for r in done) and any(r.status == "applied" for r in done)


def verify_wave(
    results: list[DeviceResult],
    wave: list[Device],
    ctx: DeployContext,
    check: WaveCheck = wave_check,
    undo: WaveUndo = wave_rollback,
) -> list[DeviceResult]:
    """Re-verify each device the wave applied, in wave order, up to the first that fails; then
    roll every applied device back, last first. A signal meanwhile does not cut this short:
    each device ends verified on its new config or rolled back, and its result says which."""
    if not wave_verifies(results, ctx):
        return results
    by_name = {d.name: d for d in wave}
    applied = [r for r in results if r.status == "applied"]
    for r in applied:
        problem = check(by_name[r.device], r, ctx)
        if problem is not None:
            reason = f"wave {r.wave} verify failed on {r.device}: {ctx.masker(problem)}"
            back = {a.device: undo(by_name[a.device], a, ctx, reason) for a in reversed(applied)}
            return [back.get(x.device, x) for x in results]
    return results


def run_waves(
    waves: list[list[Device]],
    ctx: DeployContext,
    runner: WaveRunner = serial_wave,
    check: WaveCheck = wave_check,
    undo: WaveUndo = wave_rollback,
) -> DeployReport:
    report = DeployReport(commit=ctx.commit, results=[])
    for number, wave in enumerate(waves, 1):
        why = f"wave {report.stopped_after_wave} failed" if report.stopped_after_wave is not None else None
        why = why or (f"not started: {ctx.stop_reason}" if ctx.stop_reason else None)
        if why is not None:
            report.results += [
                DeviceResult(d.name, d.site, d.platform.name, number, "skipped", message=why) for d in wave
            ]
            continue
        order = {d.name: i for i, d in enumerate(wave)}
        got = sorted(runner(wave, number, ctx), key=lambda r: order[r.device])
        got = verify_wave(got, wave, ctx, check, undo)
        report.results += got
        if not all(r.ok for r in got):
            report.stopped_after_wave = number
    return report


def report_of(
    waves: list[list[Device]], found: dict[str, DeviceResult], commit: bool, stopped_by: str | None = None
) -> DeployReport:
    """The report of a deploy another engine ran (Ansible's play), from the devices' results:
    a device with none was not started, as :func:`run_waves` says it."""
    report = DeployReport(commit=commit, results=[], stopped_by=stopped_by)
    for number, wave in enumerate(waves, 1):
        why = f"wave {report.stopped_after_wave} failed" if report.stopped_after_wave is not None else None
        why = why or f"not started: {stopped_by or 'the run ended first'}"
        ran = report.stopped_after_wave is None and any(d.name in found for d in wave)
        got = [found[d.name] if ran and d.name in found else skipped(d, number, why) for d in wave]
        for r in got:
            r.wave = number
        report.results += got
        if ran and not all(r.ok for r in got):
            report.stopped_after_wave = number
    return report


def deploy(
    intents: dict[str, Intent],
    options: DeployOptions,
    runner: WaveRunner = serial_wave,
    on_done: Callable[[DeviceResult], None] | None = None,
) -> DeployReport:
    """Plan, resolve the target, lock, run; backups rotated at the end.

    Raises PlanError, TargetError (both before any connection), LockHeld. On SIGINT or
    SIGTERM the run takes no new device, lets those in flight finish (or roll back),
    and returns its report; the lock is released after that.
    """
    waves = targets(intents, options)
    target = resolve([d for wave in waves for d in wave], options.target)
    ctx = context(intents, options, target)
    if on_done is not None:
        ctx.on_done = on_done
    with DeployLock(options.state_dir / "deploy.lock"), stop_on_signals(ctx.stop):
        report = run_waves(waves, ctx, runner)
        report.stopped_by = ctx.stop_reason
        save(report, options.state_dir)  # before the lock goes: the next deploy reads it
        ctx.store.rotate()
    return report


def save(report: DeployReport, state_dir: Path) -> Path:
    """``last.json`` in the state dir: the report of the last deploy."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / "last.json"
    path.write_text(json.dumps(report.as_json(), indent=2) + "\n", encoding="utf-8")
    return path
