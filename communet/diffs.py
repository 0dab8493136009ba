"""Per-device unified diffs between two sets of rendered configs; for IOS-XE and JunOS files
also the remediation commands (hier_config) that turn the old config into the new one."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from communet.platforms import by_suffix
from communet.remediation import remediation


@dataclass(frozen=True, slots=True)
class ConfigDiff:
    name: str  # file name, e.g. aldermoor-r1.conf
    status: str  # added, removed, changed
    lines: tuple[str, ...]  # unified diff lines, without trailing newlines
    remediation: tuple[str, ...] = ()  # commands for the device, where hier_config knows its platform

    @property
    def added(self) -> int:
        return sum(1 for line in self.lines if line.startswith("+") and not line.startswith("+++"))

    @property
    def removed(self) -> int:
        return sum(1 for line in self.lines if line.startswith("-") and not line.startswith("---"))


def diff_configs(before: dict[str, str], after: dict[str, str], context: int = 3) -> list[ConfigDiff]:
    """Diffs for every file that differs, sorted by name."""
    out = []
    for name in sorted(before.keys() | after.keys()):
        old, new = before.get(name), after.get(name)
        if old == new:
            continue
        status = "added" if old is None else "removed" if new is None else "changed"
        lines = difflib.unified_diff(
            (old or "").splitlines(),
            (new or "").splitlines(),
            f"a/configs/{name}",
            f"b/configs/{name}",
            n=context,
            lineterm="",
        )
        plat = by_suffix(name)
        fix = remediation(plat.name, old or "", new or "") if plat and new is not None else ()
        out.append(ConfigDiff(name, status, tuple(lines), fix))
    return out
