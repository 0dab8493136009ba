"""Assemble a change report: inventory changes, device impact with risk lines, masked diffs."""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from communet import ROOT
from communet.design import Intent, build_design
from communet.diffs import ConfigDiff, diff_configs
from communet.errors import InventoryError
from communet.gitref import GitError, export_at, files_at
from communet.model.load import load_network
from communet.model.network import Network
from communet.render import outputs, render_all
from communet.report.inventory_diff import Change, inventory_changes
from communet.report.mask import mask_line
from communet.report.risk import risks


@dataclass(frozen=True, slots=True)
class DeviceImpact:
    """One device whose config changes."""

    hostname: str
    site: str
    diff: ConfigDiff
    risks: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ChangeReport:
    against: str
    changes: tuple[Change, ...]
    devices: tuple[DeviceImpact, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def by_site(self) -> dict[str, list[DeviceImpact]]:
        out: dict[str, list[DeviceImpact]] = {}
        for device in self.devices:
            out.setdefault(device.site, []).append(device)
        return out


def _files(design: dict[str, Intent]) -> dict[str, Intent]:
    return {o.file: i for i in design.values() for o in outputs(i)}


def compare(
    before: Network | None,
    after: Network,
    before_configs: dict[str, str],
    after_configs: dict[str, str],
    against: str = "before",
    notes: tuple[str, ...] = (),
) -> ChangeReport:
    """The report from two models and the two sets of configs they stand for."""
    old = _files(build_design(before)) if before else {}
    new = _files(build_design(after))
    devices = []
    for d in diff_configs(before_configs, after_configs):
        intent_a, intent_b = old.get(d.name), new.get(d.name)
        intent = intent_b or intent_a
        hostname = intent.hostname if intent else d.name.rsplit(".", 1)[0]
        masked = ConfigDiff(d.name, d.status, tuple(mask_line(line) for line in d.lines))
        devices.append(
            DeviceImpact(
                hostname,
                intent.site if intent else "other",
                masked,
                tuple(risks(intent_a, intent_b, config_changed=True)),
            )
        )
    changes = tuple(inventory_changes(before, after)) if before else ()
    return ChangeReport(against, changes, tuple(devices), notes)


def report_against(ref: str, inventory: Path, cwd: Path = ROOT) -> ChangeReport:
    """Compare the inventory and configs now with those committed at git ``ref``.

    The configs at ``ref`` are the committed ``configs/``; now is what the current
    inventory renders to (the same as ``configs/`` when ``render --check`` passes).
    Raises GitError for an unknown ref.
    """
    commit = _git_verify(ref, cwd)
    after = load_network(inventory)
    notes: list[str] = []
    folder = (
        str(inventory.resolve().relative_to(cwd.resolve()))
        if inventory.resolve().is_relative_to(cwd.resolve())
        else "inventory"
    )
    before: Network | None = None
    with tempfile.TemporaryDirectory(prefix="communet-report-") as tmp:
        try:
            before = load_network(export_at(ref, folder, Path(tmp), cwd=cwd))
        except InventoryError as exc:
            notes.append(
                f"the inventory at {ref} does not load ({len(exc.problems)} problems): only config diffs are shown"
            )
        except GitError:
            notes.append(f"no inventory at {ref}: everything is new")
    try:
        before_configs = files_at(ref, "configs", cwd=cwd)
    except GitError:
        before_configs = {}
        notes.append(f"no configs/ committed at {ref}")
    after_configs = {r.path.name: r.text for r in render_all(build_design(after).values(), Path("configs"))}
    return compare(before, after, before_configs, after_configs, f"{ref} ({commit[:10]})", tuple(notes))


def _git_verify(ref: str, cwd: Path) -> str:
    """The commit ``ref`` names; GitError when there is none."""
    proc = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise GitError(f"{ref!r} is not a commit in this repository")
    return proc.stdout.strip()
