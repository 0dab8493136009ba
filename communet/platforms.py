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
        Platform("frr", ".conf", "cisco_ios", "cisco_iosxe", "frr.frr.frr", "linux", "lo", "eth{port}", "vlan{vlan}",
                 "mgmt0", None),
        Platform("ios_xe", ".ios", "cisco_xe", "cisco_iosxe", "cisco.ios.ios", "iosxe", "Loopback0",
                 "GigabitEthernet0/0/{port}", "GigabitEthernet0/0/0.{vlan}", "GigabitEthernet0", "GigabitEthernet0/0/0"),
        Platform("junos", ".set", "juniper_junos", "juniper_junos", "junipernetworks.junos.junos", "junos", "lo0.0",
                 "ge-0/0/{port}.0", "ge-0/0/0.{vlan}", "fxp0.0", "ge-0/0/0"),
        Platform("kamailio", ".cfg", "linux", "linux", "linux", "linux", "lo", "eth{port}", "vlan{vlan}", "mgmt0", None),
    )
}

ROUTER_PLATFORMS = ("frr", "ios_xe", "junos")


def platform(name: str) -> Platform:
    return PLATFORMS[name]
