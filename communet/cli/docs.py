"""docs: documentation and diagrams generated from the model, committed under docs/."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from communet import ROOT, written
from communet.cli.common import INVENTORY, InventoryOpt, JsonOpt, fail, load_or_exit
from communet.docs.build import build, stale, write

DOCS = ROOT / "docs"


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def docs(
    inventory: InventoryOpt = INVENTORY,
    check: Annotated[bool, typer.Option("--check", help="exit 1 and name stale files instead of writing")] = False,
    out: Annotated[Path, typer.Option("--out", help="output directory")] = DOCS,
    json_output: JsonOpt = False,
) -> None:
    """Generate docs/ (overview, towns, IP plan, extensions, IX, inventory format, diagrams)."""
    try:
        written.check_out(out)
    except written.OutError as exc:
        fail(str(exc), 2)
    net = load_or_exit(inventory)
    generated = build(net)
    if check:
        bad = stale(generated, out)
        if json_output:
            typer.echo(json.dumps({"stale": [_rel(p) for p in bad], "files": len(generated)}))
        if bad:
            fail("stale docs (run `communet docs`):\n" + "\n".join(f"  {_rel(p)}" for p in bad))
        if not json_output:
            typer.echo(f"docs up to date: {len(generated)} files in {_rel(out)}")
        return
    changed = write(generated, out, json_output=json_output)
    if json_output:
        typer.echo(json.dumps({"written": [_rel(p) for p in changed], "files": len(generated)}))
    else:
        typer.echo(f"generated {len(generated)} files into {_rel(out)} ({len(changed)} changed)")


def register(app: typer.Typer) -> None:
    app.command()(docs)
