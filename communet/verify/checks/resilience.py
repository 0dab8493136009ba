"""Resilience: cut each ring span in turn; every town must stay reachable and a call must still
complete; restore it and check the adjacency comes back. One span at a time, convergence
waited for by polling, never by a fixed sleep.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from communet.verify import frr_json as fj
from communet.verify.expect import Expectations, SpanLink
from communet.verify.lab_access import required
from communet.verify.results import Check, check

if TYPE_CHECKING:
    from communet.verify.run import Context

FAMILY = "resilience"
CONVERGE_S = 20.0
RECOVER_S = 30.0
T = TypeVar("T")


def poll(probe: Callable[[], tuple[bool, T]], timeout: float, interval: float = 0.2) -> tuple[bool, T, float]:
    """Call ``probe`` until it says ok or ``timeout`` passes; return (ok, last value, seconds)."""
    t0 = time.monotonic()
    while True:
        ok, value = probe()
        took = time.monotonic() - t0
        if ok or took > timeout:
            return ok, value, took
        time.sleep(interval)


def loopback_plan(exp: Expectations) -> dict[str, list[str]]:
    """Each town router -> every other town router's loopbacks (both families)."""
    return {
        src: sorted(t.address for t in exp.targets if t.what == "loopback" and t.router != src) for src in exp.sources
    }


#: One probe of a poll: one try per address, answered within this many seconds (the poll tries again).
PROBE_WAIT_S = 0.3


def unreachable(ctx: Context) -> tuple[bool, list[str]]:
    from communet.verify.run import ping_all

    pings = ping_all(ctx, loopback_plan(ctx.exp), count=1, wait_s=PROBE_WAIT_S)
    lost = sorted(f"{src}->{addr}" for (src, addr), ok in pings.items() if not ok)
    return not lost, lost


def adjacency_up(ctx: Context, span: SpanLink) -> tuple[bool, str]:
    """OSPFv2 and v3 Full across the span, seen from both ends."""
    missing = []
    for router, port in ((span.a, span.a_port), (span.b, span.b_port)):
        for cmd, reader in (("ospf", fj.ospf_neighbors), ("ospf6", fj.ospf6_neighbors)):
            command = fj.COMMANDS[cmd]
            try:
                seen = reader(fj.loads(command, ctx.transport.show(router, command)))
            except Exception as exc:  # an unreachable router is a not-yet-recovered one
                missing.append(f"{router}: {exc}")
                continue
            if not any(n.interface == port and n.full for n in seen):
                missing.append(f"{router} {cmd} on {port}")
    return not missing, ", ".join(missing)


def _lost(lost: list[str]) -> str:
    return f"unreachable: {', '.join(lost[:6])}{' ...' if len(lost) > 6 else ''}"


def one_span(ctx: Context, span: SpanLink) -> list[Check]:
    from communet.verify.checks.telephony import place_call

    out = []
    ctx.say(f"cutting {span.label}")
    required(ctx.lab).set_span(span, up=False)
    try:
        ok, lost, took = poll(lambda: unreachable(ctx), CONVERGE_S)
        out.append(
            check(
                FAMILY,
                "all towns reachable, span cut",
                span.a,
                span.label,
                ok,
                f"converged in {took:.1f} s" if ok else _lost(lost),
            )
        )
        if ctx.exp.calls:
            out.append(place_call(ctx, ctx.exp.calls[0], FAMILY, f"call with span {span.id} cut"))
    finally:
        required(ctx.lab).set_span(span, up=True)
    ok, missing, took = poll(lambda: adjacency_up(ctx, span), RECOVER_S)
    out.append(
        check(
            FAMILY,
            "adjacency back, span restored",
            span.a,
            span.label,
            ok,
            f"full again in {took:.1f} s" if ok else f"still down: {missing}",
        )
    )
    ok, lost, took = poll(lambda: unreachable(ctx), CONVERGE_S)
    out.append(
        check(
            FAMILY,
            "all towns reachable, span restored",
            span.a,
            span.label,
            ok,
            f"in {took:.1f} s" if ok else _lost(lost),
        )
    )
    return out


def all_checks(ctx: Context, spans: tuple[SpanLink, ...] | None = None) -> list[Check]:
    out = []
    for span in ctx.exp.ring if spans is None else spans:
        out += one_span(ctx, span)
    return out
