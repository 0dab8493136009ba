"""SSH into lab nodes: a key pair under the state dir, one sshd per managed node.

Root and the unprivileged deploy user (:data:`communet.lab.access.DEPLOY_USER`, sudo
for what a deploy runs) log in with the lab key; the model's management user logs in
with the same key and lands in ``vtysh`` (CLI-style tools). Each node's host key is
written to the lab's ``known_hosts``, and every client here checks it.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from communet.lab.access import ensure_system_user, host_key_line
from communet.lab.netns import LabError, enter, run, spawn
from communet.lab.nodes import node_paths
from communet.lab.state import Entry, State
from communet.lab.templates import render
from communet.lab.topology import Node

PRIVSEP_DIR = Path("/run/sshd")
VTYSH = "/usr/bin/vtysh"
#: The management user's sessions: a command given over SSH runs in vtysh, else an interactive vtysh.
CLI_COMMAND = f'if [ -n "$SSH_ORIGINAL_COMMAND" ]; then exec {VTYSH} -c "$SSH_ORIGINAL_COMMAND"; else exec {VTYSH}; fi'
VTY_GROUP = "frrvty"


@dataclass(frozen=True, slots=True)
class SshdConfig:
    node: str
    address: str
    host_key: str
    pid_file: str
    authorized_keys: str
    cli_user: str
    cli_command: str


def make_keys(state: State) -> None:
    """The lab's client key pair (private, 0700 dir) and the authorized_keys every node trusts."""
    state.private_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    state.private_dir.chmod(0o700)
    state.ssh_dir.mkdir(parents=True, exist_ok=True)
    state.ssh_dir.chmod(0o755)  # the login users read authorized_keys (public keys only)
    if not state.private_key.exists():
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "communet-lab", "-f", str(state.private_key)])
    auth = state.ssh_dir / "authorized_keys"
    shutil.copyfile(state.private_key.with_suffix(".pub"), auth)
    auth.chmod(0o644)


def ensure_user(state: State, user: str) -> None:
    """The management user (a vtysh login); created only when missing, and recorded so."""
    ensure_system_user(state, user, (VTY_GROUP,))


def ensure_privsep(state: State) -> None:
    if not PRIVSEP_DIR.exists():
        state.record(Entry("dir", str(PRIVSEP_DIR)))
        PRIVSEP_DIR.mkdir(mode=0o755)


def start(state: State, node: Node, holder: int, user: str) -> str:
    """Start the node's sshd; return its known_hosts line (management address, host key)."""
    if node.mgmt is None:
        raise LabError(f"{node.name} has no management address")
    paths = node_paths(state, node.name)
    base = paths.base / "ssh"
    base.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = base / "ssh_host_ed25519_key"
    if not key.exists():
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", node.name, "-f", str(key)])
    keys = str(state.ssh_dir / "authorized_keys")
    if '"' in keys or any(ord(c) < 32 for c in keys):  # sshd_config quotes it in double quotes
        raise LabError(f"the lab's state dir {state.dir} has a double quote or a control character in its path")
    config = SshdConfig(
        node=node.name,
        address=node.mgmt.split("/")[0],
        host_key=str(key),
        pid_file=str(base / "sshd.pid"),
        authorized_keys=keys,
        cli_user=user,
        cli_command=CLI_COMMAND if node.daemons else "",
    )
    conf = base / "sshd_config"
    conf.write_text(render("sshd_config.j2", ssh=config), encoding="utf-8")
    os.chmod(conf, 0o600)
    run(["/usr/sbin/sshd", "-t", "-f", str(conf)])
    spawn(
        state, node.name, "sshd", enter(holder, ["/usr/sbin/sshd", "-D", "-e", "-f", str(conf)]), paths.log / "sshd.log"
    )
    return host_key_line(config.address, key.with_suffix(".pub"))


def ssh_command(state: State, node: Node, user: str = "root") -> list[str]:
    """How to reach ``node`` over its management address with the lab key, its host key pinned."""
    if node.mgmt is None:
        raise LabError(f"{node.name} has no management address")
    return [
        "ssh",
        "-i",
        str(state.private_key),
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        "StrictHostKeyChecking=yes",
        "-o",
        f"UserKnownHostsFile={state.known_hosts}",
        "-o",
        "GlobalKnownHostsFile=/dev/null",
        "-o",
        "LogLevel=ERROR",
        f"{user}@{node.mgmt.split('/')[0]}",
    ]
