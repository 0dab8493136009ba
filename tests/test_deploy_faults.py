"""Deploy faults in the lab: each ends with the faulty device on its previous config (byte for byte),
the other devices as the wave rules say, and a non-zero exit with a clear summary."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from netaddr import IPAddress

from communet import ROOT
from communet.deploy.run import DeployOptions
from communet.design import build_design
from communet.model.load import load_network
from tests.tools import tool

pytestmark = pytest.mark.lab
COMMUNET = tool("communet")
VERIFY_TIMEOUT = 12.0  # a healthy change verifies in seconds; a broken one waits all of it


def node_cmd(node: str, *cmd: str) -> subprocess.CompletedProcess[str]:
    from communet.lab.control import exec_in
    from communet.lab.state import State

    return subprocess.run(exec_in(State(), node, list(cmd)), capture_output=True, text=True, timeout=30, check=False)


def running(node: str) -> str:
    out = node_cmd(node, "vtysh", "-c", "show running-config")
    assert out.returncode == 0, out.stderr
    return out.stdout


def deploy(tmp_path: Path, **kwargs: object):
    from nornir_tasks.deploy import deploy_with_nornir

    options = DeployOptions(commit=True, verify_timeout=VERIFY_TIMEOUT, state_dir=tmp_path / "deploy", **kwargs)  # type: ignore[arg-type]
    return deploy_with_nornir(options)


@pytest.fixture(scope="module")
def deployed(lab_session, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The whole lab on its intended configs, converged."""
    lab_session.configured()
    report = deploy(tmp_path_factory.mktemp("first"))
    assert report.ok, [r.as_json() for r in report.results if not r.ok]
    return build_design(load_network(ROOT / "inventory"))


def town_routers(intents) -> list[str]:
    return [h for h, i in intents.items() if i.kind == "router" and i.role == "town"]


def real_intended(host: str, intents) -> str:
    from communet.render import jinja_env, render_intent

    return render_intent(jinja_env(), intents[host], reveal=True)


def wrong_area(config: str, ifname: str, area: str) -> str:
    """``config`` with span ``ifname`` put into another OSPF area: accepted, but no adjacency."""
    lines = config.splitlines()
    start = lines.index(f"interface {ifname}")
    end = next(i for i in range(start, len(lines)) if lines[i].strip() == "exit")
    for i in range(start, end):
        if lines[i].strip() == f"ip ospf area {area}":
            lines[i] = lines[i].replace(area, str(IPAddress(area) + 1))  # the next area: no neighbor there
    return "\n".join(lines) + "\n"


def test_config_the_device_rejects_is_rolled_back(deployed, tmp_path: Path) -> None:
    bad, other = town_routers(deployed)[:2]
    before = {h: running(h) for h in (bad, other)}
    text = real_intended(bad, deployed).replace("\nend\n", "\nrouter ospf\n frobnicate the network\nexit\nend\n")
    report = deploy(tmp_path, limit=[bad, other], canary=[bad], intended={bad: text})
    by = {r.device: r for r in report.results}
    assert not report.ok and report.stopped_after_wave == 1
    assert by[bad].status == "failed" and by[bad].step == "check", by[bad].as_json()
    assert "frobnicate" in by[bad].message and "nothing was applied" in by[bad].message
    assert by[other].status == "skipped"
    assert {h: running(h) for h in (bad, other)} == before


def test_broken_adjacency_fails_verification_and_rolls_back(deployed, tmp_path: Path) -> None:
    host = town_routers(deployed)[0]
    intent = deployed[host]
    area = intent.ospf.area
    span = next(i for i in intent.interfaces if i.kind == "span")
    before = running(host)
    text = real_intended(host, deployed)
    broken = wrong_area(text, span.name, area)
    assert broken != text
    report = deploy(tmp_path, limit=[host], intended={host: broken})
    (result,) = report.results
    assert result.status == "rolled-back" and result.step == "verify", result.as_json()
    assert "OSPF neighbor" in result.message
    assert running(host) == before


