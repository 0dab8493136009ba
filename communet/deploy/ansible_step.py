"""The Ansible side of deploy: the playbook's action plugins call these, so both engines run
:func:`communet.deploy.device.deploy_device`, the one device step (FRR with its nftables
file, Kamailio), with the same target, secrets, backups and masking as ``communet deploy``.

The target comes from the environment as for the CLI (``COMMUNET_TARGET``,
``COMMUNET_SSH_USER``, ``COMMUNET_SSH_KEY``, ``COMMUNET_KNOWN_HOSTS``); check mode is a
dry run (the device still checks the intended file, and the running config is diffed).

Ansible runs each host's task in a worker process of its own, so what the Nornir deploy
keeps in memory goes through the state dir: each device's result (``ansible-results/``,
read back for the devices already on their new config, the wave verify of each batch
and the report), and the snapshot beside its backup (for a wave's rollback).
"""

from __future__ import annotations

import json
import shutil
from functools import lru_cache
from pathlib import Path
from typing import Any

from communet import ROOT
from communet.deploy.backups import BackupStore
from communet.deploy.device import DeployContext, deploy_device
from communet.deploy.results import DeployReport, DeviceResult
from communet.deploy.run import DEPLOY_DIR, DeployOptions, context, report_of, save, verify_wave
from communet.deploy.target import resolve
from communet.design import Intent, build_design
from communet.inventories import Device, device
from communet.model.load import load_network

#: the source of truth the playbook's inventory is generated from
INVENTORY = ROOT / "inventory"


@lru_cache(maxsize=2)
def intents_of(inventory: str) -> dict[str, Intent]:
    return build_design(load_network(Path(inventory)))


def start_backups(state_dir: Path, keep: int, commit: bool) -> str:
    """Number this run's backup directory (once per run, on the controller); return its name."""
    store = BackupStore(state_dir / "backups", keep, "commit" if commit else "dry-run")
    return store.run_dir.name


RESULTS = "ansible-results"


def start_results(state_dir: Path) -> None:
    """A new play: no device has a result yet."""
    shutil.rmtree(state_dir / RESULTS, ignore_errors=True)
    (state_dir / RESULTS).mkdir(parents=True, mode=0o700)


def write_result(state_dir: Path, result: DeviceResult) -> None:
    folder = state_dir / RESULTS
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = folder / f".{result.device}.json"
    tmp.write_text(json.dumps(result.as_json()) + "\n", encoding="utf-8")
    tmp.replace(folder / f"{result.device}.json")


def read_results(state_dir: Path) -> dict[str, DeviceResult]:
    """This play's device results so far, by device."""
    folder = state_dir / RESULTS
    found = [DeviceResult.from_json(json.loads(p.read_text(encoding="utf-8"))) for p in sorted(folder.glob("*.json"))]
    return {r.device: r for r in found}


def what_if(path: Path | None) -> dict[str, str]:
    """``DeployOptions.intended`` from a JSON file (hostname or file name -> text), as a what-if."""
    return {} if path is None else dict(json.loads(path.read_text(encoding="utf-8")))


def play_context(devs: list[Device], options: DeployOptions, run: str | None) -> DeployContext:
    """A context as the Nornir deploy's: this run's backups, and the devices the play put on their
    intended config so far marked ready."""
    intents = intents_of(str(INVENTORY))
    ctx = context(intents, options, resolve(devs, options.target))
    if run is not None:
        ctx.store.use_run(run)
    for r in read_results(options.state_dir).values():
        if r.status in ("applied", "unchanged"):
            ctx.mark_ready(r.device)
    return ctx


def rotate_backups(state_dir: Path, keep: int) -> list[str]:
    return [p.name for p in BackupStore(state_dir / "backups", keep).rotate()]


def deploy_host(
    name: str,
    commit: bool,
    wave: int = 1,
    state_dir: Path = DEPLOY_DIR,
    run: str | None = None,
    verify_timeout: float = 60.0,
    intended_file: Path | None = None,
) -> dict[str, Any]:
    """One host's deploy as an Ansible task result (``changed``, ``failed``, ``msg``, masked diff)."""
    dev = device(intents_of(str(INVENTORY))[name])
    options = DeployOptions(
        commit=commit, state_dir=state_dir, verify_timeout=verify_timeout, intended=what_if(intended_file)
    )
    result = deploy_device(dev, wave, play_context([dev], options, run))
    write_result(state_dir, result)
    return task_result(result)


def verify_batch(
    names: list[str], state_dir: Path, run: str, verify_timeout: float = 60.0, intended_file: Path | None = None
) -> dict[str, Any]:
    """The wave verify of a batch (:func:`communet.deploy.run.verify_wave`), as one task result:
    ``failed`` when the batch went back, with each host's outcome."""
    intents = intents_of(str(INVENTORY))
    devs = [device(intents[n]) for n in names]
    options = DeployOptions(
        commit=True, state_dir=state_dir, verify_timeout=verify_timeout, intended=what_if(intended_file)
    )
    ctx = play_context(devs, options, run)
    found = read_results(state_dir)
    before = [found[n] for n in names if n in found]
    after = verify_wave(before, devs, ctx)
    for result in after:
        write_result(state_dir, result)
    bad = [r for r in after if not r.ok]
    return {
        "changed": any(r.changed for r in after),
        "failed": bool(bad),
        "hosts": {r.device: r.status for r in after},
        "msg": "; ".join(task_result(r)["msg"] for r in bad) or f"wave verified: {', '.join(names)}",
    }


def write_report(waves: list[list[Device]], state_dir: Path, commit: bool, stopped_by: str | None) -> DeployReport:
    """``last.json`` from the play's device results, as the Nornir deploy writes it."""
    folder = state_dir / RESULTS
    found = read_results(state_dir) if folder.is_dir() else {}
    report = report_of(waves, found, commit, stopped_by)
    save(report, state_dir)
    return report


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
