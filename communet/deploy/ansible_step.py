"""The Ansible side of deploy: the playbook's action plugins call these, so both engines run
:func:`communet.deploy.device.deploy_device`, the one device step (FRR with its nftables
file, Kamailio), with the same target, secrets, backups and masking as ``communet deploy``.

The target comes from the environment as for the CLI (``COMMUNET_TARGET``,
``COMMUNET_SSH_USER``, ``COMMUNET_SSH_KEY``, ``COMMUNET_KNOWN_HOSTS``); check mode is a
dry run (the device still checks the intended file, and the running config is diffed).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from communet import ROOT
from communet.deploy.backups import BackupStore
from communet.deploy.device import deploy_device
from communet.deploy.results import DeviceResult
from communet.deploy.run import DEPLOY_DIR, DeployOptions, context
from communet.deploy.target import resolve
from communet.design import Intent, build_design
from communet.inventories import device
from communet.model.load import load_network


@lru_cache(maxsize=2)
def intents_of(inventory: str) -> dict[str, Intent]:
    return build_design(load_network(Path(inventory)))


def start_backups(state_dir: Path, keep: int, commit: bool) -> str:
    """Number this run's backup directory (once per run, on the controller); return its name."""
    store = BackupStore(state_dir / "backups", keep, "commit" if commit else "dry-run")
    return store.run_dir.name


def rotate_backups(state_dir: Path, keep: int) -> list[str]:
    return [p.name for p in BackupStore(state_dir / "backups", keep).rotate()]


def deploy_host(
    name: str,
    commit: bool,
    wave: int = 1,
    state_dir: Path = DEPLOY_DIR,
    run: str | None = None,
    verify_timeout: float = 60.0,
    inventory: Path = ROOT / "inventory",
) -> dict[str, Any]:
    """One host's deploy as an Ansible task result (``changed``, ``failed``, ``msg``, masked diff)."""
    intents = intents_of(str(inventory))
    dev = device(intents[name])
    options = DeployOptions(commit=commit, state_dir=state_dir, verify_timeout=verify_timeout)
    ctx = context(intents, options, resolve([dev], options.target))
    if run is not None:
        ctx.store.use_run(run)
    return task_result(deploy_device(dev, wave, ctx))


def task_result(result: DeviceResult) -> dict[str, Any]:
    out: dict[str, Any] = {
        "changed": result.changed,
        "failed": not result.ok,
        "status": result.status,
        "step": result.step,
        "backup": result.backup,
        "msg": f"{result.device}: {result.status}" + (f" at {result.step}: {result.message}" if result.message else ""),
    }
    if result.diff:
        out["diff"] = {"prepared": "\n".join(result.diff)}
    return out
