"""Checks of the segment policy against the rest of ``syndicate.yml``."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from communet.model.checks import _Reporter
    from communet.model.network import Network


def check_policy(net: Network, r: _Reporter) -> None:
    """A policy names known roles only; at most one role declares telephony."""
    syn = net.syndicate
    roles = ", ".join(sorted(syn.segment_roles))
    for name in syn.segment_policy:
        if name not in syn.segment_roles:
            r.add(
                "syndicate",
                ("segment_policy", name),
                f"policy for unknown segment role {name!r}",
                f"name one of segment_roles: {roles}",
            )
    declared = [name for name, role in syn.segment_roles.items() if role.telephony]
    for name in declared[1:]:
        r.add(
            "syndicate",
            ("segment_roles", name, "telephony"),
            f"{name!r} declares telephony, as {declared[0]!r} already does",
            "phones and SIP servers live on one segment role: keep telephony: true on one",
        )
