"""Load ``inventory/`` into a validated :class:`Network`, or report every problem.

Files are parsed with PyYAML's C loader; line numbers are looked up only for the
keys that have a problem, so a valid inventory loads at full speed.
"""

from __future__ import annotations

import gc
import types
import typing
from difflib import get_close_matches
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from communet.errors import InventoryError, Problem
from communet.model.checks import check_network
from communet.model.files import FileRefused, bounded_text, refuse_expansion, stray_files, town_files
from communet.model.ix import Ix
from communet.model.network import Network
from communet.model.site import DataCenter, Town
from communet.model.syndicate import Syndicate
from communet.model.text import CLIP, clip, shown

_BaseLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
#: Names a town cannot take: they already name the other files of the inventory.
RESERVED = ("syndicate", "ix")


class DuplicateKeyError(yaml.constructor.ConstructorError):
    """The same key twice in one mapping: YAML keeps the last one silently."""


class _Loader(_BaseLoader):  # type: ignore[valid-type,misc]
    """PyYAML's fastest safe loader, refusing duplicate keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key, _ in node.value:
            if isinstance(key, yaml.ScalarNode):
                if key.value in seen:
                    raise DuplicateKeyError(
                        None, None, f"key {key.value!r} appears twice (first at line {seen[key.value]})", key.start_mark
                    )
                seen[key.value] = key.start_mark.line + 1
        return super().construct_mapping(node, deep)


HINTS: dict[str, str] = {
    "extra_forbidden": "remove the key or fix its spelling (see docs/inventory.md)",
    "missing": "add this key (see docs/inventory.md)",
    "float_parsing": "write a number",
    "float_type": "write a number",
    "list_type": "write a list: [a, b] or one '- item' per line",
    "dict_type": "write a mapping: 'key: value' lines",
    "model_type": "write a mapping: 'key: value' lines",
    "string_type": "write a text value (quote it if YAML reads it as something else)",
    "literal_error": "use one of the values listed",
    "greater_than_equal": "use a larger value",
    "less_than_equal": "use a smaller value",
    "greater_than": "use a larger value",
    "string_pattern_mismatch": "use lowercase letters, digits and dashes, starting with a letter",
    "int_parsing": "write a whole number",
    "int_type": "write a whole number",
    "too_short": "add at least one entry",
}


#: Hints for the errors the model's own validators raise, by a piece of their message.
VALUE_HINTS: tuple[tuple[str, str], ...] = (
    ("has host bits set", "write the prefix's network address, as the message shows"),
    ("has no prefix length", "add /LENGTH to the prefix"),
    ("is not an IP prefix", "write ADDRESS/LENGTH, e.g. as the pools in syndicate.yml"),
    ("is not an IP address", "write a bare IPv4 or IPv6 address, without /LENGTH"),
    ("not a usable AS number", "use the AS number the registry assigned (23456 is AS_TRANS, 65535 is reserved)"),
    ("is below first", "swap first and last"),
    ("must be longer than hello_s", "dead_s is a few hello intervals, e.g. hello_s: 1 with dead_s: 4"),
    ("must not exceed spf_max_ms", "spf_max_ms bounds the other SPF waits, e.g. 50, 100 and 2000"),
    ("must not exceed lsa_min_interval_ms", "neighbours must accept LSAs at the rate a router may send them"),
    ("same number of digits", "extensions of one range have the same length, e.g. 2100-2199"),
    ("leased span needs", "add provider: and circuit: as the fiber contract names them"),
    (
        "is not a valid name",
        "a name is lowercase a-z, 0-9 and dashes from a letter on; the text as people write it goes in display_name",
    ),
    ("which no config can carry", 'free text is one line of plain characters, without " or \\'),
    ("is too long", "shorten it to the limit the message names"),
    ("is not a domain name", "write a domain such as example.org"),
    (
        "is not an environment variable name",
        "name the variable that holds the secret, e.g. COMMUNET_BGP_PEER; the secret itself stays in the environment",
    ),
    ("is not an OSPF area", "write the area dotted (0.0.0.0) or as a number"),
    ("is not the address of a server", "write the server's own unicast address"),
    ("is not a user name", "use a login name such as communet"),
    ("transit link needs an address family", "a link carries IPv4, IPv6 or both: add the addresses"),
    ("and peer_v", "our address and the provider's go together, per family"),
)


class _Short(str):
    """A clipped text that reprs as its clipped quote (so messages stay short)."""

    def __repr__(self) -> str:
        return shown(str(self))


def _short(value: Any) -> Any:
    """The bad value as a message shows it: long text and containers cut."""
    if isinstance(value, str):
        return value if len(value) <= CLIP else _Short(value)
    if isinstance(value, (dict, list, tuple)) and len(repr(value)[: CLIP + 1]) > CLIP:
        return _Short(f"{type(value).__name__} of {len(value)} items")
    return value


def _message(err: Any) -> str:
    """Pydantic's message, reworded to name the key or the bad value."""
    kind, loc, value, ctx = err["type"], err["loc"], _short(err.get("input")), err.get("ctx") or {}
    key = clip(str(loc[-1])) if loc else ""
    texts = {
        "extra_forbidden": f"unknown key {key!r}",
        "missing": f"missing required key {key!r}",
        "greater_than_equal": f"{value!r} is below the minimum {ctx.get('ge')}",
        "less_than_equal": f"{value!r} is above the maximum {ctx.get('le')}",
        "greater_than": f"{value!r} must be greater than {ctx.get('gt')}",
        "int_parsing": f"{value!r} is not a whole number",
        "int_type": f"{value!r} is not a whole number",
        "int_from_float": f"{value!r} is not a whole number",
        "float_parsing": f"{value!r} is not a number",
        "float_type": f"{value!r} is not a number",
        "literal_error": f"{value!r} is not allowed: expected {ctx.get('expected')}",
        "string_pattern_mismatch": f"{value!r} is not a valid name",
        "list_type": f"expected a list, found {type(value).__name__} {value!r}",
        "dict_type": f"expected a mapping, found {type(value).__name__} {value!r}",
        "model_type": f"expected a mapping, found {type(value).__name__} {value!r}",
    }
    return texts.get(kind, str(err["msg"]).removeprefix("Value error, "))


