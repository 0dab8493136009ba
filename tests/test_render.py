"""Rendering: deterministic, phase-aware, secrets masked unless revealed, addresses all present."""

from __future__ import annotations

from dataclasses import replace

import pytest

from communet import ROOT
from communet.design import Intent, RouterIntent, SipIntent, build_design
from communet.design.intent import as_dict
from communet.filters import MASK, MissingSecret
from communet.model.load import load_network
from communet.model.network import Network
from communet.render import file_name, jinja_env, render_all, render_intent, template_name

NET: Network = load_network(ROOT / "inventory")
INTENTS: dict[str, Intent] = build_design(NET)
ROUTERS = [i for i in INTENTS.values() if isinstance(i, RouterIntent)]
SIPS = [i for i in INTENTS.values() if isinstance(i, SipIntent)]
SECRET_NEIGHBORS = [(r, nb) for r in ROUTERS for nb in r.bgp.neighbors if nb.password_secret]


def test_example_has_what_these_tests_need() -> None:
    assert ROUTERS and SIPS and SECRET_NEIGHBORS
    assert any(t.phase == "planned" for t in NET.towns)


def test_rendering_is_deterministic(tmp_path) -> None:
    first = render_all(INTENTS.values(), tmp_path)
    second = render_all(build_design(load_network(ROOT / "inventory")).values(), tmp_path, jinja_env())
    assert [(r.path.name, r.text) for r in first] == [(r.path.name, r.text) for r in second]


@pytest.mark.parametrize("intent", INTENTS.values(), ids=list(INTENTS))
def test_dataclass_and_dict_render_alike(intent: Intent) -> None:
    """Ansible renders the same templates from plain dicts: the bytes must not differ."""
    env = jinja_env()
    from_dict = env.get_template(template_name(intent)).render(intent=as_dict(intent), reveal=False)
    assert render_intent(env, intent) == from_dict


def test_committed_configs_are_current() -> None:
    configs = ROOT / "configs"
    for item in render_all(INTENTS.values(), configs):
        assert item.path.read_text(encoding="utf-8") == item.text, f"{item.path.name} is stale: run communet render"


def test_planned_town_is_not_rendered() -> None:
    planned = [t for t in NET.towns if t.phase == "planned"]
    names = {file_name(i) for i in INTENTS.values()}
    for town in planned:
        assert town.router.hostname not in INTENTS
        assert not any(name.startswith(f"{town.router.hostname}.") for name in names)
        assert not (ROOT / "configs" / f"{town.router.hostname}.conf").exists()


@pytest.mark.parametrize(
    ("router", "neighbor"), SECRET_NEIGHBORS, ids=lambda x: getattr(x, "hostname", None) or getattr(x, "address", "")
)
def test_secret_masked_by_default(router: RouterIntent, neighbor, monkeypatch) -> None:
    monkeypatch.setenv(neighbor.password_secret, "not-for-the-repository")
    text = render_intent(jinja_env(), router)
    assert f"neighbor {neighbor.address} password {MASK}\n" in text
    assert "not-for-the-repository" not in text
    committed = (ROOT / "configs" / file_name(router)).read_text(encoding="utf-8")
    assert f"neighbor {neighbor.address} password {MASK}\n" in committed


@pytest.mark.parametrize(
    ("router", "neighbor"), SECRET_NEIGHBORS, ids=lambda x: getattr(x, "hostname", None) or getattr(x, "address", "")
)
def test_secret_revealed_for_deploy(router: RouterIntent, neighbor, monkeypatch) -> None:
    for other in router.bgp.neighbors:
        if other.password_secret:
            monkeypatch.setenv(other.password_secret, "other-value")
    monkeypatch.setenv(neighbor.password_secret, "s3cret-value")
    text = render_intent(jinja_env(), router, reveal=True)
    assert f"neighbor {neighbor.address} password s3cret-value\n" in text
    assert MASK not in text


def test_missing_secret_raises_when_revealing(monkeypatch) -> None:
    router, neighbor = SECRET_NEIGHBORS[0]
    monkeypatch.delenv(neighbor.password_secret, raising=False)
    with pytest.raises(MissingSecret, match=neighbor.password_secret):
        render_intent(jinja_env(), router, reveal=True)


