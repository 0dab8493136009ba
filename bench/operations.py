"""Operations benchmark: lab up, deploy with Nornir, verify, lab down, timed on one machine.

    .venv/bin/python bench/operations.py --json             # the example
    .venv/bin/python bench/operations.py --towns 60 --json  # 60 towns

Without ``--towns`` it runs the example (``inventory/`` of the working tree). With
``--towns N`` it writes a lab-ready synthetic syndicate of N towns (bench/synthetic.py
``--lab``: a ring with spurs, leased spans, telephony in every town, the example's IX)
into a temporary working tree, renders its configs there, and runs every command
with that tree as its working directory, so the lab, deploy state and reports stay in it.

Steps, each the real command: ``communet lab up`` (bootstrap configs), ``deploy --commit``
(Nornir), the same again (nothing to change), ``deploy`` (dry run), ``verify`` of the
passive families (backbone, ix), then a sample of span cuts (``--cuts``) and of calls
(``--calls``) with every phone's registration, and ``lab down``. Memory is the
proportional set size (PSS) of every process in the lab's network namespaces together,
sampled each ``--every`` seconds; ``peak_mem_mib`` is the highest sum.

Prints one JSON object (``--json``) or a table. Hold the lab lock while it runs; it takes
its lab down before it exits, also when a step fails.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

BIN = Path(sys.executable).parent
PASSIVE = ("backbone", "ix")
NETNS_DIR = Path("/run/netns")
LAB_PREFIX = "cn-"


def communet(tree: Path, *args: str, timeout: float = 1800) -> tuple[float, int, str]:
    """Run ``communet ARGS`` in ``tree``; wall seconds, exit code, stdout."""
    env = {**os.environ, "COMMUNET_ROOT": str(tree)}
    start = time.perf_counter()
    done = subprocess.run(
        [str(BIN / "communet"), *args], cwd=tree, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    seconds = time.perf_counter() - start
    print(f"communet {' '.join(args)}: {seconds:.1f} s, exit {done.returncode}", file=sys.stderr, flush=True)
    if done.returncode != 0:
        tail = done.stderr[-1500:] + done.stdout[-3000:]
        print(f"communet {' '.join(args)}: exit {done.returncode}\n{tail}", file=sys.stderr)
    return seconds, done.returncode, done.stdout


class LabMemory(threading.Thread):
    """Samples the PSS of every process in the lab's namespaces (cn-*), keeps the peak sum."""

    def __init__(self, every: float) -> None:
        super().__init__(daemon=True)
        self.every, self.peak_kib, self.stop = every, 0, threading.Event()

    @staticmethod
    def lab_netns() -> set[int]:
        if not NETNS_DIR.is_dir():
            return set()
        return {p.stat().st_ino for p in NETNS_DIR.iterdir() if p.name.startswith(LAB_PREFIX)}

    @staticmethod
    def pss_kib(pid: str) -> int:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    def sample(self) -> int:
        inodes = self.lab_netns()
        total = 0
        for pid in (p for p in os.listdir("/proc") if p.isdigit()):
            try:
                inode = os.stat(f"/proc/{pid}/ns/net").st_ino
            except OSError:
                continue
            if inode in inodes:
                total += self.pss_kib(pid)
        return total

    def run(self) -> None:
        while not self.stop.is_set():
            self.peak_kib = max(self.peak_kib, self.sample())
            self.stop.wait(self.every)


def verify_counts(stdout: str) -> tuple[int, int, list[str]]:
    """Checks, failures and the first failures' names from ``verify --json``."""
    try:
        data = json.loads(stdout)
    except json.JSONDecodeError:
        return 0, 1, ["verify printed no JSON"]
    checks = data.get("checks", [])
    bad = [f"{c['family']} {c['name']} {c['device']} {c['target']}: {c['detail']}" for c in checks if not c.get("ok")]
    errors = list(data.get("errors", []))
    return len(checks), len(bad) + len(errors), (errors + bad)[:10]


def child_sample(cuts: int, calls: int, seed: int) -> dict[str, Any]:
    """In the tree (cwd): registrations, a sample of calls, a sample of span cuts, on the running lab."""
    from communet import ROOT
    from communet.design import build_design
    from communet.model.load import load_network
    from communet.verify.checks import resilience, telephony
    from communet.verify.run import make_context
    from communet.verify.target import Overrides, resolve

    net = load_network(ROOT / "inventory")
    intents = build_design(net)
    ctx = make_context(net, intents, resolve("lab", net, intents, Overrides()))
    rng = random.Random(seed)
    try:
        checks = telephony.registrations(ctx)
        checks += [telephony.place_call(ctx, c) for c in rng.sample(ctx.exp.calls, min(calls, len(ctx.exp.calls)))]
        spans = tuple(rng.sample(ctx.exp.ring, min(cuts, len(ctx.exp.ring))))
        start = time.perf_counter()
        checks += resilience.all_checks(ctx, spans)
        cut_s = (time.perf_counter() - start) / max(1, len(spans))
    finally:
        ctx.transport.close()
    failed = [f"{c.family} {c.name} {c.device} {c.target}: {c.detail}" for c in checks if not c.ok]
    return {"checks": len(checks), "failed": len(failed), "cuts": len(spans), "cut_s": cut_s, "failures": failed[:10]}


