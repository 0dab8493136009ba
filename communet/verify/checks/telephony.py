"""Telephony: every phone registers with its town's SIP server; a call between every pair of
towns with telephony completes (INVITE, 200, ACK, BYE), through both towns' SIP servers.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from communet.verify.expect import Call
from communet.verify.lab_access import required
from communet.verify.results import Check, check

if TYPE_CHECKING:
    from communet.verify.run import Context

FAMILY = "telephony"


def registrations(ctx: Context) -> list[Check]:
    out = []
    for phone in ctx.exp.phones:
        ok, detail = required(ctx.lab).register(phone)
        out.append(check(FAMILY, "phone registers", phone.sip_server, f"{phone.town} {phone.extension}", ok, detail))
    return out


def place_call(ctx: Context, call: Call, family: str = FAMILY, name: str = "call completes") -> Check:
    ok, detail = required(ctx.lab).call(call)
    return check(
        family,
        name,
        call.caller_town,
        f"{call.caller} ({call.caller_town}) -> {call.callee} ({call.callee_town})",
        ok,
        detail,
    )


def calls(ctx: Context) -> list[Check]:
    """Calls from different towns run at once; one phone places its calls one after another."""
    by_caller: dict[tuple[str, int], list[Call]] = {}
    for c in ctx.exp.calls:
        by_caller.setdefault((c.caller_town, c.caller), []).append(c)
    with ThreadPoolExecutor(max_workers=max(1, min(4, len(by_caller)))) as pool:
        parts = list(pool.map(lambda group: [place_call(ctx, c) for c in group], by_caller.values()))
    return [c for part in parts for c in part]


def all_checks(ctx: Context) -> list[Check]:
    return registrations(ctx) + calls(ctx)
