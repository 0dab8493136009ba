"""The segment policy in the lab: the flow matrix and the spoofing check against real daemons,
and a router without its ruleset makes the matrix fail (the check can fail)."""

from __future__ import annotations

import pytest

from communet import ROOT
from communet.design import build_design
from communet.lab.firewall import NFT_FILE
from communet.lab.nodes import node_paths
from communet.lab.topology import build_topology
from communet.model.load import load_network
from communet.verify import policy_matrix as pm

NET = load_network(ROOT / "inventory")
INTENTS = build_design(NET)
pytestmark = pytest.mark.lab


def _failures(run) -> str:
    return "\n".join([*run.errors, *(f"{c.device} {c.name} {c.target}: {c.detail}" for c in run.failed())])


def test_lab_flow_matrix_and_spoofing_pass(lab_ctx) -> None:
    from communet.verify.run import verify

    run, _ = verify(lab_ctx, ("policy",))
    assert run.ok, _failures(run)
    names = {c.name for c in run.checks}
    assert {"allow ipv4", "allow ipv6", "deny ipv4", "deny ipv6"} <= names
    assert {"spoofed source dropped ipv4", "spoofed source dropped ipv6"} <= names
    flows = [c for c in run.checks if c.name.startswith(("allow", "deny"))]
    assert len(flows) == len(pm.matrix(NET, build_topology(NET)))


def test_lab_a_router_without_its_ruleset_fails_the_matrix(lab_ctx) -> None:
    from communet.verify.checks import policy

    every = pm.hosts(NET, build_topology(NET))
    source = next(h for h in pm.sources(NET, every) if not h.segment.datacenter)
    router, _ = pm.router_of(NET, source.segment)
    lab = lab_ctx.lab
    assert lab.run(router, ["nft", "delete", "table", "inet", "communet"]).returncode == 0
    try:
        checks = policy.flows(lab_ctx)
    finally:
        path = node_paths(lab.state, router).etc / NFT_FILE
        assert lab.run(router, ["nft", "-f", str(path)]).returncode == 0
    failed = [c for c in checks if not c.ok]
    assert failed and all(c.name.startswith("deny") for c in failed)
    assert source.segment.label in {c.device for c in failed}