def sample(tree: Path, cuts: int, calls: int, seed: int) -> tuple[float, dict[str, Any]]:
    env = {**os.environ, "COMMUNET_ROOT": str(tree)}
    argv = [sys.executable, __file__, "--child", str(cuts), str(calls), str(seed)]
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=tree, env=env, capture_output=True, text=True, timeout=3600, check=False)
    seconds = time.perf_counter() - start
    try:
        return seconds, json.loads(done.stdout.strip().splitlines()[-1])
    except (json.JSONDecodeError, IndexError):
        print(f"sample failed ({done.returncode}):\n{done.stderr[-2000:]}", file=sys.stderr)
        return seconds, {"checks": 0, "failed": 1, "cuts": 0, "cut_s": 0.0}


def counts(tree: Path) -> tuple[int, int]:
    """Live towns and devices, as ``communet validate`` counts them ("8 towns (7 live), 15 devices")."""
    _, _, out = communet(tree, "validate")
    words = out.replace("(", "").replace(")", "").split()
    live = int(words[words.index("live,") - 1]) if "live," in words else 0
    return live, int(words[words.index("devices,") - 1]) if "devices," in words else 0


def operations(tree: Path, args: argparse.Namespace) -> dict[str, Any]:
    towns, devices = counts(tree)
    out: dict[str, Any] = {"towns": towns, "devices": devices}
    memory = LabMemory(args.every)
    memory.start()
    failed = 0
    checks = 0
    try:
        out["lab_up_s"], rc, _ = communet(tree, "lab", "up")
        failed += rc != 0
        out["deploy_s"], rc, _ = communet(tree, "deploy", "--commit", "--json")
        failed += rc != 0
        out["converge_s"], rc, _ = communet(tree, "lab", "wait", "--timeout", str(args.converge_timeout))
        failed += rc != 0
        for key, extra in (("redeploy_s", ["--commit"]), ("dry_run_s", [])):
            out[key], rc, _ = communet(tree, "deploy", *extra, "--json")
            failed += rc != 0
        families = [a for f in PASSIVE for a in ("--family", f)]
        out["verify_s"], _, text = communet(tree, "verify", *families, "--json")
        n, bad, out["verify_failures"] = verify_counts(text)
        checks, failed = checks + n, failed + bad
        _, got = sample(tree, args.cuts, args.calls, args.seed)
        out["resilience_per_cut_s"] = round(got["cut_s"], 2)
        checks, failed = checks + got["checks"], failed + got["failed"]
        out["sample_failures"] = got.get("failures", [])
    finally:
        out["down_s"], rc, _ = communet(tree, "lab", "down")
        failed += rc != 0
        memory.stop.set()
        memory.join()
    out.update(peak_mem_mib=round(memory.peak_kib / 1024), checks=checks, failed=failed)
    return {k: round(v, 1) if isinstance(v, float) else v for k, v in out.items()}


def synthetic_tree(towns: int, parent: Path) -> Path:
    from synthetic import write_syndicate

    tree = parent / f"t{towns}"  # short: the lab's unix sockets live below it
    write_syndicate(towns, tree / "inventory", lab=True)
    _, rc, _ = communet(tree, "render")
    if rc != 0:
        raise SystemExit("render failed")
    return tree


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--towns", type=int, default=0, help="a synthetic syndicate of N towns (default: the example)")
    parser.add_argument("--cuts", type=int, default=3, help="span cuts in the sample")
    parser.add_argument("--calls", type=int, default=5, help="calls in the sample")
    parser.add_argument("--seed", type=int, default=1, help="seed of the sample")
    parser.add_argument("--every", type=float, default=1.0, help="seconds between memory samples")
    parser.add_argument("--converge-timeout", type=float, default=300, help="seconds for `lab wait` after deploy")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    parser.add_argument("--child", nargs=3, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child_sample(*args.child)))
        return
    from communet import ROOT

    if args.towns:
        with tempfile.TemporaryDirectory(prefix="cn-ops-") as tmp:
            result = operations(synthetic_tree(args.towns, Path(tmp)), args)
    else:
        result = operations(ROOT, args)
    if args.json:
        print(json.dumps(result))
    else:
        for key, value in result.items():
            print(f"{key:>22}  {value}")


if __name__ == "__main__":
    main()
