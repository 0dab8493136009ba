"""Which devices a deploy touches and in which waves.

``--limit`` keeps the devices of the named sites (towns, the data center) or the named
devices. A canary (a site or a device) forms wave 1; the rest follow in waves of
``wave_size`` devices (one wave when not given). A wave with a failure stops the deploy.

>>> plan_waves(["a", "b", "c", "d"], canary=["c"], wave_size=2)
[['c'], ['a', 'b'], ['d']]
>>> plan_waves(["a", "b", "c"])
[['a', 'b', 'c']]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from communet.inventories import Device

T = TypeVar("T")


class PlanError(ValueError):
    """A ``--limit`` or ``--canary`` names nothing that exists."""


def split_names(values: Sequence[str]) -> list[str]:
    """``["a,b", "c"]`` -> ``["a", "b", "c"]``."""
    return [n.strip() for v in values for n in v.split(",") if n.strip()]


def select(devices: Sequence[Device], names: Sequence[str], option: str = "--limit") -> list[Device]:
    """The devices named, or belonging to a site named, in design order."""
    wanted = split_names(names)
    known = {d.name for d in devices} | {d.site for d in devices}
    unknown = [n for n in wanted if n not in known]
    if unknown:
        sites = sorted({d.site for d in devices})
        raise PlanError(
            f"{option}: unknown site or device {', '.join(map(repr, unknown))}; "
            f"hint: use a live site ({', '.join(sites)}) or a device name (communet inventory nornir)"
        )
    return [d for d in devices if d.name in wanted or d.site in wanted]


def plan_waves(items: Sequence[T], canary: Sequence[T] = (), wave_size: int | None = None) -> list[list[T]]:
    """Wave 1 the canary (when any), then the rest in order, ``wave_size`` at a time."""
    if wave_size is not None and wave_size < 1:
        raise PlanError("--wave-size must be at least 1")
    first = [i for i in items if i in canary]
    rest = [i for i in items if i not in canary]
    size = wave_size or max(len(rest), 1)
    waves = [first] if first else []
    waves += [rest[i : i + size] for i in range(0, len(rest), size)]
    return waves
