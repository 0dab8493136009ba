"""What every subcommand shares: options, loading the inventory, reporting errors."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from communet import ROOT
from communet.errors import InventoryError
from communet.model.load import load_network
from communet.model.network import Network

INVENTORY = ROOT / "inventory"
CONFIGS = ROOT / "configs"

InventoryOpt = Annotated[Path, typer.Option("--inventory", "-i", help="inventory directory")]
JsonOpt = Annotated[bool, typer.Option("--json", help="machine-readable output, no progress")]


def fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def load_or_exit(inventory: Path) -> Network:
    """Load the inventory; on problems print them all and exit 2 (no traceback)."""
    try:
        return load_network(inventory)
    except InventoryError as exc:
        fail(str(exc), 2)


def interactive() -> bool:
    return sys.stderr.isatty()
