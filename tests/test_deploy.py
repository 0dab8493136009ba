"""Deploy: planning, waves, lock, backups, masking, summary and JSON (no lab), then lab deploys."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from communet import ROOT
from communet.deploy.backups import BackupStore
from communet.deploy.delta import parse_reload_test
from communet.deploy.lock import DeployLock, LockHeld
from communet.deploy.plan import PlanError, plan_waves, select
from communet.deploy.results import DeployReport, DeviceResult
from communet.deploy.run import DeployOptions, context, run_waves, targets
from communet.deploy.secrets import Masker, load_secrets, read_env_file, secret_names
from communet.deploy.summary import footer, table
from communet.deploy.target import Target
from communet.design import build_design
from communet.filters import MASK
from communet.inventories import devices
from communet.model.load import load_network
from tests.tools import tool

NETWORK = Target("network", None, None, None)


@pytest.fixture(scope="module")
def intents():
    return build_design(load_network(ROOT / "inventory"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("localhost", 0))
        return sock.getsockname()[1]


def peer_secret(intents) -> str:
    return next(
        nb.password_secret
        for i in intents.values()
        if i.kind == "router"
        for nb in i.bgp.neighbors
        if nb.password_secret
    )


def test_waves_canary_first_then_chunks() -> None:
    assert plan_waves(list("abcde"), canary=["d"], wave_size=2) == [["d"], ["a", "b"], ["c", "e"]]
    assert plan_waves(list("ab"), canary=["a", "b"]) == [["a", "b"]]
    with pytest.raises(PlanError):
        plan_waves(list("ab"), wave_size=0)


def test_limit_by_town_and_device(intents) -> None:
    devs = devices(intents)
    town = next(d.site for d in devs if d.role == "town")
    picked = select(devs, [town])
    assert picked and {d.site for d in picked} == {town}
    assert len(picked) >= 2  # the town router and its SIP server
    one = devs[0].name
    wanted = [d.name for d in devs if d.name == one or d.site == town]
    assert [d.name for d in select(devs, [f"{one},{town}"])] == wanted


def test_unknown_limit_names_the_value_and_hints(intents) -> None:
    with pytest.raises(PlanError, match=r"'atlantis'.*hint"):
        select(devices(intents), ["atlantis"])


def test_targets_canary_town_is_wave_one(intents) -> None:
    devs = devices(intents)
    town = next(d.site for d in devs if d.role == "town")
    waves = targets(intents, DeployOptions(canary=[town], wave_size=5))
    assert {d.site for d in waves[0]} == {town}
    assert sum(len(w) for w in waves) == len(devs)
    assert all(len(w) <= 5 for w in waves[1:])


def test_the_default_canary_is_the_first_town_alone(intents) -> None:
    devs = devices(intents)
    town = next(d.site for d in devs if d.role == "town")
    waves = targets(intents, DeployOptions())
    assert [d.name for d in waves[0]] == [d.name for d in devs if d.site == town]
    assert {d.role for d in waves[0]} >= {"town"} and len(waves) == 2
    assert [d.name for w in waves for d in w] == [d.name for d in waves[0]] + [d.name for d in devs if d.site != town]
    assert len(targets(intents, DeployOptions(auto_canary=False))) == 1
    dc = next(d.site for d in devs if d.role == "core")
    only_dc = targets(intents, DeployOptions(limit=[dc]))
    assert len(only_dc[0]) == 1 and sum(map(len, only_dc)) == sum(d.site == dc for d in devs)
    single = next(d.name for d in devs)
    assert targets(intents, DeployOptions(limit=[single])) == [[d for d in devs if d.name == single]]


def playbook_argv(intents, options: DeployOptions) -> list[str]:
    from communet.deploy.ansible import playbook_argv as argv_of

    return argv_of(intents, options, targets(intents, options))


def test_ansible_takes_the_same_canary_wave(intents, tmp_path: Path) -> None:
    first = targets(intents, DeployOptions())[0]
    argv = playbook_argv(intents, DeployOptions(state_dir=tmp_path))
    assert f"canary={','.join(d.name for d in first)}" in argv and f"canary_size={len(first)}" in argv
    plain = playbook_argv(intents, DeployOptions(state_dir=tmp_path, auto_canary=False))
    assert not any(a.startswith("canary") for a in plain)


def test_canary_and_no_canary_together_are_refused() -> None:
    from typer.testing import CliRunner

    from communet.cli import app

    out = CliRunner().invoke(app, ["deploy", "--canary", "x", "--no-canary"])
    assert out.exit_code == 2 and "contradict" in out.output


def test_lock_refuses_a_second_holder(tmp_path: Path) -> None:
    lock = tmp_path / "deploy.lock"
    with DeployLock(lock):
        with pytest.raises(LockHeld, match=str(os.getpid())):
            DeployLock(lock).acquire()
        # another process is refused too
        code = (
            f"import sys; sys.path.insert(0, {str(ROOT)!r})\n"
            "from communet.deploy.lock import DeployLock, LockHeld\n"
            f"try:\n    DeployLock(__import__('pathlib').Path({str(lock)!r})).acquire()\n"
            "except LockHeld:\n    sys.exit(3)\n"
        )
        assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 3
    DeployLock(lock).acquire()  # free again once released


def test_backups_rotate_keeping_the_newest(tmp_path: Path) -> None:
    for minute in range(5):
        store = BackupStore(tmp_path, keep=3)
        store.write("r1", "running.conf", f"run {minute}\n")
    removed = store.rotate()
    assert len(removed) == 2
    kept = store.runs()
    assert len(kept) == 3
    assert (kept[-1] / "r1" / "running.conf").read_text() == "run 4\n"
    assert (kept[-1] / "r1" / "running.conf").stat().st_mode & 0o077 == 0


def test_secrets_environment_wins_over_file(tmp_path: Path, monkeypatch) -> None:
    env_file = tmp_path / "secrets.env"
    env_file.write_text("# lab secrets\nCOMMUNET_T_A=from-file-a\nexport COMMUNET_T_B='from-file-b'\n")
    monkeypatch.setenv("COMMUNET_T_A", "from-env-a")
    monkeypatch.delenv("COMMUNET_T_B", raising=False)
    known = load_secrets(["COMMUNET_T_A", "COMMUNET_T_B", "COMMUNET_T_C"], [env_file])
    assert known == {"COMMUNET_T_A": "from-env-a", "COMMUNET_T_B": "from-file-b"}
    monkeypatch.delenv("COMMUNET_T_B")


def test_bad_secrets_file_line_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "secrets.env"
    bad.write_text("OK=1\nthis is not a pair\n")
    with pytest.raises(ValueError, match=r"secrets.env:2: expected KEY=VALUE"):
        read_env_file(bad)


def test_secret_names_come_from_the_model(intents) -> None:
    names = secret_names(intents.values())
    net = load_network(ROOT / "inventory")
    assert {p.password_secret for p in net.ix.peers if p.password_secret} <= names
    assert net.syndicate.management.snmp.auth_secret in names


def test_masker_masks_every_secret_longest_first() -> None:
    mask = Masker({"A": "abc", "B": "abcdef", "C": ""})
    assert mask("x abcdef y abc z") == f"x {MASK} y {MASK} z"
    assert mask("nothing here") == "nothing here"


def test_reload_delta_empty_means_unchanged() -> None:
    assert parse_reload_test("") == []
    text = (
        "\nLines To Delete\n===============\nrouter bgp 1\n no neighbor x\n\nLines To Add\n============\n"
        "router ospf\nrouter ospf\n ospf router-id R\n"
    )
    assert parse_reload_test(text) == ["-router bgp 1", "- no neighbor x", "+router ospf", "+ ospf router-id R"]


def test_missing_secret_fails_the_device_with_a_hint(intents, tmp_path: Path, monkeypatch) -> None:
    name = peer_secret(intents)
    monkeypatch.delenv(name, raising=False)
    options = DeployOptions(commit=True, state_dir=tmp_path, secrets_files=())
    edge = next(d for d in devices(intents) if any(nb.password_secret for nb in d.intent.bgp.neighbors))
    ctx = context(intents, options, NETWORK)
    report = run_waves([[edge]], ctx)
    (result,) = report.results
    assert result.status == "failed" and result.step == "render"
    assert name in result.message and "hint" in result.message
    assert not report.ok


def test_unreachable_device_fails_without_change(intents, tmp_path: Path, monkeypatch) -> None:
    """A device whose address nothing answers on: connect fails, the next wave is skipped."""
    monkeypatch.setenv(peer_secret(intents), "unit-test-secret")
    devs = devices(intents)
    first, second = devs[0], devs[1]
    # loopback, on a port nobody listens on: refused at once
    options = DeployOptions(commit=True, state_dir=tmp_path, secrets_files=())
    ctx = context(intents, options, replace(NETWORK, port=free_port()))
    first = replace(first, address="localhost")
    report = run_waves([[first], [second]], ctx)
    assert [r.status for r in report.results] == ["failed", "skipped"]
    assert report.results[0].step == "connect" and "unreachable" in report.results[0].message
    assert report.stopped_after_wave == 1


def test_summary_table_and_json() -> None:
    results = [
        DeviceResult("r1", "a", "frr", 1, "applied", changed=True, diff=["+ ip address X", "-old"]),
        DeviceResult("r2", "b", "frr", 2, "rolled-back", step="verify", message="OSPF neighbor not up"),
        DeviceResult("r3", "b", "frr", 3, "skipped"),
    ]
    report = DeployReport(commit=True, results=results, stopped_after_wave=2)
    data = json.loads(json.dumps(report.as_json()))
    assert data["ok"] is False
    assert [(d["device"], d["changed"], d["status"]) for d in data["devices"]] == [
        ("r1", True, "applied"),
        ("r2", False, "rolled-back"),
        ("r3", False, "skipped"),
    ]
    assert data["devices"][0]["added"] == 1 and data["devices"][0]["removed"] == 1
    assert table(report).row_count == 3
    assert footer(report).startswith("deploy FAILED") and "stopped after wave 2" in footer(report)


# --- in the lab: from an empty lab (routers on their bootstrap), then a second run changes nothing ---

COMMUNET = tool("communet")


def lab_secrets() -> dict[str, str]:
    from communet.deploy.run import LAB_SECRETS

    return read_env_file(LAB_SECRETS)


def peer_established(intents, timeout: float = 90) -> bool:
    """Our edge's session with the bilateral IX peer (password protected) comes up."""
    from communet.lab.control import exec_in
    from communet.lab.state import State

    edge = next(i for i in intents.values() if i.kind == "router" and i.role == "edge")
    address = next(nb.address for nb in edge.bgp.neighbors if nb.password_secret)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        out = subprocess.run(
            exec_in(State(), edge.hostname, ["vtysh", "-c", f"show bgp neighbors {address} json"]),
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        if '"bgpState":"Established"' in out.stdout.replace(" ", ""):
            return True
        time.sleep(2)
    return False


def _deploy_json(*args: str, state: Path) -> tuple[int, dict]:
    out = subprocess.run(
        [COMMUNET, "deploy", "--json", "--state-dir", str(state), *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return out.returncode, json.loads(out.stdout) if out.stdout.strip() else {"stderr": out.stderr}


@pytest.mark.lab
def test_nornir_deploy_from_empty_lab_then_idempotent(empty_lab, intents, tmp_path: Path) -> None:
    assert peer_secret(intents) not in os.environ  # the lab made it up; deploy must read it there
    code, dry = _deploy_json(state=tmp_path)
    routers = {h for h, i in intents.items() if i.kind == "router"}
    assert code == 0, dry
    assert {d["device"] for d in dry["devices"] if d["status"] == "pending"} >= routers
    secret = lab_secrets()[peer_secret(intents)]
    password_lines = [line for d in dry["devices"] for line in d["diff"] if " password " in line]
    assert password_lines and all(MASK in line and secret not in line for line in password_lines)
    code, first = _deploy_json("--commit", state=tmp_path)
    assert code == 0, [d for d in first["devices"] if not d["ok"]]
    assert {d["device"] for d in first["devices"] if d["status"] == "applied"} >= routers
    backups = list((tmp_path / "backups").rglob("*"))
    assert backups and secret not in json.dumps(first)
    assert peer_established(intents), "the IX peer session (same secret on both sides) did not come up"
    code, second = _deploy_json("--commit", state=tmp_path)
    assert code == 0, second
    assert [(d["device"], d["changed"]) for d in second["devices"] if d["changed"]] == []
    assert {d["status"] for d in second["devices"]} == {"unchanged"}


def _playbook(*args: str) -> subprocess.CompletedProcess[str]:
    ansible = tool("ansible-playbook")
    return subprocess.run(
        [ansible, "playbooks/deploy.yml", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
        env={**os.environ, "ANSIBLE_STDOUT_CALLBACK": "default"},
    )


def _recap(text: str) -> dict[str, dict[str, int]]:
    out = {}
    for line in text.split("PLAY RECAP", 1)[-1].splitlines():
        host, sep, rest = line.partition(" : ")
        if sep:
            out[host.strip()] = {k: int(v) for k, v in (kv.split("=") for kv in rest.split())}
    return out


@pytest.mark.lab
def test_ansible_deploy_from_empty_lab_then_idempotent(empty_lab, intents, tmp_path: Path, monkeypatch) -> None:
    secret = lab_secrets()[peer_secret(intents)]
    monkeypatch.setenv(peer_secret(intents), secret)  # Ansible's template reads the environment
    backups = f"state_dir={tmp_path}"
    check = _playbook("--check", "--diff", "-e", backups)
    assert check.returncode == 0, check.stdout[-3000:]
    assert "+router ospf" in check.stdout, check.stdout[-6000:]  # the device's delta, as the Nornir dry run
    assert secret not in check.stdout
    first = _playbook("-e", backups)
    assert first.returncode == 0, first.stdout[-3000:]
    routers = {h for h, i in intents.items() if i.kind == "router"}
    recap = _recap(first.stdout)
    assert all(recap[h]["changed"] > 0 and recap[h]["failed"] == 0 for h in routers), recap
    second = _playbook("-e", backups)
    assert second.returncode == 0, second.stdout[-3000:]
    recap = _recap(second.stdout)
    assert all(recap[h]["changed"] == 0 for h in routers), recap


def test_deploy_playbook_syntax() -> None:
    out = subprocess.run(
        [tool("ansible-playbook"), "--syntax-check", "playbooks/deploy.yml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr


def _playbook_filters():
    import importlib.util

    spec = importlib.util.spec_from_file_location("deploy_filters", ROOT / "playbooks" / "filter_plugins" / "deploy.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.FilterModule().filters()


def test_playbook_filters_mask_the_diff_and_read_ospf(intents, monkeypatch) -> None:
    filters = _playbook_filters()
    name = peer_secret(intents)
    monkeypatch.setenv(name, "real-secret-value")
    filters["communet_mask"].__globals__["_masker"].cache_clear()
    edge = next(h for h, i in intents.items() if i.kind == "router" and i.role == "edge")
    from communet.inventories import ansible_inventory

    hostvars = ansible_inventory(intents)["_meta"]["hostvars"][edge]
    masked = filters["communet_intended"](hostvars["intent"], hostvars["template"])
    assert MASK in masked and "real-secret-value" not in masked
    diff = filters["communet_diff"](masked.replace(MASK, "real-secret-value") + "extra line\n", masked)
    assert diff and not any("real-secret-value" in line for line in diff)
    assert any(line == "-extra line" for line in diff)
    neighbors = {"r1": [{"nbrState": "Full/-"}], "r2": [{"nbrState": "Init/-"}]}
    assert filters["communet_ospf_full"]({"neighbors": neighbors}) == ["r1"]


def test_ansible_argv_follows_the_same_options(intents, tmp_path: Path) -> None:
    town = next(i.site for i in intents.values() if i.kind == "router" and i.role == "town")
    device = next(iter(intents))
    dry = playbook_argv(intents, DeployOptions(limit=[f"{town},{device}"], state_dir=tmp_path, wave_size=3))
    assert "--check" in dry and "--diff" in dry
    assert dry[dry.index("--limit") + 1] == f"site_{town.replace('-', '_')},{device}"
    assert "wave_size=3" in dry and f"state_dir={tmp_path}" in dry
    assert "--check" not in playbook_argv(intents, DeployOptions(commit=True, state_dir=tmp_path))
    with pytest.raises(PlanError):
        playbook_argv(intents, DeployOptions(limit=["atlantis"]))


@pytest.mark.parametrize("engine", ["nornir", "ansible"])
def test_a_second_deploy_is_refused_while_one_runs(engine: str, tmp_path: Path) -> None:
    with DeployLock(tmp_path / "deploy.lock"):
        out = subprocess.run(
            [COMMUNET, "deploy", "--engine", engine, "--target", "network", "--state-dir", str(tmp_path)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert out.returncode == 3, out.stdout + out.stderr
    assert "another deploy is running" in out.stderr and "Traceback" not in out.stderr
