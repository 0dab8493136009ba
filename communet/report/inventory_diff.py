"""What changed in the source of truth, said in network terms.

Towns, spans and IX neighbors are compared as objects ("town added", "span now
leased"); everything else falls back to a key path and its two values, so no
change goes unreported.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from communet.model.ix import IxNeighbor
from communet.model.network import Network
from communet.model.site import Span, Town


@dataclass(frozen=True, slots=True)
class Change:
    """One change in network terms; ``area`` groups the report (towns, backbone, IX, syndicate)."""

    area: str
    text: str
    file: str


def _ext(town: Town) -> str:
    return f"{town.telephony.extensions.first}-{town.telephony.extensions.last}" if town.telephony else "none"


def _span_text(span: Span) -> str:
    text = (
        f"{span.local.device} port {span.local.port} - {span.remote.device} port {span.remote.port}, "
        f"{span.length_km:g} km {span.fiber}"
    )
    return f"{text} ({span.provider}, circuit {span.circuit})" if span.fiber == "leased" else text


def paths(before: Any, after: Any, prefix: str = "") -> Iterator[tuple[str, Any, Any]]:
    """Key paths whose values differ between two plain structures (dicts, lists, scalars)."""
    if isinstance(before, dict) and isinstance(after, dict):
        for key in [*before, *(k for k in after if k not in before)]:
            yield from paths(before.get(key), after.get(key), f"{prefix}.{key}" if prefix else str(key))
    elif before != after:
        yield prefix, before, after


def _generic(area: str, file: str, before: Any, after: Any, prefix: str = "") -> list[Change]:
    return [
        Change(area, f"`{path}` changed: {_show(a)} -> {_show(b)}", file) for path, a, b in paths(before, after, prefix)
    ]


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return "(unset)" if value is None else f"`{value}`"


def town_changes(old: Network, new: Network) -> list[Change]:
    before, after = {t.name: t for t in old.towns}, {t.name: t for t in new.towns}
    out = []
    for name, t in after.items():
        if name not in before:
            out.append(
                Change(
                    "towns",
                    f"town **{name}** added: phase {t.phase}, site id {t.id}, router "
                    f"{t.router.hostname} (id {t.router.id}), segments {', '.join(t.segments) or 'none'}, "
                    f"extensions {_ext(t)}",
                    new.file_of(name),
                )
            )
    for name in before:
        if name not in after:
            out.append(Change("towns", f"town **{name}** removed", old.file_of(name)))
    for name in before.keys() & after.keys():
        out += _town_diff(before[name], after[name], new.file_of(name))
    return out


def _town_diff(a: Town, b: Town, file: str) -> list[Change]:
    out = []
    say = lambda text: out.append(Change("towns", f"{b.name}: {text}", file))  # noqa: E731
    if a.phase != b.phase:
        say(f"phase {a.phase} -> **{b.phase}**")
    if a.id != b.id:
        say(f"site id {a.id} -> {b.id}: every segment of the town is renumbered")
    for role in b.segments:
        if role not in a.segments:
            say(f"segment {role} added")
    for role in a.segments:
        if role not in b.segments:
            say(f"segment {role} removed")
    if _ext(a) != _ext(b):
        say(f"extension range {_ext(a)} -> {_ext(b)}")
    if a.telephony and b.telephony and a.telephony.sip_server != b.telephony.sip_server:
        say(
            "SIP server changed: "
            + ", ".join(
                f"{p}: {_show(x)} -> {_show(y)}"
                for p, x, y in paths(a.telephony.sip_server.model_dump(), b.telephony.sip_server.model_dump())
            )
        )
    if a.telephony and b.telephony and a.telephony.phones != b.telephony.phones:
        say(f"lab phones {a.telephony.phones} -> {b.telephony.phones}")
    if a.router != b.router:
        say(
            "router changed: "
            + ", ".join(
                f"{p} {_show(x)} -> {_show(y)}" for p, x, y in paths(a.router.model_dump(), b.router.model_dump())
            )
        )
    if a.display_name != b.display_name:
        say(f"display name {a.display_name!r} -> {b.display_name!r}")
    return out


def _spans(net: Network) -> dict[int, tuple[str, Span]]:
    return {span.id: (site.name, span) for site, span in net.spans(live_only=False)}


def span_changes(old: Network, new: Network) -> list[Change]:
    before, after = _spans(old), _spans(new)
    out = []
    for sid, (site, span) in sorted(after.items()):
        if sid not in before:
            out.append(Change("backbone", f"span {sid} added: {_span_text(span)}", new.file_of(site)))
    for sid, (site, span) in sorted(before.items()):
        if sid not in after:
            out.append(Change("backbone", f"span {sid} removed: {_span_text(span)}", old.file_of(site)))
    for sid in sorted(before.keys() & after.keys()):
        (_, a), (site, b) = before[sid], after[sid]
        if a == b:
            continue
        if a.fiber != b.fiber:
            text = (
                f"span {sid} is now **leased** from {b.provider}, circuit {b.circuit}"
                if b.fiber == "leased"
                else f"span {sid} is now **owned** fiber (was leased, circuit {a.circuit})"
            )
            out.append(Change("backbone", text, new.file_of(site)))
        rest = {k: v for k, v in b.model_dump().items() if k not in ("fiber",)}
        for path, x, y in paths({k: v for k, v in a.model_dump().items() if k != "fiber"}, rest):
            if a.fiber != b.fiber and path in ("provider", "circuit"):
                continue
            out.append(Change("backbone", f"span {sid}: {path} {_show(x)} -> {_show(y)}", new.file_of(site)))
    return out


def _neighbors(net: Network) -> dict[str, tuple[str, IxNeighbor]]:
    return {
        **{n.name: ("route server", n) for n in net.ix.route_servers},
        **{n.name: ("bilateral peer", n) for n in net.ix.peers},
    }


def ix_changes(old: Network, new: Network) -> list[Change]:
    before, after = _neighbors(old), _neighbors(new)
    file = new.file_of("ix")
    out = []
    for name, (kind, n) in after.items():
        if name not in before:
            out.append(Change("IX", f"IX {kind} **{name}** added: AS{n.asn}, {n.v4}, {n.v6}", file))
    for name, (kind, n) in before.items():
        if name not in after:
            out.append(Change("IX", f"IX {kind} **{name}** removed (AS{n.asn})", file))
    for name in before.keys() & after.keys():
        out += _generic("IX", file, before[name][1].model_dump(), after[name][1].model_dump(), f"{name}")
    rest = lambda ix: {k: v for k, v in ix.model_dump().items() if k not in ("route_servers", "peers")}  # noqa: E731
    return out + _generic("IX", file, rest(old.ix), rest(new.ix))


def syndicate_changes(old: Network, new: Network) -> list[Change]:
    file = new.file_of("syndicate")
    a, b = old.syndicate, new.syndicate
    out = [
        Change("syndicate", f"aggregate {p} added: announced at the IX", file)
        for p in b.aggregates
        if p not in a.aggregates
    ]
    out += [
        Change("syndicate", f"aggregate {p} removed: no longer announced", file)
        for p in a.aggregates
        if p not in b.aggregates
    ]
    da, db = a.model_dump(exclude={"aggregates"}), b.model_dump(exclude={"aggregates"})
    return out + _generic("syndicate", file, da, db)


def datacenter_changes(old: Network, new: Network) -> list[Change]:
    exclude = {"spans"}
    return _generic(
        "data center",
        new.file_of(new.datacenter.name),
        old.datacenter.model_dump(exclude=exclude),
        new.datacenter.model_dump(exclude=exclude),
        "datacenter",
    )


def inventory_changes(old: Network, new: Network) -> list[Change]:
    """Every change from ``old`` to ``new``: towns, spans, IX, data center, syndicate."""
    return (
        town_changes(old, new)
        + span_changes(old, new)
        + ix_changes(old, new)
        + datacenter_changes(old, new)
        + syndicate_changes(old, new)
    )
