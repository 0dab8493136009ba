"""Every tool's inventory, generated from the model and its design: nothing kept twice.

- :func:`devices`: one :class:`Device` per live device (routers, then SIP servers).
- :func:`ansible_inventory`: the shape ``ansible-inventory --list`` prints.
- :func:`nornir_hosts`: the Nornir hosts as plain data (the plugin in
  ``nornir_tasks/inventory.py`` builds its objects from the same :class:`Device` list).
- :func:`pyats_testbed`: a pyATS testbed with credentials read from the environment.

Group names are valid Ansible identifiers: ``site_<site>``, ``platform_<name>``,
``role_<role>`` with dashes turned into underscores.

>>> group_name("site", "dc-north")
'site_dc_north'
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from communet import addressing as ad
from communet.design import Intent
from communet.design.intent import as_dict
from communet.model.network import Network
from communet.platforms import Platform, platform
from communet.render import file_name, outputs, template_name

SSH_PORT = 22
#: Environment variable holding the SSH password (pyATS reads it with ``%ENV{...}``).
SSH_PASSWORD_ENV = "COMMUNET_SSH_PASSWORD"
SIP_ROLE = "sip"


@dataclass(frozen=True, slots=True)
class Device:
    """A live device as every inventory sees it."""

    name: str
    address: str  # management address, without its length
    username: str
    platform: Platform
    site: str
    role: str  # town, core, edge or sip
    intent: Intent

    @property
    def groups(self) -> tuple[str, ...]:
        return (
            group_name("site", self.site),
            group_name("platform", self.platform.name),
            group_name("role", self.role),
        )


def default_canary(devs: Sequence[Device]) -> list[Device]:
    """The devices a deploy takes first when none is named: the first town's (its router and SIP
    server), so a mistake meets one town hall before the data center and the other towns; without a
    town among ``devs``, the first device. Nothing when there is one device or none.

    The first town is the first in design order, which keeps it the same from one deploy to the next.
    """
    if len(devs) < 2:
        return []
    town = next((d.site for d in devs if d.role == "town"), None)
    return [d for d in devs if d.site == town] if town else [devs[0]]


def group_name(kind: str, value: str) -> str:
    return f"{kind}_{value.replace('-', '_')}"


def device(intent: Intent) -> Device:
    role = intent.role if intent.kind == "router" else SIP_ROLE  # type: ignore[union-attr]
    mgmt = intent.management
    return Device(
        name=intent.hostname,
        address=mgmt.address.partition("/")[0],
        username=mgmt.user,
        platform=platform(intent.platform),
        site=intent.site,
        role=role,
        intent=intent,
    )


def devices(intents: dict[str, Intent]) -> list[Device]:
    """Every device of the design, in design order (routers first)."""
    return [device(i) for i in intents.values()]


def plain(value: Any) -> Any:
    """Tuples become lists, recursively: what JSON and Ansible's variables hold.

    >>> plain({"a": (1, (2, 3)), "b": None})
    {'a': [1, [2, 3]], 'b': None}
    """
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def ssh_pinning_args(known_hosts: Path) -> str:
    """OpenSSH options that check every host key against ``known_hosts`` (for ``ansible_ssh_common_args``)."""
    return f"-o StrictHostKeyChecking=yes -o UserKnownHostsFile={shlex.quote(str(known_hosts))}"


def ansible_hostvars(dev: Device, known_hosts: Path | None = None) -> dict[str, Any]:
    pinned = {"ansible_ssh_common_args": ssh_pinning_args(known_hosts)} if known_hosts else {}
    return pinned | {
        "ansible_host": dev.address,
        "ansible_user": dev.username,
        "ansible_network_os": dev.platform.ansible_network_os,
        "config_file": file_name(dev.intent),
        "template": template_name(dev.intent),
        "config_files": [{"template": o.template, "file": o.file} for o in outputs(dev.intent)],
        "intent": plain(as_dict(dev.intent)),
    }


def ansible_inventory(intents: dict[str, Intent], known_hosts: Path | None = None) -> dict[str, Any]:
    """The inventory as ``ansible-inventory --list`` prints it (groups sorted).

    ``known_hosts``: the file pinning the devices' host keys (the lab's, or the target's).
    """
    devs = devices(intents)
    groups: dict[str, list[str]] = {}
    for dev in devs:
        for group in dev.groups:
            groups.setdefault(group, []).append(dev.name)
    out: dict[str, Any] = {
        "_meta": {"hostvars": {d.name: ansible_hostvars(d, known_hosts) for d in devs}},
        "all": {"children": ["ungrouped", *sorted(groups)]},
    }
    out.update({name: {"hosts": groups[name]} for name in sorted(groups)})
    return out


def connection_options(plat: Platform) -> dict[str, dict[str, str]]:
    """Per-library platform names: netmiko's device_type, scrapli's platform."""
    return {"netmiko": {"platform": plat.netmiko}, "scrapli": {"platform": plat.scrapli}}


def summary(intent: Intent) -> dict[str, Any]:
    """A few facts of an intent, for people reading the Nornir inventory."""
    if intent.kind == "router":
        return {
            "kind": "router",
            "role": intent.role,
            "interfaces": len(intent.interfaces),  # type: ignore[union-attr]
            "bgp_neighbors": len(intent.bgp.neighbors),
        }  # type: ignore[union-attr]
    return {"kind": "sip", "listen_v4": intent.listen_v4, "routes": len(intent.routes)}  # type: ignore[union-attr]


def nornir_hosts(intents: dict[str, Intent]) -> dict[str, dict[str, Any]]:
    """The Nornir hosts as plain data; ``data`` summarises the intent the plugin carries."""
    return {
        d.name: {
            "hostname": d.address,
            "port": SSH_PORT,
            "username": d.username,
            "platform": d.platform.name,
            "groups": list(d.groups),
            "connection_options": connection_options(d.platform),
            "data": summary(d.intent),
        }
        for d in devices(intents)
    }


def span_topology(net: Network, intents: dict[str, Intent]) -> dict[str, dict[str, dict[str, str]]]:
    """Device -> interface -> {type, link, ipv4, ipv6}: one pyATS link per live span."""
    syn = net.syndicate
    out: dict[str, dict[str, dict[str, str]]] = {}
    for _, span in sorted(net.spans(), key=lambda s: s[1].id):
        for end, local in ((span.local, True), (span.remote, False)):
            intent = intents.get(end.device)
            if intent is None:
                continue
            out.setdefault(end.device, {})[platform(intent.platform).port(end.port)] = {
                "type": "ethernet",
                "link": f"span-{span.id}",
                "ipv4": ad.span_end(ad.span_v4(syn, span.id), local),
                "ipv6": ad.span_end(ad.span_v6(syn, span.id), local),
            }
    return out


def pyats_testbed(net: Network, intents: dict[str, Intent]) -> dict[str, Any]:
    """A pyATS testbed: devices, SSH connections to management addresses, links from the spans.

    FRR routers are Linux hosts for pyATS (``os: linux``); the password comes from
    the environment (``%ENV{...}``), never from this file.
    """
    testbed = {
        "name": net.syndicate.name,
        "credentials": {
            "default": {"username": net.syndicate.management.user, "password": f"%ENV{{{SSH_PASSWORD_ENV}}}"}
        },
    }
    tb_devices = {
        d.name: {
            "os": d.platform.pyats_os,
            "type": "router" if d.intent.kind == "router" else "sip-server",
            "platform": d.platform.name,
            "alias": d.name,
            "custom": {"site": d.site, "role": d.role},
            "connections": {"cli": {"protocol": "ssh", "ip": d.address, "port": SSH_PORT}},
        }
        for d in devices(intents)
    }
    topology = {name: {"interfaces": ifaces} for name, ifaces in span_topology(net, intents).items()}
    return {"testbed": testbed, "devices": tb_devices, "topology": topology}
