"""Valid-looking variants of the example render safely: copy it, change some keys, load, render.

A change is ``(file, dotted.path, value)``; ``DELETE`` as the value removes the key. Values
a test needs are read from the loaded example (never typed), so a variant stays valid
when the example changes.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest
import yaml

from communet import ROOT
from communet.design import RouterIntent, build_design
from communet.model.load import load_network
from communet.model.network import Network
from communet.render import jinja_env, render_intent

DELETE = object()
Change = tuple[str, str, Any]


def _key(part: str) -> str | int:
    return int(part) if part.isdigit() else part


def _apply(data: Any, path: str, value: Any) -> None:
    parts = [_key(p) for p in path.split(".")]
    node = data
    for part in parts[:-1]:
        node = node[part]
    if value is DELETE:
        del node[parts[-1]]
    else:
        node[parts[-1]] = value


def variant_dir(tmp_path: Path, changes: Iterable[Change]) -> Path:
    inventory = tmp_path / "inventory"
    shutil.copytree(ROOT / "inventory", inventory)
    for file, path, value in changes:
        target = inventory / file
        data = yaml.safe_load(target.read_text(encoding="utf-8"))
        _apply(data, path, value)
        target.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return inventory


def variant(tmp_path: Path, changes: Iterable[Change]) -> Network:
    """The example with ``changes`` applied, loaded and validated."""
    return load_network(variant_dir(tmp_path, changes))


EXAMPLE = load_network(ROOT / "inventory")


def _routers(net: Network, platform: str | None = None) -> dict[str, RouterIntent]:
    return {k: v for k, v in build_design(net, platform).items() if isinstance(v, RouterIntent)}


def _only_family(prefixes: list[str], version: int) -> list[str]:
    return [p for p in prefixes if (":" in p) == (version == 6)]


def _peer_prefixes(version: int | None) -> list[str]:
    registered = [str(p) for p in EXAMPLE.ix.peers[0].prefixes]
    return [] if version is None else _only_family(registered, version)


@pytest.mark.parametrize("kept", [4, 6, None], ids=["v4-only", "v6-only", "nothing"])
def test_family_with_nothing_registered_is_denied(tmp_path: Path, kept: int | None) -> None:
    """An empty prefix-list is permit-all in FRR and IOS-XE and undefined in JunOS: none is rendered."""
    net = variant(tmp_path, [("ix.yml", "peers.0.prefixes", _peer_prefixes(kept))])
    edge = _routers(net)[net.ix.port.device]
    peer = net.ix.peers[0]
    assert all(p.entries for p in edge.prefix_lists)
    names = {p.name for p in edge.prefix_lists}
    for rmap in edge.route_maps:
        assert all(e.match_prefix_list in names for e in rmap.entries if e.match_prefix_list), rmap.name
    for family, version in (("ipv4", 4), ("ipv6", 6)):
        rmap = next(m for m in edge.route_maps if m.family == family and peer.name.upper() in m.name)
        accepts = [e for e in rmap.entries if e.action == "permit"]
        if version == kept:
            assert accepts and all(e.match_prefix_list for e in accepts)
        else:
            assert not accepts, f"{rmap.name} accepts routes from a family with nothing registered"
            assert rmap.entries[-1].action == "deny" and rmap.entries[-1].match_prefix_list is None


@pytest.mark.parametrize("platform", ["frr", "ios_xe", "junos"])
def test_every_referenced_filter_is_defined(tmp_path: Path, platform: str) -> None:
    net = variant(tmp_path, [("ix.yml", "peers.0.prefixes", _peer_prefixes(4))])
    edge = _routers(net, platform)[net.ix.port.device]
    text = render_intent(jinja_env(), edge)
    for rmap in edge.route_maps:
        for e in rmap.entries:
            if e.match_prefix_list:
                defined = (
                    f"route-filter-list {e.match_prefix_list} "
                    if platform == "junos"
                    else (f"prefix-list {e.match_prefix_list} seq ")
                )
                assert defined in text, f"{e.match_prefix_list} is referenced but never defined"
    assert text.count(f"{peer_list(net)}-V6") == 0


def peer_list(net: Network) -> str:
    return f"PEER-{net.ix.peers[0].name.upper()}"


def test_edge_without_ix_port_has_no_ix_sessions(tmp_path: Path) -> None:
    """IX sessions and filters follow the IX port, not the role: a second edge without a port has none."""
    dc = EXAMPLE.datacenter
    used = {s.local.port for s in dc.spans} | {s.remote.port for s in dc.spans} | {EXAMPLE.ix.port.port}
    free = next(p for p in range(1, 64) if p not in used)
    new_id = max(r.id for _, r in EXAMPLE.routers(live_only=False)) + 1
    span_id = max(s.id for _, s in EXAMPLE.spans(live_only=False)) + 1
    core = next(r.hostname for r in dc.routers if r.role == "core")
    routers = [r.model_dump(exclude_defaults=True) for r in dc.routers]
    routers.append({"id": new_id, "hostname": "dc-edge-spare", "role": "edge"})
    spans = [s.model_dump(exclude_defaults=True) for s in dc.spans]
    spans.append(
        {"id": span_id, "local": {"device": "dc-edge-spare", "port": 1}, "remote": {"device": core, "port": free}}
    )
    net = variant(tmp_path, [("datacenter.yml", "routers", routers), ("datacenter.yml", "spans", spans)])
    intents = _routers(net)
    spare, holder = intents["dc-edge-spare"], intents[net.ix.port.device]
    assert not [n for n in spare.bgp.neighbors if n.kind != "ibgp"]
    assert not spare.prefix_lists and not spare.route_maps
    assert [n for n in holder.bgp.neighbors if n.kind != "ibgp"]
