"""The one lab a test session shares (see the ``lab_session`` fixture in conftest.py).

It comes up once with the rendered configs (``lab up --with-configs``) for every test that
reads or probes a running network, and every such test leaves it as it found it. The two
tests that deploy from an empty network get it back on its bootstrap configs
(``reset_to_bootstrap``: down, then up without configs); they run last (conftest orders
them), so the configured lab is built once. Each ``down`` is checked to leave nothing of
what the lab recorded: namespaces, root links, processes, mounts.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from communet.lab.netns import links, namespaces
from communet.lab.state import PREFIX, Entry, State, proc_start
from tests.tools import tool

Stage = Literal["down", "configured", "bootstrap"]


def lab(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """``communet lab ARGS`` in this working tree."""
    return subprocess.run(
        [tool("communet"), "lab", *args], capture_output=True, text=True, timeout=timeout, check=False
    )


def leftovers(entries: Iterable[Entry], state_dir: Path) -> list[str]:
    """What a lab recorded that still exists: namespaces, root links, processes, mounts."""
    entries = list(entries)
    left = [f"namespace {e.name}" for e in entries if e.kind == "netns" and e.name in namespaces()]
    left += [f"link {e.name}" for e in entries if e.kind == "link" and e.name in links()]
    left += [
        f"process {e.name} {e.pid}" for e in entries if e.kind == "process" and e.start and proc_start(e.pid) == e.start
    ]
    mountinfo = Path("/proc/self/mountinfo").read_text()
    left += [
        f"mount {line.split()[4]}"
        for line in mountinfo.splitlines()
        if str(state_dir) in line or "/run/netns/cn-" in line
    ]
    return left


def lab_present(state: State) -> bool:
    """A lab of ``state``'s checkout, or of any other (its namespaces), is on this machine."""
    return state.exists() or any(n.startswith(PREFIX) for n in namespaces())


def secret_values(names: Iterable[str], made_by_lab: Iterable[str]) -> dict[str, str]:
    """A random value for each secret the model names, except those the lab makes up itself."""
    skip = set(made_by_lab)
    return {n: os.environ.get(n) or secrets.token_hex(8) for n in sorted(set(names) - skip)}


class LabSession:
    """The session's lab: its stage, the seconds its configured ``up`` took, a verify context on it."""

    def __init__(self, lab_secrets: Iterable[str] = ()) -> None:
        self.state = State()
        #: secrets each new lab makes up (its BGP neighbours hold the other end): never carried over
        self.lab_secrets = tuple(lab_secrets)
        self.stage: Stage = "down"
        self.up_s: float | None = None
        self._ctx: Any = None

    def configured(self) -> LabSession:
        """The lab up with the rendered configs (brought up once, or again after a bootstrap test)."""
        if self.stage != "configured":
            self.down()
            start = time.monotonic()
            up = lab("up", "--with-configs")
            assert up.returncode == 0, up.stdout + up.stderr
            self.up_s = time.monotonic() - start
            self.stage = "configured"
        return self

    def reset_to_bootstrap(self) -> LabSession:
        """A fresh lab on its bootstrap configs (what a deploy from an empty network starts from)."""
        self.down()
        up = lab("up")
        assert up.returncode == 0, up.stdout + up.stderr
        self.stage = "bootstrap"
        return self

    def ctx(self, net: Any, intents: Any) -> Any:
        """A verify context on the configured lab, made once per lab."""
        from communet.verify.run import make_context
        from communet.verify.target import Overrides, resolve

        self.configured()
        if self._ctx is None:
            self._ctx = make_context(net, intents, resolve("lab", net, intents, Overrides()), "ssh")
        return self._ctx

    def down(self) -> None:
        """Take the lab down (when up) and check it left nothing behind."""
        if self._ctx is not None:
            self._ctx.transport.close()
            self._ctx = None
        if self.stage == "down" and not self.state.exists():
            return
        entries = self.state.entries()
        gone = lab("down")
        self.stage = "down"
        for name in self.lab_secrets:  # an in-process deploy read them from this lab's file
            os.environ.pop(name, None)
        assert gone.returncode == 0, gone.stdout + gone.stderr
        assert leftovers(entries, self.state.dir) == []
