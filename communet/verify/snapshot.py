"""Snapshots of learned state, saved as JSON, and what changed between two of them.

A snapshot holds, per router, the JSON of each FRR command (see ``frr_json.COMMANDS``).
Comparing drops what changes on its own (uptimes, timers, packet and message counters,
table versions) so only state changes remain: a neighbor lost, a route gained.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from communet import ROOT

SNAPSHOTS = ROOT / "reports" / "snapshots"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
#: Keys whose values move without anything changing: matched case-insensitively, anywhere in the key.
VOLATILE = re.compile(
    r"uptime|timer|time|msec|secs|duration|dead|age$|^age|counter|packet|pkt|msg|message|queue|version"
    r"|sent|rcvd|recv|received|^(tx|rx)|(tx|rx)$|_(tx|rx)_|ticks|echo|lastreset|hellos?due|lsa",
    re.IGNORECASE,
)


class SnapshotError(ValueError):
    """A snapshot name is bad or the snapshot does not exist."""


def path_of(name: str, directory: Path = SNAPSHOTS) -> Path:
    if not NAME.match(name):
        raise SnapshotError(f"bad snapshot name {name!r}: use letters, digits, '.', '_' or '-' (at most 64)")
    return directory / f"{name}.json"


def save(name: str, routers: dict[str, dict[str, Any]], directory: Path = SNAPSHOTS) -> Path:
    path = path_of(name, directory)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"name": name, "taken": datetime.now(UTC).isoformat(timespec="seconds"), "routers": routers}
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


def load(name: str, directory: Path = SNAPSHOTS) -> dict[str, Any]:
    path = path_of(name, directory)
    if not path.exists():
        have = sorted(p.stem for p in directory.glob("*.json")) if directory.is_dir() else []
        raise SnapshotError(f"no snapshot {name!r} in {_rel(directory)} (have: {', '.join(have) or 'none'})")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SnapshotError(f"{_rel(path)} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("routers"), dict):
        raise SnapshotError(f"{_rel(path)} is not a snapshot (no 'routers' mapping)")
    return data


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


def stable(value: Any) -> Any:
    """``value`` without volatile keys; lists sorted so reordering is not a change.

    >>> stable({"state": "Full", "upTimeInMsec": 5, "peers": [{"id": 2}, {"id": 1}]})
    {'peers': [{'id': 1}, {'id': 2}], 'state': 'Full'}
    """
    if isinstance(value, dict):
        return {k: stable(v) for k, v in sorted(value.items()) if not VOLATILE.search(k)}
    if isinstance(value, list):
        return sorted((stable(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return value


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Leaf paths to values. List items are keyed by their content, so one item lost is one change."""
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}/{k}" if prefix else str(k)))
        return out
    if isinstance(value, list) and value:
        out = {}
        for v in value:
            out[f"{prefix}[{_identity(v)}]"] = json.dumps(v, sort_keys=True)
        return out
    return {prefix: value}


def _identity(item: Any) -> str:
    if isinstance(item, dict):
        keys = ("peer", "neighborId", "interface", "interfaceName", "prefix", "name")
        found = [f"{k}={item[k]}" for k in keys if k in item]
        if found:
            return ",".join(found)
    return json.dumps(item, sort_keys=True)[:80]


@dataclass(frozen=True, slots=True)
class Change:
    path: str
    before: Any
    after: Any

    @property
    def kind(self) -> str:
        if self.before is None:
            return "added"
        return "removed" if self.after is None else "changed"

    def __str__(self) -> str:
        if self.kind == "added":
            return f"+ {self.path} = {self.after}"
        if self.kind == "removed":
            return f"- {self.path} (was {self.before})"
        return f"~ {self.path}: {self.before} -> {self.after}"


def compare(a: dict[str, Any], b: dict[str, Any]) -> list[Change]:
    """What changed from snapshot ``a`` to ``b`` (both as loaded), counters and timers ignored."""
    before = flatten(stable(a.get("routers", {})))
    after = flatten(stable(b.get("routers", {})))
    return [
        Change(p, before.get(p), after.get(p))
        for p in sorted(before.keys() | after.keys())
        if before.get(p) != after.get(p)
    ]
