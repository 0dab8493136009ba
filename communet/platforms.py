"""One table for platform names and port naming, for every tool that needs them.

The canonical name (``frr``, ``ios_xe``, ``junos``, ``kamailio``) is the one the
inventory uses; each tool gets its own name from here, never typed twice.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Platform:
    name: str
    suffix: str  # rendered file suffix
    netmiko: str
    scrapli: str
    ansible_network_os: str
    pyats_os: str
    loopback: str
    port_format: str  # str.format with {port}
    segment_format: str  # str.format with {vlan}
    management: str  # the out-of-band management port
    trunk: str | None  # the port whose 802.1Q sub-interfaces are the segments (None: one link per VLAN)

    def port(self, number: int) -> str:
        return self.port_format.format(port=number)

    def segment(self, vlan: int) -> str:
        return self.segment_format.format(vlan=vlan)


PLATFORMS: dict[str, Platform] = {
    p.name: p
    for p in (
        # FRR on Linux: a VLAN is its own link in the lab (no 802.1Q there).
        Platform(
            "frr",
            ".conf",
            netmiko="cisco_ios",
            scrapli="cisco_iosxe",
            ansible_network_os="frr.frr.frr",
            pyats_os="linux",
            loopback="lo",
            port_format="eth{port}",
            segment_format="vlan{vlan}",
            management="mgmt0",
            trunk=None,
        ),
        Platform(
            "ios_xe",
            ".ios",
            netmiko="cisco_xe",
            scrapli="cisco_iosxe",
            ansible_network_os="cisco.ios.ios",
            pyats_os="iosxe",
            loopback="Loopback0",
            port_format="GigabitEthernet0/0/{port}",
            segment_format="GigabitEthernet0/0/0.{vlan}",
            management="GigabitEthernet0",
            trunk="GigabitEthernet0/0/0",
        ),
        Platform(
            "junos",
            ".set",
            netmiko="juniper_junos",
            scrapli="juniper_junos",
            ansible_network_os="junipernetworks.junos.junos",
            pyats_os="junos",
            loopback="lo0.0",
            port_format="ge-0/0/{port}.0",
            segment_format="ge-0/0/0.{vlan}",
            management="fxp0.0",
            trunk="ge-0/0/0",
        ),
        Platform(
            "kamailio",
            ".cfg",
            netmiko="linux",
            scrapli="linux",
            ansible_network_os="linux",
            pyats_os="linux",
            loopback="lo",
            port_format="eth{port}",
            segment_format="vlan{vlan}",
            management="mgmt0",
            trunk=None,
        ),
    )
}

ROUTER_PLATFORMS = ("frr", "ios_xe", "junos")


def platform(name: str) -> Platform:
    return PLATFORMS[name]
