"""Valid-looking variants of the example render safely: copy it, change some keys, load, render.

A change is ``(file, dotted.path, value)``; ``DELETE`` as the value removes the key. Values
a test needs are read from the loaded example (never typed), so a variant stays valid
when the example changes.
"""

from __future__ import annotations

import shutil
import subprocess
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
    edge = _routers(net)[net.ix.edge_ports[0].device]
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
    edge = _routers(net, platform)[net.ix.edge_ports[0].device]
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
    used = (
        {s.local.port for s in dc.spans} | {s.remote.port for s in dc.spans} | {p.port for p in EXAMPLE.ix.edge_ports}
    )
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
    spare, holder = intents["dc-edge-spare"], intents[net.ix.edge_ports[0].device]
    assert not [n for n in spare.bgp.neighbors if n.kind != "ibgp"]
    assert not spare.prefix_lists and not spare.route_maps
    assert [n for n in holder.bgp.neighbors if n.kind != "ibgp"]


def _checker(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin:/bin")
    if found is None:
        pytest.fail(f"{name} is not installed: run `make system`")
    return found


def _boundary_changes() -> list[Change]:
    """The largest or oddest values validation accepts, on every key that reaches a config."""
    text = "Ünïcode ! # ; ' { } $ & < > ~ `x` ü é 日本"
    text = (text + " " + "x" * 64)[:64].rstrip()
    peer = EXAMPLE.ix.peers[0]
    return [
        ("ix.yml", "route_servers.0.max_prefix_v4", 2_147_483_647),
        ("ix.yml", "peers.0.max_prefix_v6", 2_147_483_647),
        ("ix.yml", "peers.0.asn", 4_294_967_294),
        ("ix.yml", "peers.0.prefixes", [str(p) for p in peer.prefixes][:1]),
        ("ix.yml", "name", text),
        ("syndicate.yml", "name", text),
        ("syndicate.yml", "routing.reference_bandwidth_mbps", 4_294_967),
        ("syndicate.yml", "routing.ospf_area", 4_294_967_295),
        ("syndicate.yml", "limits.max_v4_prefixlen", 32),
        ("syndicate.yml", "limits.max_v6_prefixlen", 128),
        ("syndicate.yml", "telephony.qos.rtp_ports", [1024, 65535]),
        ("syndicate.yml", "management.snmp.location", f"{text} {text}"[:128].rstrip()),
        ("syndicate.yml", "segment_roles.schools.description", text),
        ("towns/aldermoor.yml", "display_name", text),
        ("towns/aldermoor.yml", "router.model", text),
        ("towns/aldermoor.yml", "telephony.extensions", {"first": 999_999_000, "last": 999_999_999}),
        ("towns/dunmere.yml", "spans.0.provider", text),
        ("towns/dunmere.yml", "spans.0.circuit", text),
    ]


def test_boundary_values_pass_the_platform_checkers(tmp_path: Path) -> None:
    """Whatever validation accepts renders to configs that vtysh -C and kamailio -c accept."""
    net = variant(tmp_path, _boundary_changes())
    env = jinja_env()
    (tmp_path / "frr").mkdir()
    failures, checked = [], []
    for name, intent in build_design(net).items():
        text = render_intent(env, intent)
        path = tmp_path / f"{name}.{intent.platform}"
        path.write_text(text, encoding="utf-8")
        if intent.platform == "frr":
            argv = [_checker("vtysh"), "--config_dir", str(tmp_path / "frr"), "-C", "-f", str(path)]
        elif intent.platform == "kamailio":
            argv = [_checker("kamailio"), "-c", "-f", str(path)]
        else:
            continue
        checked.append(intent.platform)
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
        if proc.returncode != 0:
            failures.append(f"{name}: {proc.stdout[-500:]}{proc.stderr[-500:]}")
    assert not failures, "\n".join(failures)
    assert {"frr", "kamailio"} <= set(checked)
    edge = _routers(net)[net.ix.edge_ports[0].device]
    assert not [p for p in edge.prefix_lists if p.name.startswith("TOO-SPECIFIC")], "/32 and /128 allowed: no list"
