"""Nornir adapter: the inventory plugin and tasks, thin layers over :mod:`communet`.

:func:`render_with_nornir` runs the whole render: load, validate, design, render,
write. It builds :class:`nornir.core.Nornir` directly rather than through
``InitNornir``, which imports every registered plugin (netmiko, paramiko, ...) first.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from nornir.core import Nornir
from nornir.core.configuration import Config
from nornir.core.task import AggregatedResult
from nornir.plugins.runners import SerialRunner, ThreadedRunner

from communet import ROOT, written
from communet.render import TEMPLATES, jinja_env
from nornir_tasks.inventory import CommunetInventory
from nornir_tasks.render import render_config

# Failed hosts are reported from the results; keep Nornir's own log lines off stderr.
logging.getLogger("nornir").addHandler(logging.NullHandler())


def communet_nornir(
    inventory_dir: str | Path = ROOT / "inventory",
    workers: int = 1,
    platform: str | None = None,
) -> Nornir:
    """A Nornir over the communet inventory, without plugin auto-registration or logging setup.

    One worker runs hosts serially: rendering is CPU-bound, and threads only add
    contention for the interpreter lock.
    """
    config = Config.from_dict(logging={"enabled": False}, runner={"options": {"num_workers": workers}})
    runner = SerialRunner() if workers <= 1 else ThreadedRunner(num_workers=workers)
    return Nornir(inventory=CommunetInventory(inventory_dir, platform).load(), runner=runner, config=config)


def render_with_nornir(
    inventory_dir: str | Path = ROOT / "inventory",
    out_dir: str | Path = ROOT / "configs",
    templates: Path = TEMPLATES,
    check: bool = False,
    prune: bool = False,
    workers: int = 1,
    platform: str | None = None,
) -> AggregatedResult:
    """Render every live device into ``out_dir``; with ``check`` only report what would change.

    ``platform`` renders every router as that platform. ``prune`` removes files in
    ``out_dir`` that belong to no device (as ``communet render`` does).
    Raises :class:`communet.errors.InventoryError` for an invalid inventory.
    """
    out = Path(out_dir)
    with paused_gc():
        nr = communet_nornir(inventory_dir, workers, platform)
        if not check:
            out.mkdir(parents=True, exist_ok=True)
        result = nr.run(task=render_config, name="render", env=jinja_env(templates), out_dir=out, check=check)
    if prune and not check and not result.failed:
        written.prune(out, [path.name for multi in result.values() for path in multi[0].result])
    return result


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector: everything built here lives until the end of the run,
    and rescanning that growing heap costs about a quarter of a 5,000-router render."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def stray_files(result: AggregatedResult, out_dir: Path) -> list[Path]:
    """Files in ``out_dir`` that no device of ``result`` rendered (hidden files aside)."""
    wanted = {path.name for multi in result.values() if not multi.failed for path in multi[0].result}
    return sorted(p for p in out_dir.glob("*") if p.is_file() and p.name not in wanted and not p.name.startswith("."))


__all__ = ["CommunetInventory", "communet_nornir", "render_config", "render_with_nornir", "stray_files"]
