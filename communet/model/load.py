"""Load ``inventory/`` into a validated :class:`Network`, or report every problem.

Files are parsed with PyYAML's C loader; line numbers are looked up only for the
keys that have a problem, so a valid inventory loads at full speed.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from communet.errors import InventoryError, Problem
from communet.model.checks import check_network
from communet.model.ix import Ix
from communet.model.network import Network
from communet.model.site import DataCenter, Town
from communet.model.syndicate import Syndicate

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

HINTS: dict[str, str] = {
    "extra_forbidden": "remove the key or fix its spelling (see docs/inventory.md)",
    "missing": "add this key (see docs/inventory.md)",
    "literal_error": "use one of the values listed",
    "greater_than_equal": "use a larger value",
    "less_than_equal": "use a smaller value",
    "greater_than": "use a larger value",
    "string_pattern_mismatch": "use lowercase letters, digits and dashes, starting with a letter",
    "int_parsing": "write a whole number",
    "int_type": "write a whole number",
    "too_short": "add at least one entry",
}


def dotted(loc: tuple[int | str, ...]) -> str:
    """Key path as an engineer reads it: ``spans[0].remote.device``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def find_line(path: Path, loc: tuple[int | str, ...]) -> int | None:
    """Line of the deepest key of ``loc`` that exists in the YAML file."""
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, yaml.YAMLError):
        return None
    line = node.start_mark.line + 1 if node else None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if k.value == part), None)
            key = next((k for k, _ in node.value if k.value == part), None)
            if match is None:
                break
            line, node = key.start_mark.line + 1 if key else line, match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _read(path: Path, root: Path, problems: list[Problem]) -> dict[str, Any] | None:
    rel = str(path.relative_to(root.parent)) if path.is_relative_to(root.parent) else str(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except OSError as exc:
        problems.append(Problem(rel, "", f"cannot read the file: {exc.strerror}", "check the path"))
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.append(
            Problem(rel, "", f"not valid YAML: {getattr(exc, 'problem', exc)}",
                    "check indentation and quoting", mark.line + 1 if mark else None)
        )
        return None
    if not isinstance(data, dict):
        problems.append(Problem(rel, "", "the file must hold a mapping of keys", "see docs/inventory.md"))
        return None
    return data


M = TypeVar("M", bound=BaseModel)


def _validate(
    kind: type[M], data: dict[str, Any], path: Path, rel: str, problems: list[Problem]
) -> M | None:
    try:
        return kind.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
            msg = err["msg"].removeprefix("Value error, ")
            hint = HINTS.get(err["type"], "see docs/inventory.md for the expected format")
            problems.append(Problem(rel, dotted(loc), msg, hint, find_line(path, loc)))
        return None


def load_network(root: Path) -> Network:
    """Load and validate ``root`` (the inventory directory). Raises InventoryError."""
    problems: list[Problem] = []
    gc_was_enabled = gc.isenabled()
    gc.disable()  # the collector scanning a growing heap dominates YAML load time
    try:
        parts = _load_parts(root, problems)
    finally:
        if gc_was_enabled:
            gc.enable()
    if problems or parts is None:
        raise InventoryError(problems)
    network = Network(*parts, root=root)
    problems.extend(check_network(network))
    if problems:
        raise InventoryError(problems)
    return network


def _rel(path: Path, root: Path) -> str:
    return str(path.relative_to(root.parent))


def _load_parts(
    root: Path, problems: list[Problem]
) -> tuple[Syndicate, DataCenter, Ix, tuple[Town, ...], dict[str, str]] | None:
    if not root.is_dir():
        problems.append(Problem(str(root), "", "inventory directory not found", "pass --inventory DIR"))
        return None
    singles: dict[str, Any] = {}
    for name, kind in (("syndicate", Syndicate), ("datacenter", DataCenter), ("ix", Ix)):
        path = root / f"{name}.yml"
        data = _read(path, root, problems)
        singles[name] = _validate(kind, data, path, _rel(path, root), problems) if data is not None else None
    towns: list[Town] = []
    files = {}
    town_paths = sorted((root / "towns").glob("*.yml"))
    for path in town_paths:
        data = _read(path, root, problems)
        town = _validate(Town, data, path, _rel(path, root), problems) if data is not None else None
        if town is not None:
            towns.append(town)
            files.setdefault(town.name, _rel(path, root))
            if path.stem != town.name:
                problems.append(Problem(_rel(path, root), "name", f"town {town.name!r} is in file {path.name}",
                                        f"rename the file to {town.name}.yml", find_line(path, ("name",))))
    if None in singles.values():
        return None
    dc = singles["datacenter"]
    files[dc.name] = _rel(root / "datacenter.yml", root)
    files["syndicate"] = _rel(root / "syndicate.yml", root)
    files["ix"] = _rel(root / "ix.yml", root)
    return singles["syndicate"], dc, singles["ix"], tuple(sorted(towns, key=lambda t: t.id)), files
