"""The lab's route servers (BIRD) and IX member (FRR) configs, checked by BIRD and vtysh offline.

No lab is built here: the configs are rendered from the model and parsed by the daemons'
own checkers, for the example and for IX neighbors present in one family only.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from communet import ROOT
from communet.design import RouterIntent, build_design
from communet.lab import bird, member
from communet.model.load import load_network
from communet.model.network import Network

EXAMPLE = load_network(ROOT / "inventory")


def _binary(name: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin:/sbin:/bin")
    if found is None:
        pytest.fail(f"{name} is not installed: run `make system`")
    return found


@pytest.fixture(autouse=True)
def _secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every secret the example names, from the environment (so nothing is written to a state dir)."""
    for nb in (*EXAMPLE.ix.route_servers, *EXAMPLE.ix.peers):
        if nb.password_secret:
            monkeypatch.setenv(nb.password_secret, f"lab-{nb.name}")


def _ix_variant(tmp_path: Path, edit: dict[str, object]) -> Network:
    inventory = tmp_path / "inventory"
    shutil.copytree(ROOT / "inventory", inventory)
    path = inventory / "ix.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for dotted, value in edit.items():
        group, index, key = dotted.split(".")
        if value is None:
            data[group][int(index)].pop(key, None)
        else:
            data[group][int(index)][key] = value
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return load_network(inventory)


def _bird_parses(net: Network, tmp_path: Path) -> list[str]:
    texts = []
    for rs in net.ix.route_servers:
        text = bird.render_rs(bird.rs_config(net, rs, str(tmp_path / "bird.log")))
        conf = tmp_path / f"{rs.name}.conf"
        conf.write_text(text, encoding="utf-8")
        proc = subprocess.run([_binary("bird"), "-p", "-c", str(conf)], capture_output=True, text=True, check=False)
        assert proc.returncode == 0, f"bird refuses {rs.name}: {proc.stderr}"
        texts.append(text)
    return texts


def _member_parses(net: Network, tmp_path: Path) -> list[str]:
    texts = []
    (tmp_path / "frr").mkdir(exist_ok=True)
    for peer in net.ix.peers:
        text = member.render_member(member.member_config(net, peer, str(tmp_path / "member.log")))
        conf = tmp_path / f"{peer.name}.conf"
        conf.write_text(text, encoding="utf-8")
        argv = [_binary("vtysh"), "--config_dir", str(tmp_path / "frr"), "-C", "-f", str(conf)]
        proc = subprocess.run(argv, capture_output=True, text=True, check=False)
        assert proc.returncode == 0, f"vtysh refuses {peer.name}: {proc.stdout}{proc.stderr}"
        texts.append(text)
    return texts


def test_route_server_keys_its_session_with_us(tmp_path: Path) -> None:
    keyed = [rs for rs in EXAMPLE.ix.route_servers if rs.password_secret]
    assert keyed, "the example needs a route server with password_secret"
    texts = dict(zip([rs.name for rs in EXAMPLE.ix.route_servers], _bird_parses(EXAMPLE, tmp_path), strict=True))
    for rs in EXAMPLE.ix.route_servers:
        secret = f"lab-{rs.name}"
        assert (f'password "{secret}";' in texts[rs.name]) == (rs in keyed)


def test_route_server_filters_by_registry(tmp_path: Path) -> None:
    text = _bird_parses(EXAMPLE, tmp_path)[0]
    for prefix in (*EXAMPLE.ix.peers[0].prefixes, *EXAMPLE.syndicate.aggregates):
        assert f"{prefix}{{" in text
    assert 'then reject "not registered"' in text


def test_member_announces_an_unregistered_prefix_in_each_family(tmp_path: Path) -> None:
    _member_parses(EXAMPLE, tmp_path)
    peer = EXAMPLE.ix.peers[0]
    for version in (4, 6):
        stray = [a for a in member.announcements(EXAMPLE, peer, version) if a.why.startswith("not registered")]
        assert stray and stray[0].prefix not in {str(p) for p in peer.prefixes}


def test_nothing_registered_in_a_family_is_refused_by_the_route_servers(tmp_path: Path) -> None:
    v4_only = [str(p) for p in EXAMPLE.ix.peers[0].prefixes if ":" not in str(p)]
    net = _ix_variant(tmp_path, {"peers.0.prefixes": v4_only})
    assert 'reject "nothing registered in this family"' in _bird_parses(net, tmp_path)[0]
    stray = [a for a in member.announcements(net, net.ix.peers[0], 6) if a.why.startswith("not registered")]
    assert stray, "the member proves an empty family is closed by announcing into it"


@pytest.mark.parametrize(
    "edit",
    [{"peers.0.v6": None}, {"peers.0.v4": None}, {"route_servers.1.v6": None}, {"route_servers.0.v4": None}],
    ids=["peer-v4-only", "peer-v6-only", "rs-v4-only", "rs-v6-only"],
)
def test_neighbor_in_one_family_only(tmp_path: Path, edit: dict[str, object]) -> None:
    net = _ix_variant(tmp_path, edit)
    group, index, key = next(iter(edit)).split(".")
    neighbor = getattr(net.ix, group)[int(index)]
    missing = "ipv4" if key == "v4" else "ipv6"
    for port in net.ix.edge_ports:
        edge = build_design(net)[port.device]
        assert isinstance(edge, RouterIntent)
        sessions = [n for n in edge.bgp.neighbors if n.description == neighbor.name]
        assert sessions and {n.family for n in sessions} == {"ipv4", "ipv6"} - {missing}
    _bird_parses(net, tmp_path)
    texts = _member_parses(net, tmp_path)
    if group == "peers":
        assert f"address-family {missing} unicast\n  network" not in texts[int(index)]


def test_mixed_platforms_all_run_as_frr_and_the_lab_says_so(tmp_path: Path) -> None:
    from communet.lab.topology import as_frr_note, build_topology

    inventory = tmp_path / "inventory"
    shutil.copytree(ROOT / "inventory", inventory)
    towns = [t for t in EXAMPLE.live_towns][:2]
    for town, plat in zip(towns, ("ios_xe", "junos"), strict=True):
        path = inventory / "towns" / f"{town.name}.yml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        data["router"]["platform"] = plat
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    net = load_network(inventory)
    topo = build_topology(net)
    routers = {n.name for n in topo.of_kind("router")}
    assert routers == {r.hostname for _, r in net.routers()}, "a router was left out of the lab"
    assert {h for h, _ in topo.as_frr} == {t.router.hostname for t in towns}
    spans = {(link.a.node, link.b.node) for link in topo.links if link.role == "span"}
    assert len(spans) == sum(1 for _ in net.spans())
    assert all(topo.intents[t.router.hostname].platform == "frr" for t in towns)
    note = as_frr_note(topo)
    assert note and all(t.router.hostname in note for t in towns) and "ios_xe" in note and "junos" in note
    assert as_frr_note(build_topology(EXAMPLE)) is None
