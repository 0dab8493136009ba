"""The ``communet`` command: one entry point for engineers and CI."""

from __future__ import annotations

import typer

from communet.cli import core, deploy, docs, inventory, lab, report, town, verify

app = typer.Typer(
    help="communet: the syndicate network as code (validate, render, diff, lab, deploy, verify).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
core.register(app)
docs.register(app)
deploy.register(app)
inventory.register(app)
lab.register(app)
report.register(app)
town.register(app)
verify.register(app)


def main() -> None:
    app()
