"""``communet verify``: check the running network against the intent; snapshots and compare."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer

from communet.cli.common import INVENTORY, InventoryOpt, JsonOpt, fail, interactive, load_or_exit
from communet.design import build_design
from communet.verify import registry, report, snapshot
from communet.verify.collect import TRANSPORTS, HostKeyMismatch
from communet.verify.results import Run
from communet.verify.run import learn, make_context
from communet.verify.run import verify as run_verify
from communet.verify.target import ENV, KINDS, Overrides, TargetError, resolve

FAMILIES = registry.families()


def _print_run(run: Run, paths: tuple[str, str]) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"verify: {'all checks passed' if run.ok else 'FAILURES'}")
    for col in ("family", "check", "passed", "failed", "notes"):
        table.add_column(col, justify="right" if col in ("passed", "failed") else "left")
    for family, name, passed, failed, note in report.rows(run):
        style = "red" if failed else "green"
        table.add_row(escape(family), escape(name), str(passed), f"[{style}]{failed}[/{style}]", escape(note[:100]))
    console = Console(width=160, emoji=False, highlight=False)
    console.print(table)
    for err in run.errors:
        console.print(f"[red]error:[/red] {escape(err)}")
    for item in run.not_run:
        console.print(f"[yellow]not run:[/yellow] {escape(item)}")
    console.print(
        f"{len(run.checks)} checks, {len(run.failed())} failed, {run.seconds.get('total', 0):.1f} s "
        f"({', '.join(f'{k} {v:.1f}' for k, v in run.seconds.items() if k != 'total')})"
    )
    console.print(f"report: {paths[1]} (json: {paths[0]})")


def _compare(a: str, b: str, as_json: bool) -> None:
    try:
        changes = snapshot.compare(snapshot.load(a), snapshot.load(b))
    except snapshot.SnapshotError as exc:
        fail(str(exc), 2)
    if as_json:
        typer.echo(
            json.dumps(
                [{"path": c.path, "kind": c.kind, "before": c.before, "after": c.after} for c in changes], indent=1
            )
        )
        return
    for change in changes:
        typer.echo(str(change))
    typer.echo(f"{len(changes)} change(s) from {a} to {b} (counters and timers ignored)", err=True)


def verify(
    inventory: InventoryOpt = INVENTORY,
    family: Annotated[
        list[str] | None,
        typer.Option("--family", "-f", help=f"one of {', '.join(FAMILIES)}; repeat for several (default: all)"),
    ] = None,
    snapshot_name: Annotated[
        str | None, typer.Option("--snapshot", help="save the learned state as NAME under reports/snapshots/")
    ] = None,
    compare: Annotated[
        tuple[str, str] | None,
        typer.Option("--compare", help="show what changed from snapshot A to snapshot B, then stop"),
    ] = None,
    transport: Annotated[
        str,
        typer.Option(
            "--transport", help="how to reach routers: ssh (management network) or lab (vtysh inside the node)"
        ),
    ] = "ssh",
    target: Annotated[
        str,
        typer.Option(
            "--target",
            help="lab: the running lab (its key and known_hosts); network: the inventory's management "
            "addresses, the operator's key and ~/.ssh/known_hosts. Span cuts and calls need the lab.",
        ),
    ] = "lab",
    user: Annotated[
        str | None, typer.Option("--user", help=f"SSH login (default: ${ENV['user']}, the inventory's)")
    ] = None,
    key: Annotated[Path | None, typer.Option("--key", help=f"SSH private key (default: ${ENV['key']})")] = None,
    known_hosts: Annotated[
        Path | None,
        typer.Option("--known-hosts", help=f"the file pinning the devices' host keys (default: ${ENV['known_hosts']})"),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Check the running network against the intent; print a table, write reports/verify-*.{json,md}."""
    if compare:
        _compare(compare[0], compare[1], as_json)
        return
    asked = tuple(family) if family else None
    families = asked or FAMILIES
    unknown = [f for f in families if f not in FAMILIES]
    if unknown:
        fail(f"unknown family {', '.join(unknown)}; choose from {', '.join(FAMILIES)}", 2)
    if transport not in TRANSPORTS:
        fail(f"unknown transport {transport!r}; choose ssh or lab", 2)
    if target not in KINDS:
        fail(f"unknown target {target!r}; choose {' or '.join(KINDS)}", 2)
    if transport == "lab" and target != "lab":
        fail("--transport lab reaches routers from inside the lab: it needs --target lab", 2)
    if snapshot_name:
        try:
            snapshot.path_of(snapshot_name)
        except snapshot.SnapshotError as exc:
            fail(str(exc), 2)
    net = load_or_exit(inventory)
    intents = build_design(net)
    try:
        where = resolve(target, net, intents, Overrides(user, key, known_hosts))
    except TargetError as exc:
        fail(str(exc), 2)
    ctx = make_context(net, intents, where, transport, say=typer.echo if interactive() and not as_json else None)
    try:
        if snapshot_name and not ({"backbone", "ix"} & set(families)):
            state, errors = learn(ctx)
            run = Run(started=time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime()), errors=errors)
        else:
            run, state = run_verify(ctx, asked)
    except HostKeyMismatch as exc:
        fail(str(exc), 2)
    finally:
        ctx.transport.close()
    if snapshot_name:
        typer.echo(f"snapshot saved: {snapshot.save(snapshot_name, state)}", err=True)
    if not run.checks and snapshot_name:
        return
    json_path, md_path = report.write(run)
    if as_json:
        typer.echo(json.dumps({**run.as_dict(), "report": str(md_path)}, indent=1))
    else:
        _print_run(run, (str(json_path), str(md_path)))
    if not run.ok:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command()(verify)
