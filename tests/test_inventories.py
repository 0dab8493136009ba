"""The Ansible, Nornir and pyATS inventories all come from the model, and agree with it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from communet import ROOT
from communet import addressing as ad
from communet.cli import app
from communet.design import build_design
from communet.inventories import SSH_PASSWORD_ENV, ansible_inventory, nornir_hosts, pyats_testbed
from communet.model.load import load_network
from communet.model.network import Network
from communet.platforms import platform
from nornir_tasks import communet_nornir

SENTINEL = "sentinel-secret-value-7f3a"
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def net() -> Network:
    return load_network(ROOT / "inventory")


@pytest.fixture(scope="module")
def intents(net: Network) -> dict[str, Any]:
    return build_design(net)


def live_devices(net: Network) -> dict[str, int]:
    """Hostname -> device id of every live device, read from the model alone."""
    out = {r.hostname: r.id for _, r in net.routers()}
    for town in net.live_towns:
        if town.telephony:
            sip = town.telephony.sip_server
            out[sip.hostname or f"{town.name}-sip"] = sip.id
    return out


def unwrap(value: Any) -> Any:
    """ansible-inventory marks plugin strings as ``{"__ansible_unsafe": text}``."""
    if isinstance(value, dict):
        if set(value) == {"__ansible_unsafe"}:
            return value["__ansible_unsafe"]
        return {k: unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value


def test_example_has_a_planned_town_left_out(net: Network, intents: dict[str, Any]) -> None:
    planned = [t for t in net.towns if t.phase == "planned"]
    assert planned, "the example should keep a planned town"
    for town in planned:
        assert town.router.hostname not in ansible_inventory(intents)["_meta"]["hostvars"]


def test_every_inventory_names_exactly_the_live_devices(net: Network, intents: dict[str, Any]) -> None:
    expected = set(live_devices(net))
    assert set(ansible_inventory(intents)["_meta"]["hostvars"]) == expected
    assert set(nornir_hosts(intents)) == expected
    assert set(pyats_testbed(net, intents)["devices"]) == expected
    assert set(communet_nornir(ROOT / "inventory").inventory.hosts) == expected


def test_addresses_match_the_design_and_the_pools(net: Network, intents: dict[str, Any]) -> None:
    ids = live_devices(net)
    hostvars = ansible_inventory(intents)["_meta"]["hostvars"]
    hosts = nornir_hosts(intents)
    testbed = pyats_testbed(net, intents)["devices"]
    for name, intent in intents.items():
        address = intent.management.address.split("/")[0]
        assert address == str(ad.management(net.syndicate, ids[name]))
        assert hostvars[name]["ansible_host"] == address
        assert hosts[name]["hostname"] == address
        assert testbed[name]["connections"]["cli"] == {"protocol": "ssh", "ip": address, "port": 22}


def test_platform_names_come_from_the_table(intents: dict[str, Any]) -> None:
    hostvars = ansible_inventory(intents)["_meta"]["hostvars"]
    nr = communet_nornir(ROOT / "inventory").inventory.hosts
    for name, intent in intents.items():
        plat = platform(intent.platform)
        assert hostvars[name]["ansible_network_os"] == plat.ansible_network_os
        assert nr[name].platform == plat.name
        assert nr[name].connection_options["netmiko"].platform == plat.netmiko
        assert nr[name].connection_options["scrapli"].platform == plat.scrapli
        assert nr[name].data["intent"] is not None and nr[name].data["intent"].hostname == name


def test_groups_per_site_platform_and_role(net: Network, intents: dict[str, Any]) -> None:
    inv = ansible_inventory(intents)
    for _, router in net.routers():
        assert router.hostname in inv[f"role_{router.role}"]["hosts"]
    for name, intent in intents.items():
        assert name in inv[f"site_{intent.site.replace('-', '_')}"]["hosts"]
        assert name in inv[f"platform_{intent.platform}"]["hosts"]
    nr = communet_nornir(ROOT / "inventory").inventory
    assert set(nr.groups) == set(inv) - {"_meta", "all"}


def test_ansible_plugin_gives_what_communet_prints(intents: dict[str, Any]) -> None:
    skip = ("ANSIBLE_", "COMMUNET_INVENTORY", "COMMUNET_PLATFORM")
    env = {k: v for k, v in os.environ.items() if not k.startswith(skip)}
    env.update(ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"), LC_ALL="C.UTF-8", LANG="C.UTF-8")
    proc = subprocess.run(
        [str(BIN / "ansible-inventory"), "--list"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    listed = unwrap(json.loads(proc.stdout))
    printed = json.loads(CliRunner().invoke(app, ["inventory", "ansible"]).stdout)
    assert listed["_meta"]["hostvars"] == printed["_meta"]["hostvars"]
    for group, body in printed.items():
        if group not in {"_meta", "all"}:
            assert sorted(listed[group]["hosts"]) == sorted(body["hosts"]), group
    assert sorted(listed["all"]["children"]) == sorted(printed["all"]["children"])


def test_pyats_loads_the_testbed(net: Network, intents: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from pyats.topology import loader

    monkeypatch.setenv(SSH_PASSWORD_ENV, SENTINEL)
    result = CliRunner().invoke(app, ["inventory", "pyats"])
    assert result.exit_code == 0, result.output
    testbed = loader.load(result.stdout)
    assert set(testbed.devices) == set(live_devices(net))
    for name, intent in intents.items():
        device = testbed.devices[name]
        assert device.os == platform(intent.platform).pyats_os
        assert str(device.connections.cli.ip) == intent.management.address.split("/")[0]
    assert device.credentials.default.password.plaintext == SENTINEL  # read from the environment
    spans = {f"span-{s.id}" for _, s in net.spans()}
    assert {link.name for link in testbed.links} == spans
    for link in testbed.links:
        assert len(link.interfaces) == 2, link.name


def test_frr_routers_are_linux_hosts_for_pyats(net: Network, intents: dict[str, Any]) -> None:
    devices = pyats_testbed(net, intents)["devices"]
    assert {d["os"] for n, d in devices.items() if intents[n].platform == "frr"} == {"linux"}


def test_no_secret_value_in_any_inventory(net: Network, monkeypatch: pytest.MonkeyPatch) -> None:
    names = [SSH_PASSWORD_ENV, net.syndicate.management.snmp.auth_secret, net.syndicate.management.snmp.priv_secret]
    names += [n.password_secret for n in (*net.ix.route_servers, *net.ix.peers) if n.password_secret]
    for name in names:
        monkeypatch.setenv(name, SENTINEL)
    runner = CliRunner()
    for kind in ("ansible", "nornir", "pyats"):
        result = runner.invoke(app, ["inventory", kind])
        assert result.exit_code == 0, result.output
        assert SENTINEL not in result.stdout, kind
    testbed = yaml.safe_load(runner.invoke(app, ["inventory", "pyats"]).stdout)
    assert testbed["testbed"]["credentials"]["default"]["password"] == f"%ENV{{{SSH_PASSWORD_ENV}}}"


def test_nornir_yaml_is_the_nornir_hosts(intents: dict[str, Any]) -> None:
    printed = yaml.safe_load(CliRunner().invoke(app, ["inventory", "nornir"]).stdout)
    assert printed == nornir_hosts(intents)


def test_invalid_inventory_is_reported_not_raised(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["inventory", "nornir", "--inventory", str(tmp_path / "missing")])
    assert result.exit_code == 2
    assert "inventory directory not found" in result.output
    assert "Traceback" not in result.output


def test_nornir_finds_the_plugin_by_its_entry_point(net: Network) -> None:
    from nornir import InitNornir

    nr = InitNornir(
        inventory={"plugin": "CommunetInventory", "options": {"inventory_dir": str(ROOT / "inventory")}},
        logging={"enabled": False},
    )
    assert set(nr.inventory.hosts) == set(live_devices(net))
    towns = nr.inventory.children_of_group("role_town")
    assert {h.name for h in towns} == {r.hostname for _, r in net.routers() if r.role == "town"}
