"""One record per platform: everything communet needs to know about it, in one place.

The canonical name (``frr``, ``ios_xe``, ``junos``, ``kamailio``) is the one the
inventory uses. A record holds the platform's tool names (taken from netutils'
``lib_mapper`` by its normalized name, with overrides only where netutils has none),
its port naming, the settings it leaves out of its running config (implicit defaults),
its template folder, and where its deploy driver, state reader and offline config
checker live (``module:attribute``, imported only when used). The model's allowed
platforms, the deploy drivers table, the golden-file test lists and the CLI's
``--platform`` choices are all read from ``PLATFORMS``.

>>> platform("ios_xe").netmiko, platform("ios_xe").ansible_network_os
('cisco_xe', 'cisco.ios.ios')
>>> platform("frr").netmiko  # netutils has no FRR: the record's override
'cisco_ios'
>>> ROUTER_PLATFORMS
('frr', 'ios_xe', 'junos')
>>> platform("junos").port(3), platform("junos").segment(20)
('ge-0/0/3.0', 'ge-0/0/0.20')
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from netutils import lib_mapper

Kind = Literal["router", "sip"]

#: Tool -> netutils' map from its normalized name to that tool's name.
TOOL_MAPPERS: dict[str, Mapping[str, str]] = {
    "netmiko": lib_mapper.NETMIKO_LIB_MAPPER_REVERSE,
    "scrapli": lib_mapper.SCRAPLI_LIB_MAPPER_REVERSE,
    "ansible": lib_mapper.ANSIBLE_LIB_MAPPER_REVERSE,
    "pyats": lib_mapper.PYATS_LIB_MAPPER_REVERSE,
    "hier_config": lib_mapper.HIERCONFIG_LIB_MAPPER_REVERSE,
}


@dataclass(frozen=True, slots=True)
class Companion:
    """A further file each router of a platform gets beside its config (an FRR box's nftables ruleset)."""

    template: str  # entry template stem in the platform's folder
    suffix: str  # file suffix, after the hostname
    checker: str  # "module:function" that checks the rendered file offline

    def check(self) -> Any:
        return _resolve(self.checker)


@dataclass(frozen=True, slots=True)
class Platform:
    """A platform, as one record (see ARCHITECTURE.md, "Adding a platform")."""

    name: str  # as the inventory spells it
    kind: Kind  # what it renders: templates/<folder>/<kind>.j2
    suffix: str  # rendered file suffix
    loopback: str
    port_format: str  # str.format with {port}
    segment_format: str  # str.format with {vlan}
    management: str  # the out-of-band management port
    trunk: str | None  # the port whose 802.1Q sub-interfaces are the segments (None: one link per VLAN)
    network_os: str | None = None  # netutils' normalized name; tool names come from its lib_mapper
    tools: Mapping[str, str] = field(default_factory=dict)  # overrides, only where netutils has none
    implicit_defaults: Mapping[str, int] = field(default_factory=dict)  # left out of the running config
    templates: str = ""  # folder under templates/ (default: the name)
    deploy_driver: str | None = None  # "module:Class" of communet.deploy.drivers, None: not deployed
    state_reader: str | None = None  # "module" that reads the platform's live state, None: none
    checker: str | None = None  # "module:function" that checks a rendered file offline
    golden: bool = False  # checked by golden files and a parser rather than a daemon
    companions: tuple[Companion, ...] = ()  # further files a router gets beside its config

    def tool(self, name: str) -> str:
        """This platform's name in tool ``name`` (netmiko, scrapli, ansible, pyats, hier_config)."""
        if name in self.tools:
            return self.tools[name]
        found = TOOL_MAPPERS[name].get(self.network_os or "")
        if found is None:
            raise KeyError(f"platform {self.name!r} has no {name} name: netutils has none, give one in its record")
        return found

    @property
    def netmiko(self) -> str:
        return self.tool("netmiko")

    @property
    def scrapli(self) -> str:
        return self.tool("scrapli")

    @property
    def ansible_network_os(self) -> str:
        return self.tool("ansible")

    @property
    def pyats_os(self) -> str:
        return self.tool("pyats")

    @property
    def template_folder(self) -> str:
        return self.templates or self.name

    def port(self, number: int) -> str:
        return self.port_format.format(port=number)

    def segment(self, vlan: int) -> str:
        return self.segment_format.format(vlan=vlan)

    def driver(self) -> Any:
        """The deploy driver class, or None when the platform is rendered but not deployed."""
        return _resolve(self.deploy_driver) if self.deploy_driver else None

    def check(self) -> Any:
        """The offline checker: ``function(path) -> communet.checkers.Checked``."""
        return _resolve(self.checker) if self.checker else None


def _resolve(ref: str) -> Any:
    module, _, attr = ref.partition(":")
    obj = importlib.import_module(module)
    return getattr(obj, attr) if attr else obj


#: The records. A new platform is one more entry here plus templates/<name>/ (and, to be
#: deployed, a driver); nothing else lists platforms.
RECORDS: tuple[Platform, ...] = (
    # FRR on Linux: a VLAN is its own link in the lab (no 802.1Q there). netutils has no FRR:
    # vtysh speaks an IOS-like CLI, so the IOS tools; pyATS sees the Linux host.
    Platform(
        "frr",
        "router",
        ".conf",
        loopback="lo",
        port_format="eth{port}",
        segment_format="vlan{vlan}",
        management="mgmt0",
        trunk=None,
        tools={"netmiko": "cisco_ios", "scrapli": "cisco_iosxe", "ansible": "frr.frr.frr", "pyats": "linux"},
        # FRR 8.4 prints none of these in its running config: stating them makes every reload a change.
        implicit_defaults={
            "reference_bandwidth_mbps": 100_000,
            "bfd_multiplier": 3,
            "bfd_interval_ms": 300,
            "hello_s": 10,
            "dead_s": 40,
            "lsa_min_interval_ms": 5000,
            "lsa_min_arrival_ms": 1000,
        },
        deploy_driver="communet.deploy.drivers.frr:FrrDriver",
        state_reader="communet.verify.frr_json",
        checker="communet.checkers:vtysh",
        companions=(Companion("nftables", ".nft", "communet.checkers:nftables"),),  # the Linux box's firewall
    ),
    Platform(
        "ios_xe",
        "router",
        ".ios",
        loopback="Loopback0",
        port_format="GigabitEthernet0/0/{port}",
        segment_format="GigabitEthernet0/0/0.{vlan}",
        management="GigabitEthernet0",
        trunk="GigabitEthernet0/0/0",
        network_os="cisco_xe",
        checker="communet.checkers:hier_config_parse",
        golden=True,
    ),
    Platform(
        "junos",
        "router",
        ".set",
        loopback="lo0.0",
        port_format="ge-0/0/{port}.0",
        segment_format="ge-0/0/0.{vlan}",
        management="fxp0.0",
        trunk="ge-0/0/0",
        network_os="juniper_junos",
        checker="communet.checkers:hier_config_parse",
        golden=True,
    ),
    # Kamailio on Linux: netutils knows Linux for netmiko and pyATS only.
    Platform(
        "kamailio",
        "sip",
        ".cfg",
        loopback="lo",
        port_format="eth{port}",
        segment_format="vlan{vlan}",
        management="mgmt0",
        trunk=None,
        network_os="linux",
        tools={"scrapli": "linux", "ansible": "linux"},
        deploy_driver="communet.deploy.drivers.kamailio:KamailioDriver",
        checker="communet.checkers:kamailio",
    ),
)

PLATFORMS: dict[str, Platform] = {p.name: p for p in RECORDS}

#: What the inventory's ``platform`` may say for a router.
ROUTER_PLATFORMS: tuple[str, ...] = tuple(p.name for p in RECORDS if p.kind == "router")
#: Router platforms checked by golden files (rendered as a what-if from the example).
GOLDEN_PLATFORMS: tuple[str, ...] = tuple(p.name for p in RECORDS if p.golden)


def platform(name: str) -> Platform:
    return PLATFORMS[name]


def by_suffix(file_name: str) -> Platform | None:
    """The platform whose rendered files end as ``file_name`` does, if any."""
    return next((p for p in RECORDS if file_name.endswith(p.suffix)), None)


def deployable() -> dict[str, Platform]:
    """Platforms with a deploy driver."""
    return {p.name: p for p in RECORDS if p.deploy_driver}
