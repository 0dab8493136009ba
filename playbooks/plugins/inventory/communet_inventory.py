"""Ansible inventory plugin: hosts, groups and host vars from the communet model.

Thin: :func:`communet.inventories.ansible_inventory` decides everything; this plugin
copies it into Ansible's inventory. An invalid source of truth fails the parse with
every problem, each naming its file and key path.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ansible.errors import AnsibleParserError
from ansible.plugins.inventory import BaseInventoryPlugin

from communet import ROOT
from communet.design import build_design
from communet.errors import InventoryError
from communet.inventories import ansible_inventory
from communet.lab.access import tools_known_hosts
from communet.model.load import load_network

DOCUMENTATION = r"""
    name: communet_inventory
    short_description: The syndicate's devices from the communet source of truth
    description:
      - Loads and validates inventory/, derives every live device's intent, and adds
        one host per device with groups per site, platform and role.
      - Host vars are intent, config_file, template, ansible_host, ansible_user and
        ansible_network_os.
    options:
      plugin:
        description: Marks the file as this plugin's configuration.
        required: true
        choices: ["communet_inventory"]
      inventory_dir:
        description: The inventory directory; a relative path is taken from the repository root.
        type: path
        default: inventory
        env:
          - name: COMMUNET_INVENTORY
      known_hosts:
        description:
          - The known_hosts file pinning the devices' host keys, passed to ssh for every host.
          - Default is the running lab's known_hosts (written by lab up) when there is one, else
            OpenSSH's own files (the operator's ~/.ssh/known_hosts). Checking is never turned off.
        type: path
        required: false
        env:
          - name: COMMUNET_KNOWN_HOSTS
      platform:
        description: Render every router as this platform (a what-if, as communet render --platform).
        type: str
        required: false
        env:
          - name: COMMUNET_PLATFORM
"""

EXAMPLES = r"""
    # playbooks/inventory/communet.yml
    plugin: communet
    inventory_dir: inventory
"""


def known_hosts(given: str | None) -> Path | None:
    return tools_known_hosts(given)


class InventoryModule(BaseInventoryPlugin):
    NAME = "communet_inventory"

    def verify_file(self, path: str) -> bool:
        return super().verify_file(path) and Path(path).name in {"communet.yml", "communet.yaml"}

    def parse(self, inventory: Any, loader: Any, path: str, cache: bool = True) -> None:
        super().parse(inventory, loader, path, cache)
        self._read_config_data(path)
        source = Path(os.path.expanduser(str(self.get_option("inventory_dir"))))
        source = source if source.is_absolute() else ROOT / source
        try:
            intents = build_design(load_network(source), self.get_option("platform") or None)
            data = ansible_inventory(intents, known_hosts(self.get_option("known_hosts")))
        except InventoryError as exc:
            raise AnsibleParserError(str(exc)) from None
        self._populate(data)

    def _populate(self, data: dict[str, Any]) -> None:
        hostvars = data["_meta"]["hostvars"]
        for group, body in data.items():
            if group in {"_meta", "all"}:
                continue
            self.inventory.add_group(group)
            for name in body.get("hosts", []):
                self.inventory.add_host(name, group=group)
        for name, variables in hostvars.items():
            self.inventory.add_host(name)
            for key, value in variables.items():
                self.inventory.set_variable(name, key, value)
