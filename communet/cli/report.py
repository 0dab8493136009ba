"""report change: what a change does to the network, for reviewers."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer

from communet.cli.common import INVENTORY, InventoryOpt, JsonOpt, fail, load_or_exit
from communet.gitref import GitError
from communet.progress import steps
from communet.report.build import ChangeReport, report_against
from communet.report.markdown import to_markdown

app = typer.Typer(help="Reports for reviewers: what a change does to the network.", no_args_is_help=True)


def as_json(report: ChangeReport) -> str:
    return json.dumps(
        {
            "against": report.against,
            "notes": list(report.notes),
            "changes": [asdict(c) for c in report.changes],
            "devices": [
                {
                    "hostname": d.hostname,
                    "site": d.site,
                    "config": d.diff.name,
                    "status": d.diff.status,
                    "added": d.diff.added,
                    "removed": d.diff.removed,
                    "risks": list(d.risks),
                    "diff": list(d.diff.lines),
                }
                for d in report.devices
            ],
        },
        indent=1,
    )


@app.command()
def change(
    against: Annotated[str, typer.Option("--against", help="git ref to compare with (a branch, HEAD~1, ...)")],
    inventory: InventoryOpt = INVENTORY,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="write the report to this file")] = None,
    json_output: JsonOpt = False,
) -> None:
    """Change report in Markdown: source-of-truth changes, impact and risk per device, config diffs."""
    load_or_exit(inventory)  # report inventory problems the usual way, before touching git
    try:
        with steps("building the change report", total=1, json_output=json_output) as advance:
            report = report_against(against, inventory)
            advance()
    except GitError as exc:
        fail(f"cannot compare with {against}: {exc}", 2)
    text = as_json(report) if json_output else to_markdown(report)
    if out is None:
        typer.echo(text, nl=False)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    typer.echo(f"wrote {out}: {len(report.changes)} change(s), {len(report.devices)} device(s)", err=True)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="report")
