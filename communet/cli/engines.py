"""``communet render --engine nornir``: the same render, run as Nornir tasks."""

from __future__ import annotations

from pathlib import Path

import typer

from communet.cli.common import fail
from communet.errors import InventoryError

ENGINES = ("python", "nornir")


def render_nornir(inventory: Path, out: Path, check: bool, platform: str | None) -> None:
    """Render (or ``check``) every device through Nornir; exit non-zero on failed hosts or stale files."""
    from nornir_tasks import render_with_nornir, stray_files

    try:
        result = render_with_nornir(inventory, out, check=check, prune=not check, platform=platform)
    except InventoryError as exc:
        fail(str(exc), 2)
    failed = {name: multi.exception for name, multi in result.items() if multi.failed}
    if failed:
        fail("render failed:\n" + "\n".join(f"  {name}: {exc}" for name, exc in failed.items()))
    changed = [path for multi in result.values() for path, differs in multi[0].result.items() if differs]
    files = sum(len(multi[0].result) for multi in result.values())
    if check:
        bad = changed + (stray_files(result, out) if out.is_dir() else [])
        if bad:
            fail("stale configs (run `communet render`):\n" + "\n".join(f"  {p}" for p in bad))
        typer.echo(f"configs up to date: {files} files in {out}")
        return
    typer.echo(f"rendered {files} configs into {out} with nornir ({len(changed)} changed)")
