"""validate, render, diff: the source-of-truth commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from communet import written
from communet.cli.common import CONFIGS, INVENTORY, InventoryOpt, fail, load_or_exit
from communet.cli.engines import ENGINES, render_nornir
from communet.design import build_design
from communet.diffs import diff_configs
from communet.gitref import GitError, files_at
from communet.platforms import ROUTER_PLATFORMS
from communet.render import check as check_configs
from communet.render import render_all, render_to


def validate(inventory: InventoryOpt = INVENTORY) -> None:
    """Load and check the inventory; print every problem, exit non-zero if any."""
    net = load_or_exit(inventory)
    intents = build_design(net)
    typer.echo(
        f"inventory ok: {len(net.towns)} towns ({len(net.live_towns)} live), "
        f"{len(intents)} devices, {sum(1 for _ in net.spans())} spans"
    )


def render(
    inventory: InventoryOpt = INVENTORY,
    check: Annotated[bool, typer.Option("--check", help="exit 1 and name stale files instead of writing")] = False,
    platform: Annotated[
        str | None, typer.Option("--platform", help=f"render every router as one of {ROUTER_PLATFORMS}")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", help="output directory (default configs/)")] = None,
    engine: Annotated[str, typer.Option("--engine", help=f"one of {ENGINES}: the same files either way")] = "python",
) -> None:
    """Render every live device's config into configs/ (or --out)."""
    if platform is not None and platform not in ROUTER_PLATFORMS:
        fail(f"unknown platform {platform!r}; choose one of {', '.join(ROUTER_PLATFORMS)}", 2)
    if platform and out is None:
        fail("--platform renders a what-if: give --out DIR so configs/ stays the network's own", 2)
    if engine not in ENGINES:
        fail(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}", 2)
    out = out or CONFIGS
    try:
        written.check_out(out)
    except written.OutError as exc:
        fail(str(exc), 2)
    if engine == "nornir":
        return render_nornir(inventory, out, check, platform)
    net = load_or_exit(inventory)
    intents = build_design(net, platform).values()
    if check:  # a file whose intent is unchanged is hashed on disk, not rendered (see communet.written)
        bad, count, _ = check_configs(intents, out)
        if bad:
            fail("stale configs (run `communet render`):\n" + "\n".join(f"  {p}" for p in bad))
        typer.echo(f"configs up to date: {count} files in {out}")
        return
    outcome = render_to(intents, out)  # renders only the files whose intent, templates or code changed
    typer.echo(f"rendered {outcome.files} configs into {out} ({len(outcome.changed)} changed)")


def diff(
    inventory: InventoryOpt = INVENTORY,
    against: Annotated[str, typer.Option("--against", help="git ref to compare with")] = "HEAD",
) -> None:
    """Per-device unified diff between the configs rendered now and those committed at a git ref."""
    net = load_or_exit(inventory)
    now = {r.path.name: r.text for r in render_all(build_design(net).values(), CONFIGS)}
    try:
        before = files_at(against, "configs")
    except GitError as exc:
        fail(f"cannot read configs/ at {against}: {exc}", 2)
    diffs = diff_configs(before, now)
    for d in diffs:
        typer.echo("\n".join(d.lines))
        if d.remediation:
            typer.echo(f"# remediation for {d.name}:\n" + "\n".join(d.remediation))
    typer.echo(f"{len(diffs)} device config(s) differ from {against}", err=True)


def register(app: typer.Typer) -> None:
    for command in (validate, render, diff):
        app.command()(command)
