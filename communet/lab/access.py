"""Least privilege in the lab: the deploy user, its sudo rules, and the known_hosts file.

Deploys log in as :data:`DEPLOY_USER`, an unprivileged system user (no password, the
lab's key only). Inside each managed node it may run as root exactly the commands a
deploy needs, listed in :data:`SUDO_COMMANDS` by node kind: ``vtysh``,
``frr-reload.py`` and ``nft`` on routers, the Kamailio restart on SIP servers. The
rules live in the node's own ``/etc/sudoers.d`` (a directory of the state dir mounted
over it inside the node only), so the machine's sudo rules never change.

Where a deploy may write without sudo: :data:`STAGING` on routers (the intended file,
checked then applied with sudo), the Kamailio config directory :data:`KAMAILIO_ETC`
on SIP servers.

``lab up`` also writes ``known_hosts`` beside the lab key: the host key each node's
sshd got, under its management address, so every client pins it.
"""

from __future__ import annotations

import os
import pwd
import shlex
from pathlib import Path

from communet.lab.netns import run
from communet.lab.state import Entry, State

#: The unprivileged user every deploy logs in as.
DEPLOY_USER = "communet-deploy"
#: Groups: read /etc/frr and frr.conf (frr), reach the daemons' vty sockets (frrvty).
DEPLOY_GROUPS = ("frr", "frrvty")
#: Inside a router: the directory the deploy user stages files in (under /etc/frr).
STAGING = "/etc/frr/deploy"
#: Inside a SIP server: its config directory, writable by the deploy user.
KAMAILIO_ETC = "/etc/kamailio"
#: Inside a SIP server: the restart command the lab provides (``sudo`` allows it).
KAMAILIO_RESTART = "/usr/local/sbin/kamailio-restart"
SUDOERS_NAME = "communet-deploy"
#: node kind -> commands the deploy user may run as root there.
SUDO_COMMANDS: dict[str, tuple[str, ...]] = {
    "router": ("/usr/bin/vtysh", "/usr/lib/frr/frr-reload.py", "/usr/sbin/nft"),
    "sip": (KAMAILIO_RESTART,),
}


def ensure_system_user(state: State, user: str, groups: tuple[str, ...]) -> None:
    """Create a login-less system user in ``groups`` when missing (recorded, so ``lab down`` removes it)."""
    try:
        pwd.getpwnam(user)
        return
    except KeyError:
        pass
    state.record(Entry("user", user))
    run(
        [
            "useradd",
            "--system",
            "--no-create-home",
            "--home-dir",
            "/",
            "--shell",
            "/bin/sh",
            "--password",
            "*",
            "--groups",
            ",".join(groups),
            user,
        ]
    )


def ensure_deploy_user(state: State, user: str = DEPLOY_USER) -> None:
    """Create the deploy user when missing (recorded, so ``lab down`` removes it)."""
    ensure_system_user(state, user, DEPLOY_GROUPS)


def sudoers(kind: str, user: str = DEPLOY_USER) -> str:
    """The sudo rules of a node of ``kind``: its commands, as root, without a password.

    >>> print(sudoers("sip"), end="")
    Defaults:communet-deploy !lecture, env_reset
    communet-deploy ALL=(root) NOPASSWD: /usr/local/sbin/kamailio-restart
    """
    commands = SUDO_COMMANDS.get(kind, ())
    if not commands:
        return ""
    return f"Defaults:{user} !lecture, env_reset\n{user} ALL=(root) NOPASSWD: {', '.join(commands)}\n"


def write_sudoers(directory: Path, kind: str) -> None:
    """The node's sudoers.d: root-owned, 0750, the rules file 0440 (as sudo requires)."""
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o750)
    text = sudoers(kind)
    if text:
        path = directory / SUDOERS_NAME
        path.write_text(text, encoding="utf-8")
        path.chmod(0o440)
        run(["visudo", "-c", "-q", "-f", str(path)])


def owned_by_deploy(directory: Path, mode: int = 0o700, user: str = DEPLOY_USER) -> None:
    """A directory the deploy user writes to (created when missing)."""
    entry = pwd.getpwnam(user)
    directory.mkdir(parents=True, exist_ok=True)
    os.chown(directory, entry.pw_uid, entry.pw_gid)
    directory.chmod(mode)


def kamailio_restart_script(argv: list[str], pid_file: str, log: str) -> str:
    """The restart command of one SIP server: stop it (PID file), start it again detached.

    Its one optional argument names a file in :data:`KAMAILIO_ETC` to run from (default
    ``kamailio.cfg``); the file is checked with ``kamailio -c`` first, and nothing else
    of the command line can be changed.
    """
    config_index = argv.index("-f") + 1
    before, after = shlex.join(argv[:config_index]), shlex.join(argv[config_index + 1 :])
    pid, logq = shlex.quote(pid_file), shlex.quote(log)
    return "\n".join(
        [
            "#!/bin/sh",
            "# Restart this SIP server with the same command line; written by `communet lab up`.",
            "set -eu",
            'name="${1:-kamailio.cfg}"',
            'case "$name" in */*|.*|"") echo "kamailio-restart: give a file name in '
            + KAMAILIO_ETC
            + '" >&2; exit 2;; esac',
            f'config="{KAMAILIO_ETC}/$name"',
            'test -f "$config" || { echo "kamailio-restart: no $config" >&2; exit 2; }',
            f'{before} "$config" {after} -c >/dev/null 2>&1 || '
            '{ echo "kamailio-restart: $config does not pass kamailio -c" >&2; exit 1; }',
            f'if test -s {pid}; then old=$(cat {pid}); kill "$old" 2>/dev/null || true; '
            f'while kill -0 "$old" 2>/dev/null; do sleep 0.05; done; fi',
            f"rm -f {pid}",
            f'setsid {before} "$config" {after} >>{logq} 2>&1 </dev/null &',
            f"i=0; until test -s {pid}; do i=$((i + 1)); test $i -lt 200 || "
            '{ echo "kamailio-restart: the server did not start" >&2; exit 1; }; sleep 0.05; done',
            "echo restarted",
            "",
        ]
    )


def host_key_line(address: str, public_key: Path) -> str:
    """One known_hosts line: the node's management address and its host key (no comment)."""
    kind, blob = public_key.read_text(encoding="utf-8").split()[:2]
    return f"{address} {kind} {blob}\n"


def write_known_hosts(state: State, lines: list[str]) -> Path:
    """``known_hosts`` of the lab (public keys only, so readable)."""
    path = state.known_hosts
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(sorted(lines)), encoding="utf-8")
    path.chmod(0o644)
    return path


def lab_known_hosts(state: State | None = None) -> Path | None:
    """The lab's known_hosts when a lab wrote one (for tools that reach the lab, as Ansible)."""
    path = (state or State()).known_hosts
    return path if path.is_file() else None


def tools_known_hosts(given: str | None = None) -> Path | None:
    """The known_hosts the generated inventories pass: ``given``, else $COMMUNET_KNOWN_HOSTS, else the lab's."""
    given = given or os.environ.get("COMMUNET_KNOWN_HOSTS")
    return Path(os.path.expanduser(given)) if given else lab_known_hosts()
