"""The change report as Markdown, readable on a forge's pull-request page.

Summary first (what changed, then which devices and how risky), diffs last, each
folded in a ``<details>`` block and grouped by town.
"""

from __future__ import annotations

from communet.report.build import ChangeReport, DeviceImpact

AREAS = ("towns", "backbone", "IX", "data center", "syndicate")


def _changes(report: ChangeReport) -> str:
    if not report.changes:
        return "No change in the source of truth."
    parts = []
    for area in AREAS:
        items = [c for c in report.changes if c.area == area]
        if items:
            parts.append(f"**{area}**\n\n" + "\n".join(f"- {c.text} (`{c.file}`)" for c in items))
    return "\n\n".join(parts)


def _impact(report: ChangeReport) -> str:
    if not report.devices:
        return "No device config changes."
    added = sum(1 for d in report.devices if d.diff.status == "added")
    removed = sum(1 for d in report.devices if d.diff.status == "removed")
    head = (
        f"{len(report.devices)} device config(s) change: {added} new, {removed} removed, "
        f"{len(report.devices) - added - removed} changed."
    )
    rows = ["| device | site | config | status | lines | risk |", "|---|---|---|---|---|---|"]
    for site, devices in report.by_site.items():
        for d in devices:
            rows.append(
                f"| `{d.hostname}` | {site} | `configs/{d.diff.name}` | {d.diff.status} | "
                f"+{d.diff.added} -{d.diff.removed} | {'; '.join(d.risks)} |"
            )
    return head + "\n\n" + "\n".join(rows)


def _diff_block(d: DeviceImpact) -> str:
    summary = f"<code>{d.diff.name}</code> ({d.diff.status}, +{d.diff.added} -{d.diff.removed}): {'; '.join(d.risks)}"
    body = "\n".join(d.diff.lines)
    fix = ""
    if d.diff.remediation:
        fix = "\n\nOn the device (remediation):\n\n```\n" + "\n".join(d.diff.remediation) + "\n```"
    return f"<details><summary>{summary}</summary>\n\n```diff\n{body}\n```{fix}\n\n</details>"


def _diffs(report: ChangeReport) -> str:
    parts = []
    for site, devices in report.by_site.items():
        parts.append(f"### {site}\n\n" + "\n\n".join(_diff_block(d) for d in devices))
    return "\n\n".join(parts)


def to_markdown(report: ChangeReport) -> str:
    notes = "\n".join(f"> {n}" for n in report.notes)
    sections = [
        f"# Change report against {report.against}",
        notes,
        "## What changed in the source of truth",
        _changes(report),
        "## Impact",
        _impact(report),
    ]
    if report.devices:
        sections += [
            "## Config diffs",
            "Secrets are masked. Grouped by site; click a device to unfold its diff.",
            _diffs(report),
        ]
    return "\n\n".join(s for s in sections if s) + "\n"
