"""The deploy task for Nornir: each host runs :func:`communet.deploy.device.deploy_device`.

Nornir brings the inventory (the communet plugin) and the threads; waves, lock,
backups and rollback are :mod:`communet.deploy`'s. Hosts of one wave run in parallel.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from nornir.core import Nornir
from nornir.core.task import Result, Task

from communet import ROOT
from communet.deploy.device import DeployContext, deploy_device
from communet.deploy.results import DeployReport, DeviceResult
from communet.deploy.run import DeployOptions, WaveRunner, deploy
from communet.design import Intent
from communet.inventories import Device, device
from nornir_tasks import communet_nornir

#: SSH round trips wait on the network, not the CPU: a few threads help.
WORKERS = 4


def deploy_host(task: Task, wave: int, ctx: DeployContext) -> Result:
    """Deploy one host; ``failed`` when it did not end on its intended config."""
    outcome = deploy_device(device(task.host.data["intent"]), wave, ctx)
    return Result(host=task.host, result=outcome, changed=outcome.changed, failed=not outcome.ok)


def wave_runner(nr: Nornir) -> WaveRunner:
    def run(wave: list[Device], number: int, ctx: DeployContext) -> list[DeviceResult]:
        names = {d.name for d in wave}
        agg = nr.filter(filter_func=lambda h: h.name in names).run(
            task=deploy_host, name=f"deploy wave {number}", wave=number, ctx=ctx, raise_on_error=False
        )
        out = []
        for dev in wave:
            got = agg[dev.name][0].result
            if not isinstance(got, DeviceResult):  # the task itself crashed: report it, do not hide it
                got = DeviceResult(
                    dev.name,
                    dev.site,
                    dev.platform.name,
                    number,
                    "failed",
                    message=ctx.masker(str(agg[dev.name][0].exception or got)),
                )
            out.append(got)
        return out

    return run


def deploy_with_nornir(
    options: DeployOptions,
    inventory_dir: str | Path = ROOT / "inventory",
    workers: int = WORKERS,
    on_done: Callable[[DeviceResult], None] | None = None,
) -> DeployReport:
    """Deploy the live devices of ``inventory_dir`` (raises InventoryError, PlanError, LockHeld)."""
    nr = communet_nornir(inventory_dir, workers)
    intents: dict[str, Intent] = {name: host.data["intent"] for name, host in nr.inventory.hosts.items()}
    return deploy(intents, options, wave_runner(nr), on_done)
