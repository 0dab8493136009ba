"""Verify benchmark: how long ``verify`` takes on the example lab, all families and per span cut.

    .venv/bin/python bench/verify.py [--state-dir .lab] [--up] [--json]

Needs a lab with the configs loaded (``communet lab up --with-configs``, or ``--up``
to bring one up here and take it down after; hold the machine's lab lock either way).
It runs every family once, as ``communet verify`` does, then prints the seconds of
each family, the total, and the time each span cut took to be judged (from the cut to
the verdict "all towns reachable"). Nothing here asserts a speed.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from pathlib import Path

from communet import ROOT
from communet.design import build_design
from communet.lab.state import DEFAULT_DIR, State
from communet.model.load import load_network
from communet.verify.run import make_context, verify
from communet.verify.target import Overrides, resolve

_TOOK = re.compile(r"converged in ([0-9.]+) s")


def measure(state: State) -> dict[str, object]:
    net = load_network(ROOT / "inventory")
    intents = build_design(net)
    ctx = make_context(net, intents, resolve("lab", net, intents, Overrides(), state), "ssh")
    try:
        t0 = time.monotonic()
        run, _ = verify(ctx)
        wall = time.monotonic() - t0
    finally:
        ctx.transport.close()
    cuts = [
        float(m.group(1))
        for c in run.checks
        if c.name == "all towns reachable, span cut" and (m := _TOOK.search(c.detail))
    ]
    return {
        "verify_s": round(wall, 1),
        "families_s": {k: v for k, v in run.seconds.items() if k != "total"},
        "cuts": len(cuts),
        "cut_judged_max_s": max(cuts, default=None),
        "cut_judged_mean_s": round(sum(cuts) / len(cuts), 2) if cuts else None,
        "checks": len(run.checks),
        "failed": len(run.failed()) + len(run.errors),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state-dir", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--up", action="store_true", help="bring the lab up first and take it down after")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    communet = [sys.executable, "-c", "from communet.cli import main; main()"]
    state_opt = ["--state-dir", str(args.state_dir)]
    if args.up:
        subprocess.run([*communet, "lab", "up", "--with-configs", *state_opt], check=True, stdout=subprocess.DEVNULL)
    try:
        result = measure(State(args.state_dir))
    finally:
        if args.up:
            subprocess.run([*communet, "lab", "down", *state_opt], check=False, stdout=subprocess.DEVNULL)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key}: {value}")


if __name__ == "__main__":
    main()
