"""deploy: push the rendered configs to the running network with Nornir (dry-run by default)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from communet.cli.common import INVENTORY, InventoryOpt, JsonOpt, fail, load_or_exit
from communet.deploy.lock import LockHeld
from communet.deploy.plan import PlanError
from communet.deploy.run import DEPLOY_DIR, DeployOptions
from communet.deploy.secrets import SecretsFileError
from communet.deploy.summary import print_report
from communet.deploy.target import Overrides, TargetError
from communet.design import build_design
from communet.errors import InventoryError
from communet.progress import steps

LimitOpt = Annotated[
    list[str] | None, typer.Option("--limit", "-l", help="only these sites or devices (repeat or comma-separate)")
]
CanaryOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--canary", help="site or device deployed first, alone (default: the first town); a failure stops all"
    ),
]
NoCanaryOpt = Annotated[bool, typer.Option("--no-canary", help="no canary wave: every device in waves of --wave-size")]
WaveOpt = Annotated[
    int | None, typer.Option("--wave-size", "--wave", help="devices per wave after the canary (default: all)")
]
TimeoutOpt = Annotated[float, typer.Option("--verify-timeout", help="seconds to wait for adjacencies and sessions")]

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_LOCKED = 3


def deploy(
    inventory: InventoryOpt = INVENTORY,
    commit: Annotated[bool, typer.Option("--commit", help="apply the changes (default: dry-run, diff only)")] = False,
    limit: LimitOpt = None,
    canary: CanaryOpt = None,
    no_canary: NoCanaryOpt = False,
    wave_size: WaveOpt = None,
    json_output: JsonOpt = False,
    keep: Annotated[int, typer.Option("--keep", help="backup runs kept")] = 10,
    verify_timeout: TimeoutOpt = 60.0,
    workers: Annotated[int, typer.Option("--workers", help="devices deployed in parallel in a wave")] = 4,
    target: Annotated[
        str | None, typer.Option("--target", help="lab (default; refused when it is not up) or network")
    ] = None,
    ssh_user: Annotated[str | None, typer.Option("--ssh-user", help="login user (default: the target's)")] = None,
    ssh_key: Annotated[Path | None, typer.Option("--ssh-key", help="SSH private key (default: the target's)")] = None,
    known_hosts: Annotated[
        Path | None, typer.Option("--known-hosts", help="known_hosts pinning the devices' keys (default: the target's)")
    ] = None,
    state_dir: Annotated[Path, typer.Option("--state-dir", help="backups, lock and last report")] = DEPLOY_DIR,
    engine: Annotated[
        str, typer.Option("--engine", help="nornir, or ansible (playbooks/deploy.yml, FRR routers)")
    ] = "nornir",
) -> None:
    """Back up, diff, check, apply (with --commit), verify and, on failure, roll back each device."""
    options = DeployOptions(
        commit=commit,
        limit=tuple(limit or ()),
        canary=tuple(canary or ()),
        auto_canary=not no_canary,
        wave_size=wave_size,
        keep=keep,
        verify_timeout=verify_timeout,
        state_dir=state_dir,
        target=Overrides(target, ssh_user, ssh_key, known_hosts),
    )
    if canary and no_canary:
        fail("--canary and --no-canary contradict each other", EXIT_USAGE)
    for flag, path in (("--ssh-key", ssh_key), ("--known-hosts", known_hosts)):
        if path is not None and not path.is_file():
            fail(f"{flag}: {path} is not a file", EXIT_USAGE)
    if engine == "ansible":
        with_ansible(inventory, options, json_output)
        return
    if engine != "nornir":
        fail(f"--engine: {engine!r} is not one of nornir, ansible", EXIT_USAGE)
    from nornir_tasks.deploy import deploy_with_nornir  # Nornir is imported only when deploying

    try:
        with steps("deploying", json_output=json_output) as advance:
            report = deploy_with_nornir(options, inventory, workers, on_done=lambda _: advance())
    except InventoryError as exc:
        fail(str(exc), EXIT_USAGE)
    except (PlanError, SecretsFileError, TargetError) as exc:
        fail(str(exc), EXIT_USAGE)
    except LockHeld as exc:
        fail(f"{exc}\n    hint: wait for it to finish; the lock frees itself when that process exits", EXIT_LOCKED)
    if json_output:
        typer.echo(json.dumps(report.as_json(), indent=2))
    else:
        print_report(report, Console(file=sys.stdout, width=160))
    if not report.ok:
        raise typer.Exit(EXIT_FAILED)


def with_ansible(inventory: Path, options: DeployOptions, json_output: bool) -> None:
    """The same deploy with Ansible, under the same lock; the playbook prints its own recap."""
    from communet.deploy.ansible import deploy_with_ansible

    if json_output:
        fail("--json is for --engine nornir; the playbook prints its own recap", EXIT_USAGE)
    intents = build_design(load_or_exit(inventory))
    try:
        code = deploy_with_ansible(intents, options)
    except (PlanError, TargetError) as exc:
        fail(str(exc), EXIT_USAGE)
    except LockHeld as exc:
        fail(f"{exc}\n    hint: wait for it to finish; the lock frees itself when that process exits", EXIT_LOCKED)
    if code != 0:
        raise typer.Exit(EXIT_FAILED)


def register(app: typer.Typer) -> None:
    app.command()(deploy)
