"""Least privilege and pinned host keys in the lab, without bringing a lab up.

The deploy user's sudo rules name only what a deploy runs, and ``visudo`` accepts
them; the Kamailio restart takes only a file name in its config directory; every
SSH client the lab hands out checks the host key against the lab's known_hosts.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from communet.lab import access, sshd
from communet.lab.state import State
from communet.lab.topology import build_topology


def test_sudo_rules_allow_only_the_deploy_commands() -> None:
    for kind, commands in access.SUDO_COMMANDS.items():
        text = access.sudoers(kind)
        rule = next(line for line in text.splitlines() if "NOPASSWD:" in line)
        user, allowed = rule.split(" ALL=(root) NOPASSWD: ")
        assert user == access.DEPLOY_USER
        assert allowed.split(", ") == list(commands)
        assert "ALL" not in allowed and "*" not in allowed
    assert access.sudoers("host") == ""
    router = access.SUDO_COMMANDS["router"]
    assert {Path(c).name for c in router} == {"vtysh", "frr-reload.py", "nft"}


def test_sudo_rules_pass_visudo(tmp_path: Path) -> None:
    if shutil.which("visudo") is None:
        pytest.fail("visudo (Debian package sudo) is missing")
    for kind in access.SUDO_COMMANDS:
        path = tmp_path / f"{kind}.rules"
        path.write_text(access.sudoers(kind), encoding="utf-8")
        proc = subprocess.run(["visudo", "-c", "-f", str(path)], capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_kamailio_restart_keeps_the_command_line_and_takes_only_a_file_name(tmp_path: Path) -> None:
    argv = ["kamailio", "-DD", "-f", "/etc/kamailio/kamailio.cfg", "-P", "/run/k.pid", "-A", 'X="y z"']
    script = access.kamailio_restart_script(argv, "/run/k.pid", str(tmp_path / "log"))
    path = tmp_path / "restart"
    path.write_text(script, encoding="utf-8")
    for bad in ("../etc/shadow", "/etc/shadow", ".hidden", "a/b"):
        proc = subprocess.run(["sh", str(path), bad], capture_output=True, text=True, check=False)
        assert proc.returncode == 2, (bad, proc.stdout, proc.stderr)
    assert "-P /run/k.pid -A 'X=\"y z\"'" in script
    assert 'kamailio -DD -f "$config" -P' in script


def test_ssh_command_pins_the_host_key(tmp_path: Path) -> None:
    from communet import ROOT
    from communet.model.load import load_network

    state = State(tmp_path / "lab")
    node = next(n for n in build_topology(load_network(ROOT / "inventory")).nodes if n.mgmt)
    argv = sshd.ssh_command(state, node)
    options = {argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "-o"}
    assert "StrictHostKeyChecking=yes" in options
    assert f"UserKnownHostsFile={state.known_hosts}" in options
    assert not any("/dev/null" in o and "UserKnownHostsFile" in o for o in options)
    assert state.known_hosts.parent == state.ssh_dir
    assert state.private_key.parent == state.private_dir


def test_known_hosts_lines_name_the_address_and_the_key(tmp_path: Path) -> None:
    key = tmp_path / "host_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "x", "-f", str(key)], check=True)
    from communet import ROOT
    from communet.model.load import load_network

    node = next(n for n in build_topology(load_network(ROOT / "inventory")).nodes if n.mgmt)
    mgmt = str(node.mgmt).split("/")[0]
    line = access.host_key_line(mgmt, key.with_suffix(".pub"))
    address, kind, blob = line.split()
    assert (address, kind) == (mgmt, "ssh-ed25519")
    assert blob == key.with_suffix(".pub").read_text().split()[1]


def test_playbook_tasks_that_can_print_config_lines_print_nothing() -> None:
    """``vtysh -C`` (template validate), frr-reload --reload and --test quote config lines: no_log."""
    import yaml

    from communet import ROOT

    def tasks(items: list) -> list[dict]:
        out = []
        for item in items or []:
            out.append(item)
            for key in ("block", "rescue", "always", "tasks"):
                out += tasks(item.get(key, []))
        return out

    every = [t for play in yaml.safe_load((ROOT / "playbooks" / "deploy.yml").read_text()) for t in tasks([play])]
    risky = []
    for task in every:
        command = str(task.get("ansible.builtin.command", ""))
        template = task.get("ansible.builtin.template") or {}
        if ("frr_reload" in command and ("--reload" in command or "--test" in command)) or template.get("validate"):
            risky.append(task)
    # the device step runs in communet's action plugin, which returns masked text only
    assert any("communet_deploy" in t for t in every)
    assert [t["name"] for t in risky if t.get("no_log") is not True] == []
    assert not [t["name"] for t in every if "--stdout" in str(t.get("ansible.builtin.command", ""))]


def test_the_ansible_inventory_pins_host_keys_with_the_given_known_hosts(tmp_path: Path) -> None:
    from communet import ROOT
    from communet.design import build_design
    from communet.inventories import ansible_inventory
    from communet.model.load import load_network

    intents = build_design(load_network(ROOT / "inventory"))
    known = tmp_path / "known hosts"
    hostvars = ansible_inventory(intents, known)["_meta"]["hostvars"]
    assert hostvars
    for variables in hostvars.values():
        args = variables["ansible_ssh_common_args"]
        assert "StrictHostKeyChecking=yes" in args and f"UserKnownHostsFile='{known}'" in args
    assert access.lab_known_hosts(State(tmp_path / "no-lab")) is None


def test_under_ci_a_missing_prerequisite_fails(monkeypatch, pytester) -> None:
    """The shared rule: CI=true turns a missing prerequisite into a failure, elsewhere a skip."""
    from communet import ROOT

    pytester.makeconftest((ROOT / "tests" / "conftest.py").read_text())
    pytester.makepyfile("def test_needs_a_thing(missing):\n    missing('no such thing')\n")
    monkeypatch.setenv("CI", "true")
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(failed=1)
    monkeypatch.setenv("CI", "false")
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(skipped=1)
