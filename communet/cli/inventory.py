"""``communet inventory ansible|nornir|pyats``: print each tool's generated inventory."""

from __future__ import annotations

import json

import typer
import yaml

from communet.cli.common import INVENTORY, InventoryOpt, load_or_exit
from communet.design import build_design
from communet.inventories import ansible_inventory, nornir_hosts, pyats_testbed
from communet.lab.access import tools_known_hosts

app = typer.Typer(help="Print the inventories generated from the model (Ansible, Nornir, pyATS).", no_args_is_help=True)


def _dump_yaml(data: object) -> str:
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=False, allow_unicode=True)


@app.command()
def ansible(inventory: InventoryOpt = INVENTORY) -> None:
    """JSON shaped like `ansible-inventory --list`."""
    intents = build_design(load_or_exit(inventory))
    typer.echo(json.dumps(ansible_inventory(intents, tools_known_hosts()), indent=2))


@app.command()
def nornir(inventory: InventoryOpt = INVENTORY) -> None:
    """The Nornir hosts as YAML: hostname, platform, groups, connection options, a data summary."""
    typer.echo(_dump_yaml(nornir_hosts(build_design(load_or_exit(inventory)))), nl=False)


@app.command()
def pyats(inventory: InventoryOpt = INVENTORY) -> None:
    """A pyATS testbed YAML; the SSH password is read from the environment when loaded."""
    net = load_or_exit(inventory)
    typer.echo(_dump_yaml(pyats_testbed(net, build_design(net))), nl=False)


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="inventory")
