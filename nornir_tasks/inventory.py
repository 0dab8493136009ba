"""Nornir inventory plugin: hosts, groups and data from the communet model and design.

Thin: every fact comes from :mod:`communet.inventories`; this module only turns it
into Nornir objects. Host data holds the device's intent object itself under
``intent``, so tasks render from the same typed data as the CLI.
"""

from __future__ import annotations

from pathlib import Path

from nornir.core.inventory import (
    ConnectionOptions,
    Defaults,
    Group,
    Groups,
    Host,
    Hosts,
    Inventory,
    ParentGroups,
)

from communet import ROOT
from communet.design import build_design
from communet.inventories import SSH_PORT, Device, connection_options, devices
from communet.model.load import load_network


class CommunetInventory:
    """``inventory: {plugin: CommunetInventory, options: {inventory_dir: ...}}``.

    Raises :class:`communet.errors.InventoryError` (every problem, with file and key
    path) when the inventory does not validate.
    """

    def __init__(self, inventory_dir: str | Path = ROOT / "inventory", platform: str | None = None) -> None:
        self.inventory_dir = Path(inventory_dir)
        self.platform = platform  # render every router as this platform (a what-if)

    def load(self) -> Inventory:
        devs = devices(build_design(load_network(self.inventory_dir), self.platform))
        return build_inventory(devs)


def build_inventory(devs: list[Device]) -> Inventory:
    defaults = Defaults()
    groups = Groups()
    for dev in devs:
        for name in dev.groups:
            if name not in groups:
                groups[name] = Group(name=name, defaults=defaults)
    hosts = Hosts()
    for dev in devs:
        hosts[dev.name] = host(dev, groups, defaults)
    return Inventory(hosts=hosts, groups=groups, defaults=defaults)


def host(dev: Device, groups: Groups, defaults: Defaults) -> Host:
    libraries = connection_options(dev.platform)
    options = {lib: ConnectionOptions(platform=opts["platform"]) for lib, opts in libraries.items()}
    return Host(
        name=dev.name,
        hostname=dev.address,
        port=SSH_PORT,
        username=dev.username,
        platform=dev.platform.name,
        groups=ParentGroups(groups[name] for name in dev.groups),
        data={"intent": dev.intent},
        connection_options=options,
        defaults=defaults,
    )
