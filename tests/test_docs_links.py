"""Docs written anywhere hold every page they link to, and count what validate counts."""

from __future__ import annotations

import re
from pathlib import Path

from typer.testing import CliRunner

from communet import ROOT
from communet.cli import app
from communet.model.load import load_network

LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def test_every_relative_link_resolves_in_another_out_dir(tmp_path: Path) -> None:
    out = tmp_path / "docs"
    result = CliRunner().invoke(app, ["docs", "--out", str(out)])
    assert result.exit_code == 0, result.output
    broken = [
        f"{page.relative_to(out)} -> {target}"
        for page in out.rglob("*.md")
        for target in LINK.findall(page.read_text(encoding="utf-8"))
        if "://" not in target and not (page.parent / target).exists()
    ]
    assert not broken, broken


def test_overview_counts_spans_as_validate_does() -> None:
    net = load_network(ROOT / "inventory")
    live = sum(1 for _ in net.spans())
    validate = CliRunner().invoke(app, ["validate"])
    assert f"{live} spans" in validate.output
    overview = (ROOT / "docs" / "README.md").read_text(encoding="utf-8")
    assert f"| spans | {live} live" in overview
