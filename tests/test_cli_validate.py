"""The `communet` command as an engineer and CI run it: a real process, real exit codes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from communet import ROOT

COMMUNET = Path(sys.executable).parent / "communet"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(COMMUNET), *args], capture_output=True, text=True, cwd=ROOT, timeout=120, check=False)


@pytest.fixture
def inventory(tmp_path: Path) -> Path:
    copy = tmp_path / "inventory"
    shutil.copytree(ROOT / "inventory", copy)
    return copy


def test_validate_accepts_the_example() -> None:
    result = run("validate")
    assert result.returncode == 0, result.stderr
    assert "inventory ok" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_validate_reports_a_broken_inventory(inventory: Path) -> None:
    town = next((inventory / "towns").glob("*.yml"))
    town.write_text(town.read_text(encoding="utf-8") + "bogus_key: 1\n", encoding="utf-8")
    result = run("validate", "--inventory", str(inventory))
    assert result.returncode == 2
    assert "Traceback" not in result.stdout + result.stderr
    assert f"inventory/towns/{town.name}:" in result.stderr
    assert "unknown key 'bogus_key'" in result.stderr
    assert "hint:" in result.stderr


def test_validate_reports_a_file_that_is_not_utf8(inventory: Path) -> None:
    (inventory / "ix.yml").write_bytes(b"name: \xff\xfe\n")
    result = run("validate", "--inventory", str(inventory))
    assert result.returncode == 2
    assert "Traceback" not in result.stdout + result.stderr
    assert "inventory/ix.yml: not UTF-8 text" in result.stderr


def test_validate_reports_a_missing_directory(tmp_path: Path) -> None:
    result = run("validate", "--inventory", str(tmp_path / "nowhere"))
    assert result.returncode == 2
    assert "inventory directory not found" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_validate_reports_a_missing_file(inventory: Path) -> None:
    (inventory / "syndicate.yml").unlink()
    result = run("validate", "--inventory", str(inventory))
    assert result.returncode == 2
    assert "inventory/syndicate.yml: cannot read the file" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_render_check_names_stale_files(tmp_path: Path) -> None:
    out = tmp_path / "configs"
    assert run("render", "--out", str(out)).returncode == 0
    fresh = run("render", "--check", "--out", str(out))
    assert fresh.returncode == 0, fresh.stderr
    assert "configs up to date" in fresh.stdout

    files = sorted(out.iterdir())
    assert files
    altered, removed = files[0], files[-1]
    altered.write_text(altered.read_text(encoding="utf-8") + "! edited by hand\n", encoding="utf-8")
    removed.unlink()
    (out / "leftover.conf").write_text("old device\n", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    stale = run("render", "--check", "--out", str(out))
    assert stale.returncode == 1
    assert "Traceback" not in stale.stdout + stale.stderr
    for path in (altered, removed, out / "leftover.conf"):
        assert str(path) in stale.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before, "--check wrote files"


def test_render_check_on_a_broken_inventory_exits_2(inventory: Path, tmp_path: Path) -> None:
    (inventory / "datacenter.yml").write_text("- not a mapping\n", encoding="utf-8")
    result = run("render", "--check", "--inventory", str(inventory), "--out", str(tmp_path / "configs"))
    assert result.returncode == 2
    assert "inventory/datacenter.yml: the file must hold a mapping of keys" in result.stderr
    assert not (tmp_path / "configs").exists()
