"""Phones: sipp instances on the voice segments that register their extensions and call.

Each phone answers calls on the model's SIP port (a long-running sipp with the
answering scenario), registers that contact with its town's SIP server, and can call
another town's extension from the next ports up.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from communet.lab.netns import enter, spawn
from communet.lab.state import State
from communet.lab.templates import render
from communet.lab.topology import Phone

SCENARIOS = ("register", "uas", "uac")
REGISTER_EXPIRES_S = 3600
CALL_HOLD_MS = 500


@dataclass(frozen=True, slots=True)
class SippData:
    domain: str
    expires: int
    hold_ms: int


@dataclass(frozen=True, slots=True)
class Outcome:
    ok: bool
    output: str


def scenario(state: State, name: str) -> Path:
    return state.dir / "sipp" / f"{name}.xml"


def write_scenarios(state: State, domain: str) -> None:
    (state.dir / "sipp").mkdir(parents=True, exist_ok=True)
    data = SippData(domain, REGISTER_EXPIRES_S, CALL_HOLD_MS)
    for name in SCENARIOS:
        scenario(state, name).write_text(render(f"sipp-{name}.xml.j2", sip=data), encoding="utf-8")


def _sipp(state: State, name: str, phone: Phone, port: int, *extra: str) -> list[str]:
    return [
        "sipp",
        "-sf",
        str(scenario(state, name)),
        "-i",
        phone.address,
        "-p",
        str(port),
        "-nostdin",
        "-trace_err",
        "-error_file",
        str(state.dir / "sipp" / f"{name}-{phone.extension}-errors.log"),
        *extra,
    ]


def start_phone(state: State, phone: Phone, holder: int, sip_port: int) -> int:
    """The phone's answering side: a long-running sipp on the SIP port."""
    cmd = _sipp(state, "uas", phone, sip_port)
    return spawn(
        state,
        phone.node,
        f"phone-{phone.extension}",
        enter(holder, cmd),
        state.dir / "sipp" / f"phone-{phone.extension}.out",
    )


def _once(cmd: list[str], timeout: float) -> Outcome:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout + 5, check=False)
    except subprocess.TimeoutExpired:
        return Outcome(False, f"sipp did not finish in {timeout:g} s")
    return Outcome(proc.returncode == 0, (proc.stdout + proc.stderr)[-2000:])


def register(state: State, phone: Phone, holder: int, sip_port: int, timeout: float = 10) -> Outcome:
    cmd = _sipp(
        state,
        "register",
        phone,
        sip_port + 1,
        "-s",
        str(phone.extension),
        "-key",
        "contact_port",
        str(sip_port),
        "-m",
        "1",
        "-timeout",
        f"{timeout:g}s",
        "-timeout_error",
        f"{phone.sip_server}:{sip_port}",
    )
    return _once(enter(holder, cmd), timeout)


def call(state: State, caller: Phone, callee: Phone, holder: int, sip_port: int, timeout: float = 15) -> Outcome:
    """``caller`` dials ``callee``'s extension through its own town's SIP server; the call is answered and hung up."""
    cmd = _sipp(
        state,
        "uac",
        caller,
        sip_port + 2,
        "-s",
        str(callee.extension),
        "-key",
        "caller",
        str(caller.extension),
        "-m",
        "1",
        "-timeout",
        f"{timeout:g}s",
        "-timeout_error",
        f"{caller.sip_server}:{sip_port}",
    )
    return _once(enter(holder, cmd), timeout)
