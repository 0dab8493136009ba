"""Deploy benchmark: the example network in the lab, from its bootstrap to its intended configs.

    .venv/bin/python bench/deploy_bench.py [--engine nornir] [--json]

Brings the lab up with the bootstrap only, then times, each as its own ``communet``
process (start to exit, as a user waits for it):

- ``deploy_s``: ``deploy --commit`` from the bootstrap (every device changes);
- ``redeploy_s``: a second ``deploy --commit``, which changes nothing;
- ``dry_run_s``: ``deploy`` (dry run: running config compared, intended file checked).

The lab is always taken down at the end. Nothing here asserts a speed: it prints the
figures (and each run's outcome, so a fast failure does not pass for a fast deploy).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
COMMUNET = str(BIN / "communet")


def timed(args: list[str]) -> tuple[float, int, dict[str, int]]:
    """Seconds, exit status and the report's status counts of one ``communet`` run."""
    started = time.monotonic()
    proc = subprocess.run([COMMUNET, *args], capture_output=True, text=True, check=False)
    seconds = time.monotonic() - started
    counts: dict[str, int] = {}
    if "--json" in args and proc.stdout.strip().startswith("{"):
        counts = json.loads(proc.stdout).get("counts", {})
    if proc.returncode != 0:
        sys.stderr.write(proc.stdout[-2000:] + proc.stderr[-2000:])
    return seconds, proc.returncode, counts


def bench(engine: str) -> dict[str, object]:
    up = subprocess.run([COMMUNET, "lab", "up"], capture_output=True, text=True, check=False)
    if up.returncode != 0:
        raise SystemExit(f"lab up failed: {up.stdout}{up.stderr}")
    out: dict[str, object] = {"engine": engine}
    try:
        extra = ["--engine", engine] if engine != "nornir" else ["--json"]
        for key, args in (
            ("deploy", ["deploy", "--commit", *extra]),
            ("redeploy", ["deploy", "--commit", *extra]),
            ("dry_run", ["deploy", *extra]),
        ):
            seconds, code, counts = timed(args)
            out[f"{key}_s"] = round(seconds, 1)
            out[f"{key}_exit"] = code
            if counts:
                out[f"{key}_counts"] = counts
    finally:
        subprocess.run([COMMUNET, "lab", "down"], capture_output=True, text=True, check=False)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--engine", default="nornir", choices=("nornir", "ansible"))
    parser.add_argument("--json", action="store_true", help="one JSON object instead of lines")
    args = parser.parse_args()
    result = bench(args.engine)
    if args.json:
        print(json.dumps(result))
        return
    for key, value in result.items():
        print(f"{key:>16}: {value}")


if __name__ == "__main__":
    main()
