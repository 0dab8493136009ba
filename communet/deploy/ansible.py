"""Run ``playbooks/deploy.yml`` under the deploy lock, with the same options as the Nornir deploy.

``--limit`` names become Ansible patterns (a site becomes its ``site_<name>`` group),
a dry-run becomes ``--check --diff``, and the secrets are put in the environment the
playbook's template reads, from the same places the Nornir deploy reads them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from communet import ROOT
from communet.deploy.lock import DeployLock
from communet.deploy.plan import select, split_names
from communet.deploy.run import DeployOptions
from communet.deploy.secrets import load_secrets, secret_names
from communet.design import Intent
from communet.inventories import devices, group_name

PLAYBOOK = ROOT / "playbooks" / "deploy.yml"


def ansible_limit(intents: dict[str, Intent], names: Sequence[str]) -> str:
    """``--limit`` for Ansible: devices by name, sites by their group (raises PlanError if unknown)."""
    select(devices(intents), names)  # same validation, same message
    sites = {d.site for d in devices(intents)}
    return ",".join(group_name("site", n) if n in sites else n for n in split_names(names))


def playbook_argv(intents: dict[str, Intent], options: DeployOptions) -> list[str]:
    argv = [str(Path(sys.executable).parent / "ansible-playbook"), str(PLAYBOOK.relative_to(ROOT)), "--diff"]
    if not options.commit:
        argv.append("--check")
    if options.limit:
        argv += ["--limit", ansible_limit(intents, options.limit)]
    if options.wave_size:
        argv += ["-e", f"wave_size={options.wave_size}"]
    argv += ["-e", f"backup_root={options.state_dir / 'backups'}", "-e", f"keep={options.keep}"]
    return argv


def deploy_with_ansible(intents: dict[str, Intent], options: DeployOptions) -> int:
    """Run the playbook (raises PlanError, LockHeld); return its exit status."""
    argv = playbook_argv(intents, options)
    load_secrets(secret_names(intents.values()), options.secrets_files)
    env = dict(os.environ)
    if options.target.key:
        env["COMMUNET_SSH_KEY"] = str(options.target.key)  # the playbook's key setting reads it
    with DeployLock(options.state_dir / "deploy.lock"):
        return subprocess.run(argv, cwd=ROOT, env=env, check=False).returncode
