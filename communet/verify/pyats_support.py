"""What the aetest scripts in ``verify/`` share: set up a context from the pyATS testbed,
compute one group of checks, and turn each check into a looped test section.

The scripts stay thin: every expectation and check lives in ``communet.verify``.
"""

from __future__ import annotations

from typing import Any

from communet import ROOT
from communet.design import build_design
from communet.model.load import load_network
from communet.verify import registry
from communet.verify.collect import SshTransport, State
from communet.verify.lab_access import NEEDS_LAB
from communet.verify.results import Check
from communet.verify.run import Context, learn, make_context
from communet.verify.target import Overrides, resolve


def testbed_hosts(testbed: Any) -> tuple[dict[str, str], str | None]:
    """Management address of each device and the login user, as the pyATS testbed gives them."""
    hosts = {
        name: str(dev.connections["cli"]["ip"]) for name, dev in testbed.devices.items() if "cli" in dev.connections
    }
    creds = getattr(testbed, "credentials", None) or {}
    user = creds.get("default", {}).get("username") if hasattr(creds, "get") else None
    return hosts, user


def context_from_testbed(testbed: Any | None, transport: str = "ssh", target: str = "lab") -> Context:
    """A verify context on ``target``; routers reached at the testbed's addresses when given."""
    net = load_network(ROOT / "inventory")
    intents = build_design(net)
    where = resolve(target, net, intents, Overrides())
    ctx = make_context(net, intents, where, transport)
    if testbed is not None and transport == "ssh":
        hosts, user = testbed_hosts(testbed)
        ctx.transport = SshTransport(hosts, user or where.user, where.key, where.known_hosts)
    return ctx


def common_setup(section: Any, testbed: Any | None, learn_state: bool = True) -> None:
    """Put ``ctx`` and ``state`` in the script's parameters (unless the caller passed them)."""
    params = section.parent.parameters
    if "ctx" not in params:
        params["ctx"] = context_from_testbed(testbed, params.get("transport", "ssh"), params.get("target", "lab"))
    if "state" not in params:
        state: State = {}
        if learn_state:
            state, errors = learn(params["ctx"])
            if errors:
                section.failed("could not collect: " + "; ".join(errors[:5]))
        params["state"] = state


def uids(checks: list[Check]) -> list[str]:
    """Unique, readable section names: device and target."""
    seen: dict[str, int] = {}
    out = []
    for c in checks:
        base = f"{c.name}: {c.device} {c.target}"
        seen[base] = seen.get(base, 0) + 1
        out.append(base if seen[base] == 1 else f"{base} #{seen[base]}")
    return out


def loop_checks(section: Any, test: Any, group: str, ctx: Context, state: State) -> None:
    """Compute ``group``'s checks and loop ``test`` over them, one section per check."""
    from pyats import aetest

    spec = registry.get(group)
    if spec.needs_lab and ctx.lab is None:
        section.failed(f"{group}: {NEEDS_LAB}")
    checks = spec.run(ctx, state)
    if not checks:
        section.failed(f"no {group} checks ran: a group with nothing to check is not a pass")
    aetest.loop.mark(test, uids=uids(checks), check=checks)


def verdict(section: Any, check: Check) -> None:
    if check.ok:
        section.passed(check.detail)
    else:
        section.failed(check.detail or "failed")


def close(ctx: Context | None) -> None:
    if ctx is not None:
        ctx.transport.close()
