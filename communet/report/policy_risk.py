"""Risk lines for segment policy and router protection, in plain words, from two firewall intents.

>>> from communet.design.firewall_intent import FlowRule, SegmentFilter
>>> def seg(*what):
...     rules = tuple(FlowRule("", "ipv4", what=w) for w in what)
...     return SegmentFilter("vlan40", "wifi", "", "", rules, (), True)
>>> segment_risks(seg("internet"), seg("internet", "own_town"))
['opens wifi to the other segments of its town']
>>> segment_risks(seg("internet", "own_town"), seg("internet"))
['closes wifi off from the other segments of its town']
"""

from __future__ import annotations

from communet.design.firewall_intent import Firewall, SegmentFilter
from communet.model.policy import MEANING


def _classes(seg: SegmentFilter) -> set[str]:
    return {r.what for r in seg.from_segment if r.what}


def _ports(seg: SegmentFilter) -> set[tuple[str, int, int]]:
    return {(p.protocol, p.first, p.last) for r in seg.from_segment for p in r.ports}


def segment_risks(a: SegmentFilter, b: SegmentFilter) -> list[str]:
    out = [f"opens {b.role} to {MEANING[w]}" for w in sorted(_classes(b) - _classes(a))]
    out += [f"closes {b.role} off from {MEANING[w]}" for w in sorted(_classes(a) - _classes(b))]
    if _ports(a) != _ports(b):
        out.append(f"changes the ports {b.role} may use" if _ports(b) else f"lets {b.role} use any port")
    if a.urpf and not b.urpf:
        out.append(f"stops checking the source addresses of {b.role} (uRPF off)")
    return out


def firewall_risks(a: Firewall | None, b: Firewall | None) -> list[str]:
    """What changes in who may reach what through this router, and in what it accepts itself."""
    if a is None or b is None:
        return ["adds a firewall" if b else "removes the firewall"] if a != b else []
    out: list[str] = []
    before = {s.interface: s for s in a.segments}
    for seg in b.segments:
        if seg.interface in before:
            out += segment_risks(before[seg.interface], seg)
    if a.protection != b.protection:
        out.append("changes what the router itself accepts (SSH, SNMP, BGP, OSPF, BFD)")
    return out
