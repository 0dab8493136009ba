"""The FRR routers' nftables files: rendered beside frr.conf and accepted by nftables' own checker."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from communet import ROOT
from communet.checkers import Checked, CheckerMissing
from communet.design import build_design
from communet.design.intent import RouterIntent
from communet.model.load import load_network
from communet.platforms import platform
from communet.render import jinja_env, outputs, render_intent

INTENTS = build_design(load_network(ROOT / "inventory"))
FRR = [i for i in INTENTS.values() if isinstance(i, RouterIntent) and i.platform == "frr"]


def check(path: Path) -> Checked:
    """The checker the platform record names for its nftables companion (``nft -c -f``)."""
    (companion,) = platform("frr").companions
    try:
        result: Checked = companion.check()(path)
    except CheckerMissing as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(str(exc))
        pytest.skip(str(exc))
    return result


def test_every_frr_router_has_an_nftables_file() -> None:
    assert FRR
    for intent in FRR:
        names = [o.file for o in outputs(intent)]
        assert names == [f"{intent.hostname}.conf", f"{intent.hostname}.nft"]
        assert (ROOT / "configs" / names[1]).is_file(), f"configs/{names[1]} missing: run communet render"


def test_only_frr_routers_get_one() -> None:
    for intent in INTENTS.values():
        extra = [o for o in outputs(intent) if o.file.endswith(".nft")]
        assert bool(extra) == (isinstance(intent, RouterIntent) and intent.platform == "frr")


@pytest.mark.parametrize("intent", FRR, ids=[i.hostname for i in FRR])
def test_nft_accepts_the_rendered_file(intent: RouterIntent, tmp_path: Path) -> None:
    """``nft -c -f``: the offline check deploy runs before it applies the file."""
    path = tmp_path / f"{intent.hostname}.nft"
    path.write_text(render_intent(jinja_env(), intent, template="frr/nftables.j2"), encoding="utf-8")
    result = check(path)
    assert result.ok, result.output


def test_nft_refuses_a_broken_file(tmp_path: Path) -> None:
    """The checker is real: a ruleset with a typo fails it."""
    text = render_intent(jinja_env(), FRR[0], template="frr/nftables.j2").replace("policy drop;", "policy dorp;")
    path = tmp_path / "broken.nft"
    path.write_text(text, encoding="utf-8")
    assert not check(path).ok


def test_the_file_replaces_only_its_own_table() -> None:
    """Atomic and local: it deletes and recreates ``table inet communet``, never the whole ruleset."""
    text = (ROOT / "configs" / f"{FRR[0].hostname}.nft").read_text(encoding="utf-8")
    assert "flush ruleset" not in text
    table = FRR[0].firewall.table if FRR[0].firewall else ""
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    assert lines[:3] == [f"table inet {table}", f"delete table inet {table}", f"table inet {table} {{"]


@pytest.mark.parametrize("intent", FRR, ids=[i.hostname for i in FRR])
def test_each_segment_policy_runs_before_any_inbound_rule(intent: RouterIntent) -> None:
    """An accept in a jumped chain is final: a segment's own ``from_`` chain must come before
    the destination's ``to_`` chain, or a flow between two segments skips its source's policy."""
    text = (ROOT / "configs" / f"{intent.hostname}.nft").read_text(encoding="utf-8")
    forward = text.split("chain forward {", 1)[1].split("}", 1)[0].splitlines()
    jumps = [line.split()[0] for line in forward if " jump " in line]
    assert jumps == sorted(jumps, key=lambda word: word != "iifname")
