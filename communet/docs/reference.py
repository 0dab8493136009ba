"""The inventory format, generated from the pydantic models so it never drifts.

For every model: its keys, their types, defaults, constraints and descriptions.
"""

from __future__ import annotations

import inspect
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from annotated_types import Ge, Gt, Le, Lt, MaxLen, MinLen
from pydantic import AfterValidator, BaseModel
from pydantic.fields import FieldInfo

from communet.docs.markdown import code, page, section, table
from communet.model.ix import Ix
from communet.model.site import DataCenter, Town
from communet.model.syndicate import Syndicate

#: The inventory's files and the model each one holds.
FILES: tuple[tuple[str, type[BaseModel]], ...] = (
    ("inventory/syndicate.yml", Syndicate),
    ("inventory/datacenter.yml", DataCenter),
    ("inventory/ix.yml", Ix),
    ("inventory/towns/NAME.yml", Town),
)

#: Names for the validated string and number kinds of communet.model.base.
VALIDATORS = {
    "_prefix": "IP prefix",
    "_address": "IP address",
    "_asn": "AS number",
    "_host_address": "IP address of a host (not unspecified, loopback or multicast)",
    "_area": "OSPF area (dotted, or a number)",
    "_name": "name (a-z, 0-9 and -, at most 63 characters)",
    "_text64": "text (at most 64 characters, no control characters, no \" or \\)",
    "_text128": "text (at most 128 characters, no control characters, no \" or \\)",
    "_domain": "domain name",
    "_secret": "environment variable name (COMMUNET_...)",
    "_login": "user name",
}


def anchor(model: type[BaseModel]) -> str:
    return model.__name__.lower()


def type_text(annotation: Any, metadata: list[Any] | tuple[Any, ...] = ()) -> str:
    """A type as an engineer reads it: ``list of IP prefix``, ``one of owned, leased``."""
    for meta in metadata:
        if isinstance(meta, AfterValidator):
            name = VALIDATORS.get(getattr(meta.func, "__name__", ""))
            if name:
                return name
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return type_text(args[0], args[1:])
    if origin is Literal:
        return "one of " + ", ".join(code(a) for a in args)
    if origin in (Union, types.UnionType):
        parts = [type_text(a) for a in args if a is not type(None)]
        return " or ".join(parts) + (" or null" if type(None) in args else "")
    if origin is list:
        return f"list of {type_text(args[0])}"
    if origin is tuple:
        return "pair of " + type_text(args[0]) if len(args) == 2 and args[0] == args[1] else "tuple"
    if origin is dict:
        return f"mapping of name to {type_text(args[1])}"
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        return f"[{annotation.__name__}](#{anchor(annotation)})"
    return {int: "integer", str: "text", float: "number", bool: "true/false"}.get(annotation, str(annotation))


def constraints(meta: list[Any]) -> str:
    words: tuple[tuple[type, str, str], ...] = (
        (Ge, "ge", ">= {}"), (Gt, "gt", "> {}"), (Le, "le", "<= {}"), (Lt, "lt", "< {}"),
        (MinLen, "min_length", "at least {} entries"), (MaxLen, "max_length", "at most {} entries"))
    out = [text.format(getattr(m, attr)) for m in meta for kind, attr, text in words if isinstance(m, kind)]
    out += [f"matches {code(m.pattern)}" for m in meta if getattr(m, "pattern", None)]
    return ", ".join(out).replace("at least 1 entries", "at least one entry")


def default_text(field: FieldInfo) -> str:
    if field.is_required():
        return "**required**"
    value = field.default_factory() if field.default_factory is not None else field.default  # type: ignore[call-arg]
    if isinstance(value, BaseModel):
        return "defaults of its keys"
    if value is None:
        return "none"
    if value in ("", [], {}):
        return "empty"
    return code(value)


def nested(model: type[BaseModel]) -> list[type[BaseModel]]:
    """``model`` and every model reachable from its fields, each once, in reading order."""
    seen: list[type[BaseModel]] = []

    def walk(kind: Any) -> None:
        if inspect.isclass(kind) and issubclass(kind, BaseModel):
            if kind in seen:
                return
            seen.append(kind)
            for field in kind.model_fields.values():
                walk(field.annotation)
            return
        for arg in get_args(kind):
            walk(arg)

    walk(model)
    return seen


def doc_of(model: type[BaseModel]) -> str:
    text = model.__dict__.get("__doc__") or ""
    return inspect.cleandoc(text) if text else ""


def model_section(model: type[BaseModel]) -> str:
    rows = [(code(name), type_text(f.annotation, f.metadata), default_text(f), constraints(f.metadata),
             f.description or "")
            for name, f in model.model_fields.items()]
    title = f'<a id="{anchor(model)}"></a>{model.__name__}'
    return section(title, doc_of(model), table(["key", "type", "default", "constraints", "description"], rows),
                   level=3)


def reference_page() -> str:
    files = table(["file", "holds"], [(code(path), f"[{m.__name__}](#{anchor(m)})") for path, m in FILES])
    done: list[type[BaseModel]] = []
    parts = []
    for path, root in FILES:
        models = [m for m in nested(root) if m not in done]
        done += models
        parts.append(section(f"{code(path)}", *(model_section(m) for m in models)))
    return page(
        "Inventory format",
        "The inventory in `inventory/` is the only place to edit. Every key not listed here is an error "
        "(the loader names the file, the key path and the line). Addresses are never typed per device: they "
        "are derived from the pools and the ids (see the [IP plan](ip-plan.md)).",
        files,
        *parts,
    )
