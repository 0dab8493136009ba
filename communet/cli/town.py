"""town new: a new town's inventory file with the next free ids."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from communet.cli.common import INVENTORY, InventoryOpt, JsonOpt, fail, load_or_exit
from communet.errors import InventoryError
from communet.model.site import Phase
from communet.town_new import new_town

app = typer.Typer(help="Towns: add one to the inventory.", no_args_is_help=True)


@app.command()
def new(
    name: Annotated[
        str, typer.Argument(help="the town's machine name (lowercase, digits, dashes); default: from --display-name")
    ] = "",
    inventory: InventoryOpt = INVENTORY,
    display_name: Annotated[
        str, typer.Option("--display-name", help="as people write it (accents, spaces); the name is derived from it")
    ] = "",
    phase: Annotated[Phase, typer.Option("--phase", help="planned, staged or active")] = "planned",
    segment: Annotated[
        list[str] | None,
        typer.Option("--segment", help="a segment role (repeat); default: every role numbered from the site block"),
    ] = None,
    telephony: Annotated[
        bool | None,
        typer.Option(
            "--telephony/--no-telephony",
            help="a SIP server and extensions (default: with the telephony segment)",
        ),
    ] = None,
    span_to: Annotated[
        list[str] | None,
        typer.Option(
            "--span-to", help="connect to this router over a new span (repeat for a ring); a free port is picked"
        ),
    ] = None,
    length_km: Annotated[float, typer.Option("--length-km", help="fiber length of the new span(s)")] = 1.0,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="print the file instead of writing it")] = False,
    json_output: JsonOpt = False,
) -> None:
    """Write inventory/towns/NAME.yml with the next free site, router, SIP server and span ids."""
    net = load_or_exit(inventory)
    try:
        made = new_town(net, inventory, name, display_name, phase, segment, telephony, span_to, length_km)
    except InventoryError as exc:
        fail(str(exc), 2)
    if not dry_run:
        made.path.write_text(made.text, encoding="utf-8")
    if json_output:
        typer.echo(
            json.dumps(
                {
                    "path": str(made.path),
                    "written": not dry_run,
                    "town": made.town.model_dump(),
                    "todo": list(made.todo),
                },
                indent=1,
            )
        )
        return
    if dry_run:
        typer.echo(made.text, nl=False)
    else:
        typer.echo(f"wrote {made.path.relative_to(inventory.parent)}:")
        typer.echo("".join(f"  {line}\n" for line in made.text.splitlines()), nl=False)
    typer.echo("still to decide:")
    typer.echo("".join(f"  - {item}\n" for item in made.todo), nl=False)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="town")
