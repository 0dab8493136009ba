"""The per-device summary table and the per-device diffs, for people."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from communet.deploy.results import DeployReport

STYLE = {
    "unchanged": "dim",
    "pending": "yellow",
    "applied": "green",
    "failed": "red",
    "rolled-back": "red",
    "rollback-failed": "bold red",
    "skipped": "magenta",
}


def table(report: DeployReport) -> Table:
    mode = "commit" if report.commit else "dry-run"
    out = Table(title=f"deploy ({mode})", title_justify="left")
    for column in ("wave", "device", "site", "status", "changed", "+/-", "step", "message"):
        out.add_column(column, overflow="fold")
    for r in report.results:
        out.add_row(
            str(r.wave),
            r.device,
            r.site,
            f"[{STYLE[r.status]}]{r.status}[/]",
            "yes" if r.changed else "no",
            f"+{r.added}/-{r.removed}" if r.diff else "",
            r.step,
            r.message,
        )
    return out


def footer(report: DeployReport) -> str:
    counts = ", ".join(f"{n} {status}" for status, n in sorted(report.counts().items()))
    head = "deploy ok" if report.ok else "deploy FAILED"
    stop = f"; stopped after wave {report.stopped_after_wave}" if report.stopped_after_wave is not None else ""
    stop += f"; {report.stopped_by}" if report.stopped_by else ""
    return f"{head}: {counts}{stop}"


def print_report(report: DeployReport, console: Console, show_diff: bool = True) -> None:
    if show_diff:
        for r in report.results:
            if r.diff:
                console.print(f"--- {r.device}", markup=False, highlight=False)
                console.print("\n".join(r.diff), markup=False, highlight=False)
    console.print(table(report))
    console.print(footer(report), markup=False, highlight=False)