def _hint(kind: type[BaseModel], err: Any, message: str) -> str:
    if err["type"] == "extra_forbidden":
        close = get_close_matches(str(err["loc"][-1]), _fields_at(kind, err["loc"][:-1]), n=1)
        if close:
            return f"did you mean {close[0]!r}? otherwise remove the key (see docs/inventory.md)"
    if err["type"] in HINTS:
        return HINTS[err["type"]]
    hint = next((h for piece, h in VALUE_HINTS if piece in message), None)
    return hint or "see docs/inventory.md for the expected format"


def _unwrap(annotation: Any, part: int | str) -> Any:
    """The type one step down ``part`` from ``annotation`` (list item, dict value, optional)."""
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin is typing.Annotated:
        return _unwrap(args[0], part)
    if origin in (typing.Union, types.UnionType) and len(args) == 1:
        return _unwrap(args[0], part)
    if origin is list and isinstance(part, int):
        return args[0]
    if origin is dict and isinstance(part, str):
        return args[1]
    return None


def _fields_at(kind: Any, loc: tuple[int | str, ...]) -> list[str]:
    """The keys the model accepts at ``loc`` (for spelling suggestions)."""
    for part in loc:
        if isinstance(kind, type) and issubclass(kind, BaseModel) and isinstance(part, str):
            field = kind.model_fields.get(part)
            kind = field.annotation if field else None
        else:
            kind = _unwrap(kind, part)
        while (
            kind is not None
            and not (isinstance(kind, type) and issubclass(kind, BaseModel))
            and (typing.get_origin(kind) in (typing.Union, types.UnionType))
        ):
            kind = _unwrap(kind, "")
    return list(kind.model_fields) if isinstance(kind, type) and issubclass(kind, BaseModel) else []


