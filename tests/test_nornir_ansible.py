"""Nornir and Ansible render the same bytes from the same model, and match configs/."""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from communet import ROOT
from communet.design import build_design
from communet.model.load import load_network
from communet.platforms import ROUTER_PLATFORMS
from communet.render import ANSIBLE_HEADER, TEMPLATES, outputs
from nornir_tasks import render_with_nornir

BIN = Path(sys.executable).parent
CONFIGS = ROOT / "configs"


def ansible_env(**extra: str) -> dict[str, str]:
    ours = {"COMMUNET_INVENTORY", "COMMUNET_PLATFORM"}
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_") and k not in ours}
    env.update(
        ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
        LC_ALL="C.UTF-8",
        LANG="C.UTF-8",
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        **extra,
    )
    return env


def run_playbook(out: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "ansible-playbook"), "playbooks/render.yml", "-e", f"out_dir={out}"],
        cwd=ROOT,
        env=ansible_env(**env),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def files(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


def assert_same(left: dict[str, bytes], right: dict[str, bytes], names: tuple[str, str]) -> None:
    assert sorted(left) == sorted(right), f"file sets differ: {names[0]} vs {names[1]}"
    for name in left:
        if left[name] != right[name]:
            diff = difflib.unified_diff(
                left[name].decode().splitlines(keepends=True),
                right[name].decode().splitlines(keepends=True),
                f"{names[0]}/{name}",
                f"{names[1]}/{name}",
            )
            pytest.fail(f"{name} differs:\n{''.join(diff)}")


@pytest.fixture(scope="module")
def nornir_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("nornir")
    result = render_with_nornir(ROOT / "inventory", out)
    assert not result.failed, {h: str(m.exception) for h, m in result.items() if m.failed}
    return out


@pytest.fixture(scope="module")
def ansible_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ansible")
    proc = run_playbook(out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return out


def test_nornir_and_ansible_write_the_same_bytes(nornir_out: Path, ansible_out: Path) -> None:
    assert_same(files(nornir_out), files(ansible_out), ("nornir", "ansible"))


def test_nornir_matches_committed_configs(nornir_out: Path) -> None:
    assert_same(files(nornir_out), files(CONFIGS), ("nornir", "configs"))


def test_ansible_matches_committed_configs(ansible_out: Path) -> None:
    assert_same(files(ansible_out), files(CONFIGS), ("ansible", "configs"))


def test_every_device_rendered_once(nornir_out: Path) -> None:
    intents = build_design(load_network(ROOT / "inventory"))
    assert sorted(files(nornir_out)) == sorted(o.file for i in intents.values() for o in outputs(i))


def test_entry_templates_carry_the_ansible_options_line() -> None:
    """Without it Ansible drops the last newline of included files (and bytes differ)."""
    intents = build_design(load_network(ROOT / "inventory"))
    entries = {o.template for i in intents.values() for o in outputs(i)} | {f"{p}/router.j2" for p in ROUTER_PLATFORMS}
    for name in sorted(entries):
        first = (TEMPLATES / name).read_text(encoding="utf-8").partition("\n")[0]
        assert first == ANSIBLE_HEADER, f"templates/{name} must start with: {ANSIBLE_HEADER}"


def test_nornir_rerender_changes_nothing(nornir_out: Path) -> None:
    result = render_with_nornir(ROOT / "inventory", nornir_out, check=True)
    assert not result.failed
    assert [h for h, m in result.items() if m[0].changed] == []


def test_nornir_check_reports_a_changed_file(tmp_path: Path, nornir_out: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(nornir_out, out)
    victim = sorted(out.iterdir())[0]
    victim.write_text("stale\n", encoding="utf-8")
    result = render_with_nornir(ROOT / "inventory", out, check=True)
    changed = [p.name for m in result.values() for p, differs in m[0].result.items() if differs]
    assert changed == [victim.name]
    assert victim.read_text(encoding="utf-8") == "stale\n", "check mode must not write"


def test_ansible_stops_on_an_invalid_source_of_truth(tmp_path: Path) -> None:
    inventory = tmp_path / "inventory"
    shutil.copytree(ROOT / "inventory", inventory)
    town = sorted((inventory / "towns").glob("*.yml"))[0]
    data = yaml.safe_load(town.read_text(encoding="utf-8"))
    data["router"]["colour"] = "blue"
    town.write_text(yaml.safe_dump(data), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    proc = run_playbook(out, COMMUNET_INVENTORY=str(inventory))
    assert proc.returncode != 0
    output = proc.stdout + proc.stderr
    assert "router.colour" in output and f"towns/{town.name}" in output
    assert list(out.iterdir()) == []


def test_cli_render_engine_nornir(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from communet.cli import app
    from communet.written import record

    runner = CliRunner()
    checked = runner.invoke(app, ["render", "--engine", "nornir", "--check"])
    assert checked.exit_code == 0, checked.output
    (tmp_path / "gone.conf").write_text("a device that no longer exists\n", encoding="utf-8")
    record(tmp_path, ["gone.conf"])  # a file an earlier render wrote: pruned now
    (tmp_path / "notes.txt").write_text("not communet's: kept\n", encoding="utf-8")
    written = runner.invoke(app, ["render", "--engine", "nornir", "--out", str(tmp_path)])
    assert written.exit_code == 0, written.output
    assert (tmp_path / "notes.txt").exists()
    (tmp_path / "notes.txt").unlink()
    assert_same(files(tmp_path), files(CONFIGS), ("nornir --out", "configs"))
    unknown = runner.invoke(app, ["render", "--engine", "puppet"])
    assert unknown.exit_code == 2 and "unknown engine" in unknown.output


@pytest.mark.parametrize("platform", [p for p in ROUTER_PLATFORMS if p != "frr"])
def test_what_if_platform_renders_alike(tmp_path: Path, platform: str) -> None:
    """Every router as another platform: Nornir and Ansible still write the same bytes."""
    nornir, ansible = tmp_path / "nornir", tmp_path / "ansible"
    result = render_with_nornir(ROOT / "inventory", nornir, platform=platform)
    assert not result.failed, {h: str(m.exception) for h, m in result.items() if m.failed}
    ansible.mkdir()
    proc = run_playbook(ansible, COMMUNET_PLATFORM=platform)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert_same(files(nornir), files(ansible), (f"nornir-{platform}", f"ansible-{platform}"))
