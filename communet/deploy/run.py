"""A whole deploy: plan the waves, take the lock, run each wave, stop at a failed wave.

The per-wave runner is pluggable: Nornir's threaded runner (``nornir_tasks/deploy.py``)
in the ``communet deploy`` command, a serial loop here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from communet import ROOT
from communet.deploy.backups import BackupStore
from communet.deploy.device import DeployContext, deploy_device
from communet.deploy.lock import DeployLock
from communet.deploy.plan import plan_waves, select
from communet.deploy.results import DeployReport, DeviceResult
from communet.deploy.secrets import Masker, load_secrets, secret_names
from communet.design import Intent
from communet.inventories import Device, devices
from communet.lab.secrets import SECRETS_FILE
from communet.lab.state import State
from communet.render import jinja_env

#: Backups, the lock and the last report live here (ignored by git).
DEPLOY_DIR = ROOT / "reports" / "deploy"
#: The lab writes the secrets of its other IX members here when the environment lacks them.
LAB_SECRETS = SECRETS_FILE
#: File-based deploys log in as root with the lab's key; the model's user lands in the CLI.
DEPLOY_USER = "root"
LAB_KEY = State().private_key

WaveRunner = Callable[[list[Device], int, DeployContext], list[DeviceResult]]


def serial_wave(wave: list[Device], number: int, ctx: DeployContext) -> list[DeviceResult]:
    return [deploy_device(dev, number, ctx) for dev in wave]


@dataclass
class DeployOptions:
    commit: bool = False
    limit: Sequence[str] = ()
    canary: Sequence[str] = ()
    wave_size: int | None = None
    keep: int = 10  # backup runs kept
    verify_timeout: float = 60.0
    state_dir: Path = DEPLOY_DIR
    ssh_user: str = DEPLOY_USER
    ssh_key: Path | None = None  # default: the lab's key when it exists
    secrets_files: Sequence[Path] = (LAB_SECRETS,)
    intended: dict[str, str] = field(default_factory=dict)


def targets(intents: dict[str, Intent], options: DeployOptions) -> list[list[Device]]:
    """The waves of devices to deploy (raises :class:`communet.deploy.plan.PlanError`)."""
    devs = devices(intents)
    if options.limit:
        devs = select(devs, options.limit)
    canary = select(devs, options.canary, "--canary") if options.canary else []
    return plan_waves(devs, canary, options.wave_size)


def context(intents: dict[str, Intent], options: DeployOptions) -> DeployContext:
    known = load_secrets(secret_names(intents.values()), options.secrets_files)
    key = options.ssh_key or (LAB_KEY if LAB_KEY.exists() else None)
    files = " or ".join(str(p.relative_to(ROOT)) if p.is_relative_to(ROOT) else str(p) for p in options.secrets_files)
    return DeployContext(
        intents=intents,
        env=jinja_env(),
        store=BackupStore(options.state_dir / "backups", options.keep),
        masker=Masker(known),
        ssh_user=options.ssh_user,
        ssh_key=key,
        commit=options.commit,
        verify_timeout=options.verify_timeout,
        intended=dict(options.intended),
        secrets_hint=f"export it, or set it in {files or 'the environment'}",
    )


def run_waves(waves: list[list[Device]], ctx: DeployContext, runner: WaveRunner = serial_wave) -> DeployReport:
    report = DeployReport(commit=ctx.commit, results=[])
    for number, wave in enumerate(waves, 1):
        if report.stopped_after_wave is not None:
            report.results += [
                DeviceResult(
                    d.name,
                    d.site,
                    d.platform.name,
                    number,
                    "skipped",
                    message=f"wave {report.stopped_after_wave} failed",
                )
                for d in wave
            ]
            continue
        order = {d.name: i for i, d in enumerate(wave)}
        got = sorted(runner(wave, number, ctx), key=lambda r: order[r.device])
        report.results += got
        if not all(r.ok for r in got):
            report.stopped_after_wave = number
    return report


def deploy(
    intents: dict[str, Intent],
    options: DeployOptions,
    runner: WaveRunner = serial_wave,
    on_done: Callable[[DeviceResult], None] | None = None,
) -> DeployReport:
    """Plan, lock, run; backups rotated at the end. Raises PlanError, LockHeld."""
    waves = targets(intents, options)
    ctx = context(intents, options)
    if on_done is not None:
        ctx.on_done = on_done
    with DeployLock(options.state_dir / "deploy.lock"):
        report = run_waves(waves, ctx, runner)
        ctx.store.rotate()
    return report
