"""A package that runs anywhere: paths from the working tree, templates inside the package."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from communet import PACKAGE, ROOT, TEMPLATES, find_root

COMMUNET = Path(sys.executable).parent / "communet"


def _tree(tmp_path: Path, drop_town: str | None = None) -> Path:
    tree = tmp_path / "elsewhere"
    shutil.copytree(ROOT / "inventory", tree / "inventory")
    if drop_town:
        (tree / "inventory" / "towns" / f"{drop_town}.yml").unlink()
    return tree


def test_root_is_the_working_tree_not_the_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COMMUNET_ROOT", raising=False)
    tree = _tree(tmp_path)
    (tree / "sub" / "dir").mkdir(parents=True)
    assert find_root(tree) == tree.resolve()
    assert find_root(tree / "sub" / "dir") == tree.resolve()
    assert find_root(tmp_path) == tmp_path.resolve()  # no inventory/ above: the directory itself
    monkeypatch.setenv("COMMUNET_ROOT", str(tree))
    assert find_root(tmp_path) == tree.resolve()


def test_the_cli_reads_the_inventory_of_the_tree_it_runs_in(tmp_path: Path) -> None:
    towns = sorted(p.stem for p in (ROOT / "inventory" / "towns").glob("*.yml"))
    tree = _tree(tmp_path, drop_town=towns[-1])
    env = {k: v for k, v in os.environ.items() if k != "COMMUNET_ROOT"}
    here = subprocess.run([str(COMMUNET), "validate"], cwd=ROOT, capture_output=True, text=True, env=env, check=True)
    there = subprocess.run([str(COMMUNET), "validate"], cwd=tree, capture_output=True, text=True, env=env, check=True)
    assert f"{len(towns)} towns" in here.stdout
    assert f"{len(towns) - 1} towns" in there.stdout
    rendered = subprocess.run(
        [str(COMMUNET), "render"], cwd=tree, capture_output=True, text=True, env=env, check=True, timeout=120
    )
    assert (tree / "configs").is_dir(), rendered.stdout
    assert not any(p.stem.startswith(towns[-1]) for p in (tree / "configs").iterdir())


def test_templates_are_found_from_the_package() -> None:
    assert (TEMPLATES / "frr" / "router.j2").is_file()
    assert TEMPLATES in (PACKAGE / "templates", PACKAGE.parent / "templates")


def test_the_wheel_ships_every_module_and_the_templates(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = tmp_path.glob("communet-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for src in (ROOT / "communet").rglob("*.py"):
        assert str(src.relative_to(ROOT)) in names, src
    for src in (ROOT / "templates").rglob("*"):
        if src.is_file():
            assert f"communet/templates/{src.relative_to(ROOT / 'templates')}" in names, src
    assert {"communet/model/__init__.py", "communet/docs/__init__.py", "communet/py.typed"} <= names
