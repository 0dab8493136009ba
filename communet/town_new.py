"""``communet town new``: a new town's file with the next free ids, ready to edit.

Ids follow the inventory's own convention when it has one (router id = site id +
a constant offset, as in the example), else take the next free number; spans take
the first free ids. The hostname pattern and the platform follow the other towns.
The name is checked against every name the inventory holds, the file is written
by a YAML emitter (a display name with ``: `` or `` #`` or ``yes`` reads back as
written), and the town is checked with every other inventory check before it is
written, so what lands on disk always loads.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError

from communet.errors import InventoryError, Problem
from communet.model.checks import check_network
from communet.model.load import HINTS, dotted
from communet.model.network import Network
from communet.model.policy import telephony_role
from communet.model.site import Town
from communet.model.text import Name, machine_name


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
    spans = first_free({sp.id for _, sp in net.spans(live_only=False)}, span_count)
    return NewIds(site, router, sip, spans, next_extensions(net))


def free_port(net: Network, device: str, also: set[int] | None = None) -> int:
    used = set(also or ())
    used |= {e.port for _, sp in net.spans(live_only=False) for e in (sp.local, sp.remote) if e.device == device}
    used |= {p.port for p in net.ix.edge_ports if p.device == device}
    return min(p for p in range(1, 64) if p not in used)


def default_segments(net: Network) -> list[str]:
    """Every segment role numbered from the site block (public ones belong to the data center)."""
    return [name for name, role in net.syndicate.segment_roles.items() if role.pool_v4 == "site"]


def first_free(used: set[int], count: int) -> tuple[int, ...]:
    """The ``count`` smallest ids from 1 that ``used`` does not hold.

    >>> first_free({1, 2, 4}, 2)
    (3, 5)
    """
    out: list[int] = []
    candidate = 1
    while len(out) < count:
        if candidate not in used:
            out.append(candidate)
        candidate += 1
    return tuple(out)


def hostname_suffix(net: Network) -> str:
    """The inventory's own hostname pattern: what every town router adds to its town's name."""
    suffixes = Counter(
        t.router.hostname.removeprefix(t.name) for t in net.towns if t.router.hostname.startswith(t.name)
    )
    return suffixes.most_common(1)[0][0] if suffixes else "-r1"


def default_platform(net: Network) -> str:
    """The platform most town routers run."""
    counts = Counter(t.router.platform for t in net.towns)
    return counts.most_common(1)[0][0] if counts else "frr"


def names_in_use(net: Network) -> dict[str, str]:
    """Every name the inventory holds (sites, files, devices, IX neighbors) -> what holds it."""
    used: dict[str, str] = {name: f"the file {file}" for name, file in net.files.items()}
    used["datacenter"] = "the file datacenter.yml"
    used[net.datacenter.name] = "the data center"
    for _, router in net.routers(live_only=False):
        used.setdefault(router.hostname, f"the router {router.hostname}")
    for town in net.towns:
        used.setdefault(town.name, f"the town {town.name}")
        if town.telephony:
            used.setdefault(town.sip_hostname, f"the SIP server of {town.name}")
    for neighbor in (*net.ix.route_servers, *net.ix.peers):
        used.setdefault(neighbor.name, f"the IX neighbor {neighbor.name}")
    return used


def town_data(
    net: Network,
    name: str,
    display: str,
    phase: str,
    segments: list[str],
    telephony: bool,
    span_to: list[str],
    length_km: float,
) -> dict[str, Any]:
    """The new town as plain data, in the order the inventory's own files keep."""
    ids = next_ids(net, max(1, len(span_to)))
    hostname = f"{name}{hostname_suffix(net)}"
    data: dict[str, Any] = {
        "id": ids.site,
        "name": name,
        "display_name": display,
        "phase": phase,
        "router": {"id": ids.router, "hostname": hostname, "platform": default_platform(net)},
        "segments": list(segments),
    }
    if telephony:
        first, last = ids.extensions
        data["telephony"] = {"extensions": {"first": first, "last": last}, "sip_server": {"id": ids.sip}}
    data["spans"] = [
        {
            "id": span_id,
            "local": {"device": hostname, "port": n},
            "remote": {"device": remote, "port": free_port(net, remote)},
            "fiber": "owned",
            "length_km": length_km,
        }
        for n, (span_id, remote) in enumerate(zip(ids.spans[: len(span_to)], span_to, strict=True), start=1)
    ]
    return data


HEADER = (
    "# Written by `communet town new` with the next free ids. Check every value.\n"
    "# phase: planned keeps it out of configs; staged, then active, once its span is lit.\n"
    "# A leased span needs fiber: leased, provider and circuit.\n"
)


def town_text(data: dict[str, Any]) -> str:
    """The file's text: written by a YAML emitter, so every value reads back as written."""
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=1000)
    hint = ""
    if not data["spans"]:
        hint = "# Connect the town: add its span(s) under spans, each with id, local, remote, fiber, length_km.\n"
    return HEADER + hint + body


def _problem(path: str, key: str, message: str, hint: str) -> InventoryError:
    return InventoryError([Problem(path, key, message, hint)])


def _check_name(net: Network, name: str) -> None:
    try:
        TypeAdapter(Name).validate_python(name)
    except ValidationError as exc:
        message = exc.errors(include_url=False)[0]["msg"].removeprefix("Value error, ")
        raise _problem("town new", "name", message, "pass the name as lowercase words joined by dashes") from None
    holder = names_in_use(net).get(name)
    if holder:
        raise _problem("town new", "name", f"{name!r} already exists: {holder}", "pick another name")


def resolve_name(name: str, display: str) -> tuple[str, str]:
    """(machine name, display name): the name is given, or derived from the display name."""
    if not name and not display:
        raise _problem("town new", "name", "no name given", "pass NAME, or --display-name to derive it from")
    name = name or machine_name(display)
    return name, display or name.replace("-", " ").title()


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
    name, display = resolve_name(name, display)
    _check_name(net, name)
    path = inventory / "towns" / f"{name}.yml"
    rel = f"{inventory.name}/towns/{name}.yml"
    if path.exists() or path.is_symlink():
        raise _problem(rel, "name", f"town {name!r} already exists", "pick another name")
    segments = segments if segments is not None else default_segments(net)
    telephony = telephony_role(net.syndicate) in segments if telephony is None else telephony
    span_to = span_to or []
    data = town_data(net, name, display, phase, segments, telephony, span_to, length_km)
    text = town_text(data)
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
