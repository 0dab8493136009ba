"""Run ``playbooks/deploy.yml`` under the deploy lock, with the same options as the Nornir deploy.

``--limit`` names become Ansible patterns (a site becomes its ``site_<name>`` group),
a dry-run becomes ``--check --diff``, and the secrets are put in the environment the
playbook's template reads, from the same places the Nornir deploy reads them.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from communet import ROOT
from communet.deploy.ansible_step import start_results, write_report
from communet.deploy.lock import DeployLock
from communet.deploy.plan import select, split_names
from communet.deploy.run import DeployOptions, targets
from communet.deploy.secrets import load_secrets, secret_names
from communet.deploy.target import ENV_KEY, ENV_KNOWN_HOSTS, ENV_TARGET, ENV_USER, resolve
from communet.design import Intent
from communet.inventories import Device, devices, group_name

PLAYBOOK = ROOT / "playbooks" / "deploy.yml"


def ansible_limit(intents: dict[str, Intent], names: Sequence[str]) -> str:
    """``--limit`` for Ansible: devices by name, sites by their group (raises PlanError if unknown)."""
    select(devices(intents), names)  # same validation, same message
    sites = {d.site for d in devices(intents)}
    return ",".join(group_name("site", n) if n in sites else n for n in split_names(names))


def playbook_argv(intents: dict[str, Intent], options: DeployOptions, waves: list[list[Device]]) -> list[str]:
    """The ``ansible-playbook`` command line for ``waves`` (as :func:`communet.deploy.run.targets` plans them)."""
    argv = [str(Path(sys.executable).parent / "ansible-playbook"), str(PLAYBOOK.relative_to(ROOT)), "--diff"]
    if not options.commit:
        argv.append("--check")
    if options.limit:
        argv += ["--limit", ansible_limit(intents, options.limit)]
    if len(waves) > 1 and (options.canary or options.auto_canary):  # wave 1 alone, as the Nornir deploy
        argv += ["-e", f"canary={','.join(d.name for d in waves[0])}", "-e", f"canary_size={len(waves[0])}"]
    if options.wave_size:
        argv += ["-e", f"wave_size={options.wave_size}"]
    argv += ["-e", f"state_dir={options.state_dir}", "-e", f"keep={options.keep}"]
    argv += ["-e", f"verify_timeout={options.verify_timeout:g}"]
    return argv


@contextmanager
def what_if_file(options: DeployOptions) -> Iterator[list[str]]:
    """``DeployOptions.intended`` for the playbook: a private file while it runs (it holds secrets)."""
    if not options.intended:
        yield []
        return
    options.state_dir.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix="intended-", suffix=".json", dir=options.state_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(options.intended, fh)
        yield ["-e", f"intended_file={name}"]
    finally:
        os.unlink(name)


def deploy_with_ansible(intents: dict[str, Intent], options: DeployOptions) -> int:
    """Run the playbook (raises PlanError, TargetError, LockHeld); write the report as the Nornir
    deploy does (``last.json``); return the playbook's exit status."""
    waves = targets(intents, options)
    argv = playbook_argv(intents, options, waves)
    load_secrets(secret_names(intents.values()), options.secrets_files)
    resolve([d for wave in waves for d in wave], options.target)  # a lab that is not up stops here
    env = dict(os.environ)
    given = options.target
    for name, value in (
        (ENV_TARGET, given.kind),
        (ENV_USER, given.user),
        (ENV_KEY, given.key),
        (ENV_KNOWN_HOSTS, given.known_hosts),
    ):
        if value is not None:
            env[name] = str(value)  # the action plugin resolves the target as the CLI does
    with DeployLock(options.state_dir / "deploy.lock"), what_if_file(options) as extra:
        start_results(options.state_dir)
        code = subprocess.run(argv + extra, cwd=ROOT, env=env, check=False).returncode
        write_report(
            waves, options.state_dir, options.commit, None if code in (0, 2) else f"ansible-playbook exited {code}"
        )
    return code