def test_wrong_ssh_key_fails_cleanly(deployed, tmp_path: Path) -> None:
    host = town_routers(deployed)[1]
    before = running(host)
    key = tmp_path / "stranger"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    out = subprocess.run(
        [
            COMMUNET,
            "deploy",
            "--commit",
            "--limit",
            host,
            "--ssh-key",
            str(key),
            "--json",
            "--state-dir",
            str(tmp_path / "deploy"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 1, out.stderr
    (result,) = json.loads(out.stdout)["devices"]
    assert result["status"] == "failed" and result["step"] == "connect" and result["changed"] is False
    assert "Permission denied" in result["message"]
    assert running(host) == before


def test_unreachable_device_fails_and_stops_the_next_wave(deployed, tmp_path: Path) -> None:
    from communet.lab.topology import MGMT_IF

    down, other = town_routers(deployed)[2:4]
    before = {h: running(h) for h in (down, other)}
    assert node_cmd(down, "ip", "link", "set", MGMT_IF, "down").returncode == 0
    try:
        out = subprocess.run(
            [
                COMMUNET,
                "deploy",
                "--commit",
                "--limit",
                f"{down},{other}",
                "--canary",
                down,
                "--state-dir",
                str(tmp_path / "deploy"),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        node_cmd(down, "ip", "link", "set", MGMT_IF, "up")
    assert out.returncode == 1
    assert "deploy FAILED" in out.stdout and "unreachable" in out.stdout and "skipped" in out.stdout
    assert {h: running(h) for h in (down, other)} == before


def sip_servers(intents) -> list[str]:
    return [h for h, i in intents.items() if i.kind == "sip"]


def kamailio_config(node: str) -> str:
    """The config file the node's Kamailio runs, read from its command line."""
    pids = node_cmd(node, "ss", "-Hlunp").stdout
    pid = min(int(p) for p in re.findall(r"pid=(\d+)", pids))
    argv = [a for a in node_cmd(node, "cat", f"/proc/{pid}/cmdline").stdout.split("\0") if a]
    return node_cmd(node, "cat", argv[argv.index("-f") + 1]).stdout


def status_row(node: str) -> str:
    """``communet lab status``'s line for ``node``."""
    out = subprocess.run([COMMUNET, "lab", "status"], capture_output=True, text=True, timeout=120, check=False)
    return next((line for line in out.stdout.splitlines() if f" {node} " in line), out.stdout + out.stderr)


def test_sip_server_config_refused_then_changed_and_back(deployed, tmp_path: Path) -> None:
    host = sip_servers(deployed)[0]
    text = real_intended(host, deployed)
    before = kamailio_config(host)
    refused = deploy(tmp_path / "a", limit=[host], intended={host: text + "\nno_such_statement(;\n"})
    assert refused.results[0].status == "failed" and refused.results[0].step == "check", refused.results[0]
    assert kamailio_config(host) == before
    changed = text + "\n# a comment only: the server restarts on this file\n"
    applied = deploy(tmp_path / "b", limit=[host], intended={host: changed})
    assert applied.results[0].status == "applied", applied.results[0].as_json()
    assert kamailio_config(host) == changed
    assert status_row(host).startswith("ok "), status_row(host)  # the restarted server is the node's
    back = deploy(tmp_path / "c", limit=[host])
    assert back.results[0].status == "applied" and kamailio_config(host) == text


def test_sip_server_rollback_restores_the_backed_up_file(deployed, tmp_path: Path) -> None:
    """Two deploys in a row; the second's verify fails (the server moves off its port): the server
    runs the first one's file again, byte for byte, and answers."""
    host = sip_servers(deployed)[1]
    intent = deployed[host]
    first = real_intended(host, deployed) + "\n# first deploy\n"
    assert deploy(tmp_path / "a", limit=[host], intended={host: first}).results[0].status == "applied"
    assert kamailio_config(host) == first
    moved = first.replace(f":{intent.port}\n", f":{intent.port + 1}\n")
    assert moved != first
    (result,) = deploy(tmp_path / "b", limit=[host], intended={host: moved}).results
    assert result.status == "rolled-back" and result.step == "verify", result.as_json()
    assert "SIP OPTIONS" in result.message
    assert kamailio_config(host) == first
    assert deploy(tmp_path / "c", limit=[host]).results[0].status == "applied"


def ruleset(node: str) -> str:
    out = node_cmd(node, "nft", "-s", "list", "ruleset")
    assert out.returncode == 0, out.stderr
    return out.stdout


def as_loaded(rules: str) -> str:
    """A ruleset listing as nft lists it once loaded (nft does not list a listing back verbatim)."""
    out = subprocess.run(
        ["unshare", "-n", "sh", "-c", "nft -f - && nft -s list ruleset"],
        input="flush ruleset\n" + rules,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return out.stdout


def real_companion(host: str, intents, suffix: str) -> tuple[str, str]:
    """(file name, real text) of the device's file ending in ``suffix`` (its nftables file)."""
    from communet.render import jinja_env, outputs, render_intent

    (out,) = [o for o in outputs(intents[host]) if o.file.endswith(suffix)]
    return out.file, render_intent(jinja_env(), intents[host], reveal=True, template=out.template)


def test_nftables_file_the_router_refuses_changes_nothing(deployed, tmp_path: Path) -> None:
    host = town_routers(deployed)[4]
    name, text = real_companion(host, deployed, ".nft")
    before, rules = running(host), ruleset(host)
    report = deploy(tmp_path, limit=[host], intended={name: text + "\nfrobnicate the packets\n"})
    (result,) = report.results
    assert result.status == "failed" and result.step == "check", result.as_json()
    assert "nft -c refuses" in result.message and "nothing was applied" in result.message
    assert (running(host), ruleset(host)) == (before, rules)


def test_nftables_change_is_applied_then_rolled_back_with_the_config(deployed, tmp_path: Path) -> None:
    """One device step: a new ruleset and a config whose adjacency cannot come up; both go back."""
    host = town_routers(deployed)[5]
    intent = deployed[host]
    name, text = real_companion(host, deployed, ".nft")
    head = "table inet communet {\n"
    assert head in text
    extra = text.replace(head, head + '\tcounter deploy_probe {\n\t\tcomment "added by a test"\n\t}\n', 1)
    applied = deploy(tmp_path / "a", limit=[host], intended={name: extra})
    assert applied.results[0].status == "applied", applied.results[0].as_json()
    assert "deploy_probe" in ruleset(host)
    before, rules = running(host), ruleset(host)
    span = next(i for i in intent.interfaces if i.kind == "span")
    broken = wrong_area(real_intended(host, deployed), span.name, intent.ospf.area)
    (result,) = deploy(tmp_path / "b", limit=[host], intended={host: broken}).results
    assert result.status == "rolled-back" and result.step == "verify", result.message
    assert any(line.startswith("-") and "deploy_probe" in line for line in result.diff)
    assert (running(host), ruleset(host)) == (before, as_loaded(rules))
    assert deploy(tmp_path / "c", limit=[host]).results[0].status == "applied"
    assert "deploy_probe" not in ruleset(host)


def test_a_device_held_by_another_deploy_is_left_alone(deployed, tmp_path: Path) -> None:
    """The device lock is on the device: held from elsewhere (another checkout, a playbook run),
    this deploy changes nothing there and says why; once freed, the deploy goes through."""
    from communet.deploy.device_lock import DeviceLock
    from communet.deploy.drivers.frr import FrrDriver
    from communet.deploy.target import resolve
    from communet.inventories import device
    from communet.transport import Session

    host = town_routers(deployed)[6]
    dev = device(deployed[host])
    changed = real_intended(host, deployed).replace("\nend\n", "\n!\nend\n") + "! held\n"
    session = Session(resolve([dev]).endpoint(dev))
    lock = DeviceLock(session, FrrDriver.lock_path)
    lock.acquire()
    try:
        before = running(host)
        (result,) = deploy(tmp_path / "a", limit=[host], intended={host: changed}).results
        assert result.status == "failed" and result.step == "lock", result.as_json()
        assert "another deploy holds" in result.message
        assert running(host) == before
    finally:
        lock.release()
        session.close()
    assert deploy(tmp_path / "b", limit=[host]).results[0].ok


# --- a signal mid-deploy: no new device, the one in flight finishes (or rolls back), a report says which ---

SIGNALLED = """
import json, sys
from pathlib import Path
from communet.deploy.run import DeployOptions
from nornir_tasks.deploy import deploy_with_nornir
state, limit, intended = sys.argv[1], sys.argv[2].split(","), json.loads(Path(sys.argv[3]).read_text())
options = DeployOptions(commit=True, limit=limit, auto_canary=False, state_dir=Path(state), intended=intended)
print(json.dumps(deploy_with_nornir(options, workers=1).as_json()))
"""


def processes() -> dict[int, str]:
    """pid -> command line of every process now (to find what a run left behind)."""
    out = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                out[int(entry.name)] = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
    return out


def staged(host: str) -> list[str]:
    """Files a deploy stages on the router (they hold secrets): none once a run is over."""
    from communet.lab.access import STAGING

    out = node_cmd(host, "ls", "-A", str(STAGING))
    return [f for f in out.stdout.split() if f.endswith((".intended", ".rollback", ".communet-tmp"))]


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGINT"])
def test_a_signal_mid_deploy_leaves_each_device_verified_or_as_it_was(deployed, tmp_path: Path, signame: str) -> None:
    import signal
    import sys
    import time

    from communet.deploy.lock import DeployLock

    hosts = town_routers(deployed)
    marked = {
        h: real_intended(h, deployed).replace(
            "\nend\n", "\nip prefix-list SIGNAL-PROBE seq 5 permit 192.0.2.0/24\nend\n"
        )
        for h in hosts
    }
    (tmp_path / "intended.json").write_text(json.dumps(marked))
    before = {h: running(h) for h in hosts}
    ssh_before = {p for p, cmd in processes().items() if cmd.startswith("ssh ")}
    state = tmp_path / "deploy"
    child = subprocess.Popen(
        [sys.executable, "-c", SIGNALLED, str(state), ",".join(hosts), str(tmp_path / "intended.json")],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not any((state / "backups").glob("*/*/*")):  # the first device's backup: it is in flight
            assert child.poll() is None and time.monotonic() < deadline, "the deploy never started a device"
            time.sleep(0.05)
        child.send_signal(getattr(signal, signame))
        out, err = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
    report = json.loads(out)
    assert report["stopped_by"] == f"stopped by {signame}", (report["stopped_by"], err[-500:])
    by = {d["device"]: d for d in report["devices"]}
    assert set(by) == set(hosts)
    for host in hosts:
        now = running(host)
        if by[host]["status"] == "applied":
            assert "SIGNAL-PROBE" in now, host  # its new config, verified
        else:
            assert by[host]["status"] in ("skipped", "rolled-back"), by[host]
            assert now == before[host], host  # untouched or rolled back, byte for byte
        assert staged(host) == [], host
    assert sum(d["status"] == "skipped" for d in by.values()) >= 1
    assert all("not started" in d["message"] for d in by.values() if d["status"] == "skipped")
    assert json.loads((state / "last.json").read_text())["stopped_by"] == report["stopped_by"]
    with DeployLock(state / "deploy.lock"):  # released
        pass
    left = {p: cmd for p, cmd in processes().items() if cmd.startswith("ssh ") and p not in ssh_before}
    assert left == {}, left
    back = deploy(tmp_path / "back", limit=hosts)
    assert back.ok, [r.as_json() for r in back.results if not r.ok]
    assert all("SIGNAL-PROBE" not in running(h) for h in hosts)


# --- a wave whose changes are each fine alone but not together: the wave verify rolls it all back ---


def span_between(intents, host: str, peer: str) -> str:
    return next(i.name for i in intents[host].interfaces if i.kind == "span" and i.peer == peer)


def neighbor_full(host: str, router_id: str) -> bool:
    from communet.deploy.drivers.frr import json_of, ospf_full

    return router_id in ospf_full(json_of(node_cmd(host, "vtysh", "-c", "show ip ospf neighbor json").stdout))


def wait_until(probe, timeout: float = 30) -> bool:
    import time

    deadline = time.monotonic() + timeout
    while not probe():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.5)
    return True


def swapped_areas(intents) -> tuple[str, str, dict[str, str], str]:
    """Two neighbouring town routers whose span is down because one of them drifted (``b`` runs its
    end in the next area, changed by hand), and what-if texts for a wave of both: ``a`` moves its end
    to the next area (what ``b`` runs) and ``b`` gets its real config back (what ``a`` runs). Either
    change alone brings the span up; both at once leave its ends in different areas again.

    The two deploy in parallel and each verifies before the other is done, so neither's own verify
    expects the span (down before, its peer not yet on its new config); only the wave verify, with
    both on their new configs, does. Returns ``a``, ``b``, the texts and ``b``'s running config."""
    a, b = town_routers(intents)[:2]
    area = intents[a].ospf.area
    drifted = str(IPAddress(area) + 1)
    at_b = span_between(intents, b, a)
    cmds = ["-c", "configure terminal", "-c", f"interface {at_b}", "-c", f"no ip ospf area {area}"]
    out = node_cmd(b, "vtysh", *cmds, "-c", f"ip ospf area {drifted}")
    assert out.returncode == 0 and "Must remove" not in out.stdout, out.stdout + out.stderr
    b_loopback = intents[b].loopback_v4
    assert wait_until(lambda: not neighbor_full(a, b_loopback)), "the drifted span stayed up"
    moved = wrong_area(real_intended(a, intents), span_between(intents, a, b), area)
    return a, b, {a: moved, b: real_intended(b, intents)}, running(b)


def restore_drifted(intents, tmp_path: Path, a: str, b: str, original: dict[str, str]) -> None:
    """``b`` back on its real config (a deploy of it alone), the span up again."""
    back = deploy(tmp_path / "back", limit=[b])
    assert back.ok, [r.as_json() for r in back.results]
    assert {h: running(h) for h in (a, b)} == original
    assert wait_until(lambda: neighbor_full(a, intents[b].loopback_v4))


def test_a_wave_fine_device_by_device_but_not_together_is_rolled_back(deployed, tmp_path: Path) -> None:
    a, b = town_routers(deployed)[:2]
    original = {h: running(h) for h in (a, b)}
    a, b, texts, drifted = swapped_areas(deployed)
    try:
        report = deploy(tmp_path, limit=[a, b], auto_canary=False, intended=texts)
        by = {r.device: r for r in report.results}
        assert [(by[h].status, by[h].step) for h in (a, b)] == [("rolled-back", "wave-verify")] * 2, [
            r.as_json() for r in report.results
        ]
        named = {by[h].message.split("wave 1 verify failed on ", 1)[-1].split(":", 1)[0] for h in (a, b)}
        assert len(named) == 1 and named <= {a, b}, by[a].message  # either one fails first: both lost the link
        assert f"OSPF neighbor {deployed[b].loopback_v4}" in by[a].message
        assert report.stopped_after_wave == 1 and not report.ok
        assert (running(a), running(b)) == (original[a], drifted)  # each as it was, byte for byte
        saved = json.loads((tmp_path / "deploy" / "last.json").read_text())
        assert [(d["status"], d["step"]) for d in saved["devices"]] == [("rolled-back", "wave-verify")] * 2
    finally:
        restore_drifted(deployed, tmp_path, a, b, original)


def test_the_ansible_engine_rolls_the_same_wave_back_and_reports_it_alike(
    deployed, tmp_path: Path, monkeypatch
) -> None:
    from communet.deploy.ansible import deploy_with_ansible

    a, b = town_routers(deployed)[:2]
    original = {h: running(h) for h in (a, b)}
    a, b, texts, drifted = swapped_areas(deployed)
    monkeypatch.setenv("ANSIBLE_STDOUT_CALLBACK", "default")
    try:
        options = DeployOptions(
            commit=True,
            limit=[a, b],
            auto_canary=False,
            verify_timeout=VERIFY_TIMEOUT,
            state_dir=tmp_path / "deploy",
            intended=texts,
        )
        code = deploy_with_ansible(build_design(load_network(ROOT / "inventory")), options)
        assert code != 0
        saved = json.loads((tmp_path / "deploy" / "last.json").read_text())
        by = {d["device"]: d for d in saved["devices"]}
        assert [(by[h]["status"], by[h]["step"]) for h in (a, b)] == [("rolled-back", "wave-verify")] * 2, saved
        named = {by[h]["message"].split("wave 1 verify failed on ", 1)[-1].split(":", 1)[0] for h in (a, b)}
        assert len(named) == 1 and named <= {a, b}, saved  # either one fails first: both lost the link
        assert saved["stopped_after_wave"] == 1 and saved["ok"] is False
        assert (running(a), running(b)) == (original[a], drifted)
    finally:
        restore_drifted(deployed, tmp_path, a, b, original)
