"""``communet lab``: the example network on real daemons in network namespaces."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Annotated

import typer

from communet.cli.common import INVENTORY, InventoryOpt, fail, load_or_exit
from communet.lab.state import DEFAULT_DIR, State

app = typer.Typer(
    help="The lab: the example network on FRR, BIRD, Kamailio and sipp in network namespaces.", no_args_is_help=True
)

StateOpt = Annotated[Path, typer.Option("--state-dir", help="where the lab keeps pids, sockets, logs, keys")]


def _need_root() -> None:
    if os.geteuid() != 0:
        fail("the lab needs root (network namespaces, veth pairs, mounts): run it with sudo or as root", 2)


@app.command()
def up(
    inventory: InventoryOpt = INVENTORY,
    state_dir: StateOpt = DEFAULT_DIR,
    with_configs: Annotated[bool, typer.Option("--with-configs", help="load configs/ into the routers now")] = False,
    timeout: Annotated[float, typer.Option(help="seconds to wait for OSPF and BGP with --with-configs")] = 90,
) -> None:
    """Build the lab from the inventory (routers hold only a bootstrap unless --with-configs)."""
    from communet.lab.control import up as lab_up
    from communet.lab.netns import LabError

    net = load_or_exit(inventory)
    try:
        timing = lab_up(net, State(state_dir), with_configs=with_configs, timeout=timeout, say=typer.echo)
    except LabError as exc:
        fail(f"lab up: {exc}", 1)
    steps = ", ".join(f"{name} {t:.1f} s" for name, t in timing.steps)
    typer.echo(f"lab up ({steps})")


@app.command()
def down(state_dir: StateOpt = DEFAULT_DIR) -> None:
    """Remove exactly what `lab up` made (also after a crash or a half-finished up)."""
    from communet.lab.control import down as lab_down
    from communet.lab.netns import LabError

    _need_root()
    start = time.monotonic()
    try:
        lab_down(State(state_dir), say=typer.echo)
    except LabError as exc:
        fail(f"lab down: {exc}", 1)
    typer.echo(f"lab down in {time.monotonic() - start:.1f} s")


@app.command()
def status(inventory: InventoryOpt = INVENTORY, state_dir: StateOpt = DEFAULT_DIR) -> None:
    """List nodes, their daemons and their health."""
    from communet.lab.health import lab_health
    from communet.lab.topology import as_frr_note, build_topology

    _need_root()
    state = State(state_dir)
    if not state.exists():
        fail("the lab is not up (`communet lab up` starts it)", 1)
    topo = build_topology(load_or_exit(inventory))
    if note := as_frr_note(topo):
        typer.echo(note)
    rows = lab_health(state, topo)
    for row in rows:
        procs = " ".join(
            f"{name}:{pid}" + ("" if alive else "(dead)") for name, pid, alive in row.processes if name != "holder"
        )
        typer.echo(f"{'ok ' if row.ok else 'BAD'} {row.node:28} {row.kind:12} {row.detail:34} {procs}")
    bad = sum(1 for r in rows if not r.ok)
    typer.echo(f"{len(rows)} nodes, {bad} not healthy" + ("" if state.complete() else "; `lab up` did not finish"))
    if bad:
        raise typer.Exit(1)


@app.command()
def wait(
    inventory: InventoryOpt = INVENTORY,
    state_dir: StateOpt = DEFAULT_DIR,
    timeout: Annotated[float, typer.Option(help="give up after this many seconds")] = 120,
) -> None:
    """Wait until every router's OSPF adjacencies are Full and its BGP sessions Established (after a deploy)."""
    from communet.lab.health import wait_converged
    from communet.lab.netns import LabError
    from communet.lab.topology import build_topology

    _need_root()
    state = State(state_dir)
    if not state.complete():
        fail("the lab is not up (`communet lab up` starts it)", 1)
    start = time.monotonic()
    try:
        wait_converged(state, build_topology(load_or_exit(inventory)), timeout)
    except LabError as exc:
        fail(str(exc), 1)
    typer.echo(f"lab converged in {time.monotonic() - start:.1f} s")


def _run_in(node: str, cmd: list[str], state_dir: Path) -> None:
    from communet.lab.control import exec_in
    from communet.lab.netns import LabError

    try:
        argv = exec_in(State(state_dir), node, cmd)
    except LabError as exc:
        fail(str(exc), 1)
    sys.stdout.flush()
    os.execvp(argv[0], argv)


@app.command("exec", context_settings={"allow_extra_args": True, "ignore_unknown_options": True})
def exec_(
    node: Annotated[str, typer.Argument(help="node name, as `lab status` lists it")],
    cmd: Annotated[list[str], typer.Argument(help="the command (after --)")],
    state_dir: StateOpt = DEFAULT_DIR,
) -> None:
    """Run CMD inside NODE (its network, mount and hostname namespaces)."""
    _need_root()
    _run_in(node, cmd, state_dir)


@app.command()
def cli(
    node: Annotated[str, typer.Argument(help="node name, as `lab status` lists it")],
    inventory: InventoryOpt = INVENTORY,
    state_dir: StateOpt = DEFAULT_DIR,
) -> None:
    """The node's own CLI: vtysh on FRR nodes, birdc on route servers, kamcmd on SIP servers."""
    from communet.lab import bird, kamailio
    from communet.lab.topology import build_topology

    _need_root()
    state = State(state_dir)
    try:
        kind = build_topology(load_or_exit(inventory)).node(node).kind
    except KeyError:
        fail(f"no lab node {node!r}\n    hint: `communet lab status` lists the nodes", 1)
    commands = {
        "routeserver": ["birdc", "-s", bird.socket_path(state, node)],
        "sip": ["kamcmd", "-s", f"unix:{kamailio.ctl_socket(state, node)}"],
    }
    _run_in(node, commands.get(kind, ["vtysh"] if kind in ("router", "member") else ["bash"]), state_dir)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="lab")
