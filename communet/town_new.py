"""``communet town new``: a new town's file with the next free ids, ready to edit.

Ids follow the inventory's own convention when it has one (router id = site id +
a constant offset, as in the example), else take the next free number. The file is
checked with every other inventory check before it is written, so what lands on
disk always loads.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from communet.errors import InventoryError, Problem
from communet.model.checks import check_network
from communet.model.load import HINTS, dotted
from communet.model.network import Network
from communet.model.site import Town


@dataclass(frozen=True, slots=True)
class NewIds:
    site: int
    router: int
    sip: int
    spans: tuple[int, ...]
    extensions: tuple[int, int]


@dataclass(frozen=True, slots=True)
class NewTown:
    path: Path
    text: str
    town: Town
    todo: tuple[str, ...] = field(default=())


def device_ids(net: Network) -> set[int]:
    used = {r.id for r in net.datacenter.routers} | {t.router.id for t in net.towns}
    return used | {t.telephony.sip_server.id for t in net.towns if t.telephony}


def _by_convention(pairs: list[tuple[int, int]], site: int, used: set[int], floor: int) -> int:
    """``site + offset`` when every existing pair keeps one offset and it is free; else the next free id."""
    offsets = {dev - s for s, dev in pairs}
    if len(offsets) == 1 and (candidate := site + offsets.pop()) not in used and candidate >= 1:
        return candidate
    candidate = max((dev for _, dev in pairs), default=floor) + 1
    while candidate in used:
        candidate += 1
    return candidate


def next_extensions(net: Network) -> tuple[int, int]:
    """The next range after the highest in use, as wide as the most common range."""
    ranges = [t.telephony.extensions for t in net.towns if t.telephony]
    if not ranges:
        return 1000, 1099
    size = Counter(r.last - r.first + 1 for r in ranges).most_common(1)[0][0]
    first = -(-(max(r.last for r in ranges) + 1) // size) * size
    return first, first + size - 1


def next_ids(net: Network, span_count: int = 1) -> NewIds:
    site = max(s.id for s in net.sites) + 1
    used = device_ids(net)
    router = _by_convention([(t.id, t.router.id) for t in net.towns], site, used, 10)
    used.add(router)
    sip = _by_convention([(t.id, t.telephony.sip_server.id) for t in net.towns if t.telephony], site, used, 30)
    first_span = max((sp.id for _, sp in net.spans(live_only=False)), default=0) + 1
    return NewIds(site, router, sip, tuple(range(first_span, first_span + span_count)), next_extensions(net))


def free_port(net: Network, device: str, also: set[int] | None = None) -> int:
    used = set(also or ())
    used |= {e.port for _, sp in net.spans(live_only=False) for e in (sp.local, sp.remote) if e.device == device}
    used |= {net.ix.port.port} if net.ix.port.device == device else set()
    return min(p for p in range(1, 64) if p not in used)


def default_segments(net: Network) -> list[str]:
    """Every segment role numbered from the site block (public ones belong to the data center)."""
    return [name for name, role in net.syndicate.segment_roles.items() if role.pool_v4 == "site"]


def town_text(
    net: Network,
    name: str,
    display: str,
    phase: str,
    segments: list[str],
    telephony: bool,
    span_to: list[str],
    length_km: float,
) -> str:
    ids = next_ids(net, max(1, len(span_to)))
    hostname = f"{name}-r1"
    lines = [
        f"# {display}: written by `communet town new` with the next free ids. Check every value.",
        f"id: {ids.site}",
        f"name: {name}",
        f"display_name: {display}",
        f"phase: {phase}                # planned: kept out of configs; staged, then active, once its span is lit",
        f"router: {{id: {ids.router}, hostname: {hostname}, platform: frr}}",
        f"segments: [{', '.join(segments)}]",
    ]
    if telephony:
        first, last = ids.extensions
        lines += ["telephony:", f"  extensions: {{first: {first}, last: {last}}}", f"  sip_server: {{id: {ids.sip}}}"]
    if span_to:
        lines.append("spans:")
        for n, (span_id, remote) in enumerate(zip(ids.spans, span_to, strict=True), start=1):
            lines += [
                f"  - id: {span_id}",
                f"    local: {{device: {hostname}, port: {n}}}",
                f"    remote: {{device: {remote}, port: {free_port(net, remote)}}}",
                "    fiber: owned          # leased: add provider and circuit",
                f"    length_km: {length_km:g}",
            ]
    else:
        lines += [
            "spans: []",
            "# Connect the town: replace `spans: []` with its span(s), for example:",
            "# spans:",
            f"#   - id: {ids.spans[0]}",
            f"#     local: {{device: {hostname}, port: 1}}",
            "#     remote: {device: ROUTER, port: FREE-PORT}",
            "#     fiber: owned          # leased: add provider and circuit",
            "#     length_km: 1.0",
        ]
    return "\n".join(lines) + "\n"


def _problem(path: str, key: str, message: str, hint: str) -> InventoryError:
    return InventoryError([Problem(path, key, message, hint)])


def new_town(
    net: Network,
    inventory: Path,
    name: str,
    display: str = "",
    phase: str = "planned",
    segments: list[str] | None = None,
    telephony: bool | None = None,
    span_to: list[str] | None = None,
    length_km: float = 1.0,
) -> NewTown:
    """Build and check a new town's file (not written). Raises InventoryError naming what is wrong."""
    path = inventory / "towns" / f"{name}.yml"
    rel = f"{inventory.name}/towns/{name}.yml"
    if path.exists() or any(t.name == name for t in net.towns):
        raise _problem(rel, "name", f"town {name!r} already exists", "pick another name")
    segments = segments if segments is not None else default_segments(net)
    telephony = "voice" in segments if telephony is None else telephony
    span_to = span_to or []
    text = town_text(
        net, name, display or name.replace("-", " ").title(), phase, segments, telephony, span_to, length_km
    )
    try:
        town = Town.model_validate(yaml.safe_load(text))
    except ValidationError as exc:
        raise InventoryError(
            [
                Problem(
                    rel,
                    dotted(e["loc"]),
                    e["msg"].removeprefix("Value error, "),
                    HINTS.get(e["type"], "check the name and options"),
                )
                for e in exc.errors(include_url=False)
            ]
        ) from None
    candidate = Network(net.syndicate, net.datacenter, net.ix, (*net.towns, town), {**net.files, name: rel}, net.root)
    problems = check_network(candidate)  # the inventory passed before: any problem is the new town's
    if problems:
        raise InventoryError(problems)
    return NewTown(path, text, town, tuple(todo(town, span_to)))


def todo(town: Town, span_to: list[str]) -> list[str]:
    out = []
    if not span_to:
        out.append(
            f"connect it: add the span(s) to {town.router.hostname} under `spans:` (which router, which "
            "ports, owned or leased with provider and circuit); one span is a spur, two make a ring"
        )
    else:
        out.append("check the span(s): ports, length, owned or leased (leased needs provider and circuit)")
    out.append(f"its phase: {town.phase} now; `staged` renders and deploys it, `active` once it is in service")
    out.append(f"its segments ({', '.join(town.segments)}) and, with telephony, its extension range")
    out.append("then: communet validate && communet render && communet docs && communet report change --against HEAD")
    return out