@pytest.mark.parametrize("router", ROUTERS, ids=lambda r: r.hostname)
def test_every_interface_address_is_configured(router: RouterIntent) -> None:
    text = render_intent(jinja_env(), router)
    assert f"hostname {router.hostname}\n" in text
    for iface in router.interfaces:
        block = text.split(f"\ninterface {iface.name}\n", 1)[1].split("\nexit\n", 1)[0]
        assert f" description {iface.description}" in block
        if iface.ipv4:
            assert f" ip address {iface.ipv4}" in block
        if iface.ipv6:
            assert f" ipv6 address {iface.ipv6}" in block
        assert (f" ip ospf area {router.ospf.area}" in block) == iface.ospf
        assert (" ip ospf bfd" in block) == iface.bfd


@pytest.mark.parametrize("router", ROUTERS, ids=lambda r: r.hostname)
def test_bgp_neighbors_and_networks(router: RouterIntent) -> None:
    text = render_intent(jinja_env(), router)
    for nb in router.bgp.neighbors:
        assert f" neighbor {nb.address} remote-as {nb.remote_as}\n" in text
        assert f"  neighbor {nb.address} activate\n" in text
        assert (f"  neighbor {nb.address} route-reflector-client\n" in text) == nb.route_reflector_client
    for prefix in (*router.bgp.networks_v4, *router.bgp.networks_v6):
        assert f"  network {prefix}\n" in text


@pytest.mark.parametrize("sip", SIPS, ids=lambda s: s.hostname)
def test_sip_server_config(sip: SipIntent) -> None:
    text = render_intent(jinja_env(), sip)
    assert f"listen=udp:{sip.listen_v4}:{sip.port}\n" in text
    assert f"listen=udp:[{sip.listen_v6}]:{sip.port}\n" in text
    assert f"tos={sip.signalling_tos}\n" in text
    assert f"src_ip == {sip.segment_v4}" in text
    assert f"$var(ext) >= {sip.local.first} && $var(ext) <= {sip.local.last}" in text
    for route in sip.routes:
        assert f"$var(ext) >= {route.first} && $var(ext) <= {route.last}" in text
        assert f'$du = "sip:{route.target}:{sip.port}";' in text
    for peer in sip.peers_v4:
        assert f"src_ip == {peer})" in text


def test_frr_leaves_out_what_it_keeps_at_default() -> None:
    """FRR omits its defaults from the running config; stating them would make every reload show a diff."""
    router = next(r for r in ROUTERS if r.platform == "frr")
    text = render_intent(jinja_env(), router)
    implicit = set(router.ospf.implicit)
    assert ("auto-cost reference-bandwidth" in text) == ("reference_bandwidth_mbps" not in implicit)
    assert ("detect-multiplier" in text) == ("bfd_multiplier" not in implicit)
    assert ("transmit-interval" in text) == ("bfd_interval_ms" not in implicit)


def test_frr_states_settings_away_from_default() -> None:
    router = next(r for r in ROUTERS if r.platform == "frr")
    ospf = replace(
        router.ospf,
        reference_bandwidth_mbps=router.ospf.reference_bandwidth_mbps * 4,
        bfd_interval_ms=router.ospf.bfd_interval_ms // 2 + 1,
        bfd_multiplier=router.ospf.bfd_multiplier + 2,
        implicit=(),
    )
    text = render_intent(jinja_env(), replace(router, ospf=ospf))
    assert text.count(f" auto-cost reference-bandwidth {ospf.reference_bandwidth_mbps}\n") == 2
    assert f"  detect-multiplier {ospf.bfd_multiplier}\n" in text
    assert f"  transmit-interval {ospf.bfd_interval_ms}\n  receive-interval {ospf.bfd_interval_ms}\n" in text


def test_route_reflector_cluster_id_when_set() -> None:
    core = next(r for r in ROUTERS if r.role == "core")
    assert "bgp cluster-id" not in render_intent(jinja_env(), core) or core.bgp.cluster_id
    text = render_intent(jinja_env(), replace(core, bgp=replace(core.bgp, cluster_id=core.loopback_v4)))
    assert f" no bgp default ipv4-unicast\n bgp cluster-id {core.loopback_v4}\n" in text
