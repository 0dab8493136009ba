"""A verify run: learn the state, check each family, measure the time each takes."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

from communet.design import Intent
from communet.model.network import Network
from communet.verify import expect, frr_json, registry
from communet.verify.checks import backbone, ix
from communet.verify.collect import State, Transport, collect, make_transport
from communet.verify.expect import Expectations
from communet.verify.lab_access import NEEDS_LAB, Lab, member_routes, required
from communet.verify.results import Run
from communet.verify.target import Target

Progress = Callable[[str], None]


@dataclass
class Context:
    """Everything a run needs: the model, its expectations, the transport; the lab when it is the target."""

    net: Network
    intents: dict[str, Intent]
    exp: Expectations
    lab: Lab | None
    transport: Transport
    bad_prefixes: dict[str, str] = field(default_factory=dict)  # what -> prefix, as the lab's member sends
    registered: list[str] = field(default_factory=list)  # what the bilateral peers registered
    workers: int = 8
    say: Progress = lambda _: None


def plan(exp: Expectations) -> dict[str, dict[str, str]]:
    """Device -> key -> FRR command: the same for every router, more for each IX edge."""
    out = {r: dict(frr_json.COMMANDS) for r in exp.routers}
    for edge in exp.edges:
        out[edge].update(ix.edge_commands(exp, edge))
    return out


def learn(ctx: Context) -> tuple[State, list[str]]:
    return collect(ctx.transport, plan(ctx.exp), ctx.workers)


def ping_all(ctx: Context, targets: dict[str, list[str]], count: int = 2, wait_s: float = 1) -> backbone.Pings:
    """Pings from each source router to its targets, all sources at once (``count`` tries, ``wait_s`` each)."""
    exp = ctx.exp

    lab = required(ctx.lab)

    def one(src: str) -> dict[tuple[str, str], bool]:
        got = lab.ping_many(src, exp.sources[src], exp.sources_v6[src], targets[src], count, wait_s)
        return {(src, a): ok for a, ok in got.items()}

    out: backbone.Pings = {}
    with ThreadPoolExecutor(max_workers=max(1, min(ctx.workers, len(targets)))) as pool:
        for part in pool.map(one, sorted(targets)):
            out.update(part)
    return out


def runnable(ctx: Context, group: registry.Group) -> bool:
    return ctx.lab is not None or not group.needs_lab


def verify(ctx: Context, families: tuple[str, ...] | None = None) -> tuple[Run, State]:
    """Run the checks of ``families`` (default: all); return the run and the state learned at its start.

    Groups that need the lab are listed as not run when the target is not the lab. A family
    asked for by name must yield checks, and so must every default family that could run:
    a family with no checks is an error, never a pass.
    """
    asked = families is not None
    families = registry.families() if families is None else families
    t0 = time.monotonic()
    run = Run(started=datetime.now(UTC).isoformat(timespec="seconds"))
    state: State = {}
    if any(g.reads_state and runnable(ctx, g) for f in families for g in registry.of_family(f)):
        ctx.say("collecting state from every router")
        state, errors = learn(ctx)
        run.errors += errors
        run.seconds["collect"] = round(time.monotonic() - t0, 2)
    for family in families:
        groups = registry.of_family(family)
        skipped = [g for g in groups if not runnable(ctx, g)]
        run.not_run += [f"{family} {g.name}: {NEEDS_LAB}" for g in skipped]
        if not asked and len(skipped) == len(groups):
            continue
        ctx.say(f"checking {family}")
        t = time.monotonic()
        for group in groups:
            if group in skipped:
                continue
            try:
                run.checks += group.run(ctx, state)
            except Exception as exc:  # a group that cannot run is reported, the others still run
                run.errors.append(f"{family} {group.name}: {exc}")
        run.seconds[family] = round(time.monotonic() - t, 2)
        if not any(c.family == family for c in run.checks):
            run.errors.append(f"{family}: no checks ran" + (f" ({NEEDS_LAB})" if skipped else ""))
    run.seconds["total"] = round(time.monotonic() - t0, 2)
    return run, state


def make_context(
    net: Network, intents: dict[str, Intent], target: Target, transport: str = "ssh", say: Progress | None = None
) -> Context:
    """A context for ``net`` on ``target`` (the lab or a network), reaching routers by ``transport`` (ssh or lab)."""
    bad, good = member_routes(net)
    lab = Lab(target.lab_state, net) if target.lab_state is not None else None
    ctx = Context(
        net,
        intents,
        expect.build(net, intents),
        lab,
        make_transport(transport, target, lab),
        bad_prefixes=bad,
        registered=good,
    )
    if say is not None:
        ctx.say = say
    return ctx
