"""FRR: a whole-file replace with ``frr-reload.py``, checked first with ``vtysh -C -f``.

The intended file is staged next to ``/etc/frr/frr.conf``; ``frr-reload.py --test``
gives the delta (the diff shown), ``--reload`` applies it and a second ``--test``
must then find nothing left to change. Rollback reloads the running config saved
in the backup and puts the previous ``frr.conf`` back.
"""

from __future__ import annotations

import json
import shlex
from typing import Any

from communet.deploy.delta import parse_reload_test
from communet.deploy.drivers.base import Driver, Expect, Snapshot, StepFailed, wait_for

CONF = "/etc/frr/frr.conf"
STAGED = "/etc/frr/frr.conf.intended"
ROLLBACK = "/etc/frr/frr.conf.rollback"
RELOAD = "/usr/lib/frr/frr-reload.py"
#: Lines ``show running-config`` prints before the config itself.
HEADER = ("Building configuration...", "Current configuration:")


def config_body(running: str) -> str:
    """``show running-config`` without its header: a file frr-reload and vtysh accept."""
    lines = running.splitlines()
    while lines and (lines[0].strip() in HEADER or not lines[0].strip()):
        lines.pop(0)
    return "\n".join(lines) + "\n"


def ospf_full(data: dict[str, Any]) -> frozenset[str]:
    """Router ids of OSPF neighbors in state Full, from ``show ip ospf neighbor json``."""
    out = set()
    for rid, entries in (data.get("neighbors") or {}).items():
        for entry in entries if isinstance(entries, list) else [entries]:
            state = str(entry.get("nbrState") or entry.get("state") or "")
            if state.startswith("Full"):
                out.add(rid)
    return frozenset(out)


def bgp_established(data: dict[str, Any]) -> frozenset[str]:
    """Neighbor addresses in state Established, from ``show bgp neighbors json``."""
    return frozenset(addr for addr, nb in data.items() if isinstance(nb, dict) and nb.get("bgpState") == "Established")


class FrrDriver(Driver):
    def vtysh(self, command: str) -> str:
        out = self.ssh.run(f"vtysh -c {shlex.quote(command)}")
        if out.rc != 0:
            raise StepFailed(f"vtysh -c {command!r}: {out.text}")
        return out.out

    def vtysh_json(self, command: str) -> dict[str, Any]:
        text = self.vtysh(command).strip()
        try:
            data = json.loads(text) if text else {}
        except json.JSONDecodeError:
            return {}
        return data if isinstance(data, dict) else {}

    def running(self) -> str:
        return self.vtysh("show running-config")

    def state(self) -> tuple[frozenset[str], frozenset[str]]:
        return (
            ospf_full(self.vtysh_json("show ip ospf neighbor json")),
            bgp_established(self.vtysh_json("show bgp neighbors json")),
        )

    def snapshot(self) -> Snapshot:
        running = self.running()
        out = self.ssh.run(f"cat {CONF}")
        conf = out.out if out.rc == 0 else ""
        ospf, bgp = self.state()
        return Snapshot(files={"running.conf": running, "frr.conf": conf}, ospf_full=ospf, bgp_up=bgp)

    def stage(self, intended: str) -> None:
        self.ssh.write(STAGED, intended)

    def reload_test(self, path: str) -> list[str]:
        out = self.ssh.run(f"{RELOAD} --test {path}")
        if out.rc != 0:
            raise StepFailed(f"frr-reload --test: {out.text}")
        return parse_reload_test(out.out)

    def diff(self, snap: Snapshot, intended: str) -> list[str]:
        delta = self.reload_test(STAGED)
        if not delta and snap.files["frr.conf"] != intended:
            delta = [f"# {CONF} differs from the intended file (the running config matches it)"]
        return delta

    def check(self) -> None:
        out = self.ssh.run(f"vtysh -C -f {STAGED}")
        if out.rc != 0:
            raise StepFailed(f"the device refuses the config: {out.text}")

    def reload(self, path: str) -> None:
        out = self.ssh.run(f"{RELOAD} --reload --stdout {path}")
        if out.rc != 0:
            errors = [line for line in out.text.splitlines() if "ERROR" in line or "Failed" in line]
            raise StepFailed(f"frr-reload --reload: {last_lines(chr(10).join(errors) or out.text)}")

    def apply(self) -> None:
        tmp = f"{CONF}.communet-tmp"
        keep = f"(chown --reference={CONF} {tmp}; chmod --reference={CONF} {tmp}) 2>/dev/null"
        out = self.ssh.run(f"cp {STAGED} {tmp} && {{ {keep}; mv -f {tmp} {CONF}; }}")
        if out.rc != 0:
            raise StepFailed(f"cannot install {CONF}: {out.text}")
        self.reload(CONF)

    def verify(self, expect: Expect, timeout: float) -> None:
        left = self.reload_test(CONF)
        if left:
            raise StepFailed(f"the running config still differs from the intended one after reload: {left[:3]}")

        def probe() -> str | None:
            ospf, bgp = self.state()
            missing = [f"OSPF neighbor {r}" for r in sorted(expect.ospf - ospf)]
            missing += [f"BGP session {a}" for a in sorted(expect.bgp - bgp)]
            return f"not up after {timeout:g}s: {', '.join(missing)}" if missing else None

        problem = wait_for(probe, timeout)
        if problem:
            raise StepFailed(problem)

    def rollback(self, snap: Snapshot) -> None:
        before = snap.files["running.conf"]
        self.ssh.write(ROLLBACK, config_body(before))
        self.reload(ROLLBACK)
        self.ssh.write(CONF, snap.files["frr.conf"])
        after = self.running()
        if after != before:
            raise StepFailed("the running config after rollback differs from the backup")

    def cleanup(self) -> None:
        self.ssh.run(f"rm -f {STAGED} {ROLLBACK}")


def last_lines(text: str, count: int = 3) -> str:
    return " | ".join(text.strip().splitlines()[-count:])
