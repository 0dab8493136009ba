"""The verify report: JSON for machines, Markdown for people, under ``reports/``.

Each run writes ``reports/verify-<timestamp>.json`` and ``.md`` and copies them to
``reports/verify-latest.*``.
"""

from __future__ import annotations

import json
import shutil
from collections import defaultdict
from pathlib import Path

from communet import ROOT
from communet.verify.results import Check, Run

REPORTS = ROOT / "reports"


def rows(run: Run) -> list[tuple[str, str, int, int, str]]:
    """One row per (family, check): passed, failed, and the first failures' details."""
    groups: dict[tuple[str, str], list[Check]] = defaultdict(list)
    for c in run.checks:
        groups[(c.family, c.name)].append(c)
    out = []
    for (family, name), checks in groups.items():
        bad = [c for c in checks if not c.ok]
        note = "; ".join(f"{c.device} {c.target}: {c.detail}" for c in bad[:3]) + (" ..." if len(bad) > 3 else "")
        out.append((family, name, len(checks) - len(bad), len(bad), note))
    return out


def markdown(run: Run) -> str:
    status = "PASS" if run.ok else "FAIL"
    lines = [f"# Verify report: {status}", "", f"Started {run.started}, took {run.seconds.get('total', 0):.1f} s.", ""]
    lines += ["| family | check | passed | failed | notes |", "|---|---|---:|---:|---|"]
    lines += [f"| {f} | {n} | {p} | {b} | {note.replace('|', '/')} |" for f, n, p, b, note in rows(run)]
    if run.errors:
        lines += ["", "## Errors", "", *(f"- {e}" for e in run.errors)]
    if run.not_run:
        lines += ["", "## Not run", "", *(f"- {e}" for e in run.not_run)]
    lines += ["", "## Time per step (s)", "", *(f"- {k}: {v}" for k, v in run.seconds.items())]
    failed = run.failed()
    if failed:
        lines += ["", "## Failed checks", "", "| family | check | device | target | seen |", "|---|---|---|---|---|"]
        lines += [f"| {c.family} | {c.name} | {c.device} | {c.target} | {c.detail} |" for c in failed]
    lines += ["", "## Every check", "", "| family | check | device | target | ok | seen |", "|---|---|---|---|---|---|"]
    lines += [
        f"| {c.family} | {c.name} | {c.device} | {c.target} | {'yes' if c.ok else 'NO'} | {c.detail} |"
        for c in run.checks
    ]
    return "\n".join(lines) + "\n"


def write(run: Run, directory: Path = REPORTS) -> tuple[Path, Path]:
    """Write the JSON and Markdown reports; return their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = run.started.replace(":", "").replace("-", "").replace("+0000", "Z")
    json_path, md_path = directory / f"verify-{stamp}.json", directory / f"verify-{stamp}.md"
    json_path.write_text(json.dumps(run.as_dict(), indent=1) + "\n", encoding="utf-8")
    md_path.write_text(markdown(run), encoding="utf-8")
    shutil.copyfile(json_path, directory / "verify-latest.json")
    shutil.copyfile(md_path, directory / "verify-latest.md")
    return json_path, md_path