def dotted(loc: tuple[int | str, ...]) -> str:
    """Key path as an engineer reads it: ``spans[0].remote.device``."""
    text = ""
    for part in loc:
        if part == "[key]":
            text += " (the key)"
        else:
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
        text = bounded_text(path)
        data = yaml.load(text, Loader=_Loader)
        refuse_expansion(data)
    except FileRefused as exc:
        problems.append(Problem(rel, "", str(exc), exc.hint))
        return None
    except OSError as exc:
        problems.append(Problem(rel, "", f"cannot read the file: {exc.strerror}", "check the path"))
        return None
    except UnicodeDecodeError as exc:
        problems.append(Problem(rel, "", f"not UTF-8 text (byte {exc.start})", "save the file as UTF-8"))
        return None
    except RecursionError:
        problems.append(Problem(rel, "", "nested too deeply to read", "an inventory file nests a few levels only"))
        return None
    except DuplicateKeyError as exc:
        mark = exc.problem_mark
        problems.append(
            Problem(
                rel, "", f"not valid YAML: {exc.problem}", "keep one of the two keys", mark.line + 1 if mark else None
            )
        )
        return None
    except yaml.YAMLError as exc:
        problems.append(_yaml_problem(rel, exc))
        return None
    if not isinstance(data, dict):
        found = "nothing" if data is None else f"a {type(data).__name__}"
        problems.append(
            Problem(
                rel,
                "",
                f"the file must hold a mapping of keys, not {found}",
                "write 'key: value' lines at the top level (see docs/inventory.md)",
            )
        )
        return None
    return data


def _yaml_problem(rel: str, exc: yaml.YAMLError) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    text = f"not valid YAML: {getattr(exc, 'problem', None) or exc}"
    if context and context_mark:
        text += f" ({context} at line {context_mark.line + 1})"
    return Problem(rel, "", text, "check indentation, brackets and quoting", mark.line + 1 if mark else None)


M = TypeVar("M", bound=BaseModel)


def _validate(kind: type[M], data: dict[str, Any], path: Path, rel: str, problems: list[Problem]) -> M | None:
    try:
        return kind.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
            msg = _message({**err, "loc": loc})
            problems.append(Problem(rel, dotted(loc), msg, _hint(kind, {**err, "loc": loc}, msg), find_line(path, loc)))
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
    dc = singles["datacenter"]
    files: dict[str, str] = {name: _rel(root / f"{name}.yml", root) for name in RESERVED}
    if dc is not None:
        files[dc.name] = _rel(root / "datacenter.yml", root)
    problems.extend(stray_files(root))
    loaded = [
        (path, town) for path in town_files(root, problems) if (town := _load_town(path, root, problems)) is not None
    ]
    # a file named after its town keeps the name; a copy under another file name is the duplicate
    loaded.sort(key=lambda item: item[0].stem != item[1].name)
    towns = [town for path, town in loaded if _register(town, path, root, files, problems)]
    if None in singles.values():
        return None
    return singles["syndicate"], dc, singles["ix"], tuple(sorted(towns, key=lambda t: t.id)), files


def _load_town(path: Path, root: Path, problems: list[Problem]) -> Town | None:
    """One town file; its name must be its file's name."""
    data = _read(path, root, problems)
    town = _validate(Town, data, path, _rel(path, root), problems) if data is not None else None
    if town is not None and path.stem != town.name:
        problems.append(
            Problem(
                _rel(path, root),
                "name",
                f"town {town.name!r} is in file {path.name}",
                f"rename the file to {town.name}.yml",
                find_line(path, ("name",)),
            )
        )
    return town


def _register(town: Town, path: Path, root: Path, files: dict[str, str], problems: list[Problem]) -> bool:
    """Claim the town's name for its file; a name another file holds is a problem."""
    rel = _rel(path, root)
    if town.name in files:
        problems.append(
            Problem(
                rel,
                "name",
                f"town name {town.name!r} is already used by {files[town.name]}",
                "give each town its own name and file",
                find_line(path, ("name",)),
            )
        )
        return False
    files[town.name] = rel
    return True
