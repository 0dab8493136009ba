"""Segment policy as data: per segment role, which destination classes it may reach.

A role's behaviour comes from what it declares in ``syndicate.yml`` (``telephony: true``
on its segment role, ``reach`` and ``ports`` under ``segment_policy``), never from its
name. A role without a ``segment_policy`` entry reaches nothing beyond its own segment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, get_args

from pydantic import Field

from communet.model.base import Model

if TYPE_CHECKING:
    from communet.model.syndicate import SegmentRole, Syndicate

#: Where a segment's traffic may go, relative to the segment it starts on.
Destination = Literal[
    "same_segment",  # hosts of the segment itself (switched, not routed)
    "own_town",  # the other segments of its own town
    "same_role",  # the segment of the same role in every other site
    "datacenter",  # the data center's segments (its services)
    "sip_servers",  # every SIP server
    "internet",  # anything outside the syndicate's own space
    "router_management",  # SSH and SNMP on the routers
]
DESTINATIONS: tuple[str, ...] = get_args(Destination)

#: What each destination class means, in plain words (docs, reports, hints).
MEANING: dict[str, str] = {
    "same_segment": "its own segment",
    "own_town": "the other segments of its town",
    "same_role": "the same role in other towns",
    "datacenter": "data-center services",
    "sip_servers": "the SIP servers",
    "internet": "the internet",
    "router_management": "router management (SSH, SNMP)",
}


class RolePolicy(Model):
    """What a segment of this role may open connections to; replies always pass."""

    reach: list[Destination] = Field(default_factory=list, description="destination classes it may reach")
    ports: Literal["any", "telephony"] = Field(
        "any", description="telephony: only SIP and RTP (telephony.qos ports), no other protocol"
    )


def telephony_roles(syn: Syndicate) -> list[str]:
    """Roles that declare ``telephony: true`` (valid inventories have at most one)."""
    return [name for name, role in syn.segment_roles.items() if role.telephony]


def telephony_role(syn: Syndicate) -> str | None:
    """The role whose segments carry phones and SIP servers, if any declares it."""
    roles = telephony_roles(syn)
    return roles[0] if roles else None


def telephony_spec(syn: Syndicate) -> SegmentRole:
    """The telephony role's spec; LookupError when none declares it (validation reports that first)."""
    name = telephony_role(syn)
    if name is None:
        raise LookupError("no segment role declares telephony: true")
    return syn.segment_roles[name]


def role_policy(syn: Syndicate, role: str) -> RolePolicy:
    """The declared policy of ``role``; an undeclared role reaches only its own segment."""
    return syn.segment_policy.get(role) or RolePolicy(reach=["same_segment"])
