"""``render --out`` and ``docs --out`` prune only what they wrote; ``--out`` a file is a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from communet import ROOT, written
from communet.cli import app
from communet.design import build_design
from communet.docs.build import Doc
from communet.docs.build import write as write_docs
from communet.model.load import load_network
from communet.render import render_all, write

NET = load_network(ROOT / "inventory")
INTENTS = build_design(NET)


def test_render_keeps_files_it_did_not_write_and_prunes_its_own(tmp_path: Path) -> None:
    assert not list(tmp_path.iterdir())
    mine = tmp_path / "notes.txt"
    mine.write_text("the operator's own file")
    hidden = tmp_path / "README.md"
    hidden.write_text("also not ours")
    intents = list(INTENTS.values())
    write(render_all(intents, tmp_path), tmp_path)
    assert mine.read_text() == "the operator's own file" and hidden.exists()
    dropped = intents[0]
    first = {r.path for r in render_all([dropped], tmp_path)}
    assert all(p.exists() for p in first)
    removed = write(render_all(intents[1:], tmp_path), tmp_path)
    assert first <= set(removed) and not any(p.exists() for p in first)
    assert mine.exists() and hidden.exists()
    assert written.written(tmp_path) == {r.path.name for r in render_all(intents[1:], tmp_path)}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # the record lives elsewhere


def test_docs_keep_files_they_did_not_write(tmp_path: Path) -> None:
    (tmp_path / "towns").mkdir()
    mine = tmp_path / "towns" / "visit-notes.md"
    mine.write_text("ours, not the tool's")
    write_docs([Doc("towns/a.md", text="a\n"), Doc("towns/b.md", text="b\n")], tmp_path)
    write_docs([Doc("towns/a.md", text="a\n")], tmp_path)
    assert mine.exists() and (tmp_path / "towns" / "a.md").exists()
    assert not (tmp_path / "towns" / "b.md").exists()


@pytest.mark.parametrize("command", ["render", "docs"])
def test_out_pointing_at_a_file_is_a_clear_error(tmp_path: Path, command: str) -> None:
    target = tmp_path / "a-file"
    target.write_text("keep me")
    result = CliRunner().invoke(app, [command, "--out", str(target)])
    assert result.exit_code == 2, result.output
    assert "not a directory" in result.output and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert target.read_text() == "keep me"


def test_a_recorded_name_cannot_reach_outside_the_directory(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("x")
    out = tmp_path / "out"
    out.mkdir()
    written.record_path(out).parent.mkdir(parents=True, exist_ok=True)
    written.record_path(out).write_text(f"../outside.txt\n{outside}\n")
    assert written.prune(out, []) == []
    assert outside.exists()
