"""The platform record: tool names from netutils, every list of platforms read from it,
and a new platform added from one record plus its templates."""

from __future__ import annotations

import shutil
import typing
from dataclasses import replace
from pathlib import Path

import pytest
from netutils.lib_mapper import NETMIKO_LIB_MAPPER_REVERSE, PYATS_LIB_MAPPER_REVERSE

from communet import ROOT
from communet.checkers import hier_config_parse
from communet.deploy.drivers import DRIVERS
from communet.design import RouterIntent, build_design
from communet.diffs import diff_configs
from communet.model.load import load_network
from communet.model.site import Router
from communet.platforms import GOLDEN_PLATFORMS, PLATFORMS, RECORDS, ROUTER_PLATFORMS, Platform, platform
from communet.remediation import remediation
from communet.render import file_name, jinja_env, render_intent, template_name

TEMPLATES = ROOT / "templates"


@pytest.mark.parametrize("record", [r for r in RECORDS if r.network_os], ids=lambda r: r.name)
def test_tool_names_come_from_netutils_unless_overridden(record: Platform) -> None:
    for tool, reverse in (("netmiko", NETMIKO_LIB_MAPPER_REVERSE), ("pyats", PYATS_LIB_MAPPER_REVERSE)):
        if tool not in record.tools:
            assert record.tool(tool) == reverse[typing.cast(str, record.network_os)]


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.name)
def test_overrides_only_where_netutils_has_none(record: Platform) -> None:
    from communet.platforms import TOOL_MAPPERS

    for tool in record.tools:
        assert record.network_os is None or record.network_os not in TOOL_MAPPERS[tool], (record.name, tool)


@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.name)
def test_every_record_has_its_entry_template_and_resolvable_parts(record: Platform) -> None:
    assert (TEMPLATES / record.template_folder / f"{record.kind}.j2").is_file()
    for tool in ("netmiko", "scrapli", "ansible", "pyats"):
        assert record.tool(tool)
    if record.deploy_driver:
        assert DRIVERS[record.name] is record.driver()
    assert record.check() is not None


def test_model_choices_drivers_and_golden_lists_derive_from_the_records() -> None:
    assert typing.get_args(Router.model_fields["platform"].annotation) == ROUTER_PLATFORMS
    assert set(DRIVERS) == {r.name for r in RECORDS if r.deploy_driver}
    assert set(GOLDEN_PLATFORMS) == {r.name for r in RECORDS if r.golden} <= set(ROUTER_PLATFORMS)


@pytest.mark.parametrize("name", GOLDEN_PLATFORMS)
def test_golden_files_pass_the_platform_parser(name: str) -> None:
    files = sorted((ROOT / "tests" / "golden" / name).glob(f"*{platform(name).suffix}"))
    assert files
    for path in files:
        checked = hier_config_parse(path)
        assert checked.ok, checked.output


def _router(name: str) -> RouterIntent:
    intents = build_design(load_network(ROOT / "inventory"), platform_override=name)
    return next(i for i in intents.values() if isinstance(i, RouterIntent) and i.role == "edge")


@pytest.mark.parametrize("name", GOLDEN_PLATFORMS)
def test_a_vendor_diff_carries_its_remediation_commands(name: str) -> None:
    env = jinja_env()
    edge = _router(name)
    before = render_intent(env, edge)
    changed = replace(edge, hostname=edge.hostname + "-new")
    after = render_intent(env, changed)
    (diff,) = diff_configs({file_name(edge): before}, {file_name(edge): after})
    assert diff.remediation, "no remediation for a changed hostname"
    assert any(edge.hostname + "-new" in line for line in diff.remediation)
    assert remediation(name, after, after) == ()


def test_a_new_platform_is_one_record_plus_templates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fake platform ("acme") from one record and a template folder renders every router."""
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    (templates / "acme").mkdir()
    (templates / "acme" / "router.j2").write_text(
        "hostname {{ intent.hostname }}\n"
        "{% for i in intent.interfaces %}port {{ i.name }} {{ i.ipv4 or '' }}\n{% endfor %}",
        encoding="utf-8",
    )
    record = replace(
        platform("ios_xe"),
        name="acme",
        suffix=".acme",
        port_format="xe{port}",
        loopback="loop0",
        network_os="arista_eos",
        checker=None,
        golden=False,
    )
    monkeypatch.setitem(PLATFORMS, "acme", record)
    intents = [i for i in build_design(load_network(ROOT / "inventory"), platform_override="acme").values()]
    routers = [i for i in intents if isinstance(i, RouterIntent)]
    assert routers
    env = jinja_env(templates)
    for intent in routers:
        assert template_name(intent) == "acme/router.j2"
        assert file_name(intent) == f"{intent.hostname}.acme"
        text = render_intent(env, intent)
        assert text.startswith(f"hostname {intent.hostname}\n")
        assert "port loop0" in text
        ports = [i.name for i in intent.interfaces if i.name.startswith("xe")]
        assert ports, f"{intent.hostname} has no port named by the record"
        assert all(f"port {p} " in text for p in ports)
    assert record.netmiko == "arista_eos"  # from netutils, not from the record


def test_deploy_and_verify_read_frr_json_alike() -> None:
    """One reader of FRR's JSON: deploy's before/after state is verify's reading of the same output."""
    from communet.deploy.drivers.frr import bgp_established, json_of, ospf_full
    from communet.verify import frr_json

    routers = [i for i in build_design(load_network(ROOT / "inventory")).values() if isinstance(i, RouterIntent)]
    a, b, c = (r.bgp.router_id for r in routers[:3])
    ports = [i.name for i in routers[0].interfaces][:3]
    ospf = {
        "neighbors": {
            a: [{"converged": "Full", "ifaceName": f"{ports[0]}:x"}],
            b: [{"nbrState": "Full/-", "ifaceName": f"{ports[1]}:x"}],
            c: [{"state": "2-Way/DROther", "ifaceName": f"{ports[2]}:x"}],
        }
    }
    bgp = {a: {"bgpState": "Established", "remoteAs": routers[0].bgp.asn}, b: {"bgpState": "Active"}}
    assert ospf_full(ospf) == {n.router_id for n in frr_json.ospf_neighbors(ospf) if n.full} == {a, b}
    assert bgp_established(bgp) == {x for x, p in frr_json.bgp_peers(bgp).items() if p.established} == {a}
    assert json_of("% Unknown command") == {} and json_of("[]") == {}
