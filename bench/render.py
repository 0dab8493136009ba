"""Render benchmark: communet's Nornir render against the bare-Jinja floor, and Ansible.

    .venv/bin/python bench/render.py [--sizes 100,1000,5000] [--ansible-hosts 100]

For each size a synthetic syndicate (bench/synthetic.py) is written to a temporary
directory, then each measurement runs in a fresh Python process so that its peak
memory (the child's maxrss, from os.wait4) is its own:

(a) nornir:  load YAML + validate + design + Nornir render + write, timed in the child
             after imports (``nornir_tasks.render_with_nornir``);
(c) floor:   design computed before the timer, then a bare loop of the compiled
             templates over the intents, writing each file;
(d) cli:     ``communet render``'s own path (load + validate + design + render + write),
             into an empty directory (nothing recorded: every file rendered);
(e) town:    the same after a one-town change (a town renamed), timed on the re-render,
             which renders only the files whose key changed (``communet.render.key``);
(f) check:   ``communet render --check`` after that re-render (files hashed on disk);
(b) ansible: ``ansible-playbook playbooks/render.yml`` on a syndicate of
             ``--ansible-hosts`` routers (timed from outside: process start to exit).

Files go to tmpfs (``--workdir``, default /dev/shm): on a shared disk, creating
thousands of files costs more, and varies more, than rendering them. Each of (a)
and (c) runs ``--repeat`` times into a fresh directory after ``sync``; the best
time and the highest peak are reported, with the CPU time of the same span (the
ratio of CPU times moves less when other work shares the machine). Ansible's CPU
time is that of the whole process tree.

Nothing here asserts a speed; it prints a table and the (a)/(c) ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import write_syndicate

from communet import ROOT

BIN = Path(sys.executable).parent
MIB = 1024  # ru_maxrss is in KiB on Linux
SHM = Path("/dev/shm")


@dataclass(frozen=True)
class Run:
    case: str
    routers: int
    devices: int
    seconds: float
    cpu: float  # CPU seconds of the same span: less sensitive to other load on the machine
    peak_mib: float


def child_nornir(inventory: Path, out: Path) -> dict[str, float]:
    from nornir_tasks import render_with_nornir

    start, cpu = time.perf_counter(), time.process_time()
    result = render_with_nornir(inventory, out)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    if result.failed:
        raise SystemExit(f"render failed on {sorted(result.failed_hosts)[:5]}")
    return {"seconds": seconds, "cpu": cpu, "devices": len(result)}


def child_floor(inventory: Path, out: Path) -> dict[str, float]:
    from communet.design import build_design
    from communet.model.load import load_network
    from communet.render import jinja_env, outputs

    intents = list(build_design(load_network(inventory)).values())
    env = jinja_env()
    files = [(i, o) for i in intents for o in outputs(i)]  # every file of every device, as communet renders
    templates = {name: env.get_template(name) for name in {o.template for _, o in files}}
    jobs = [(templates[o.template], out / o.file, i) for i, o in files]
    out.mkdir(parents=True, exist_ok=True)
    start, cpu = time.perf_counter(), time.process_time()
    for template, path, intent in jobs:
        path.write_text(template.render(intent=intent, reveal=False), encoding="utf-8")
    return {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu, "devices": len(intents)}


def pipeline(inventory: Path, out: Path) -> int:
    """``communet render``'s own path: load, validate, design, render, write; the number of devices."""
    from communet.design import build_design
    from communet.model.load import load_network
    from communet.render import render_to

    intents = build_design(load_network(inventory))
    render_to(intents.values(), out)
    return len(intents)


def child_cli(inventory: Path, out: Path) -> dict[str, float]:
    import communet.design
    import communet.model.load
    import communet.render  # noqa: F401  (timed after imports, as the other cases)

    start, cpu = time.perf_counter(), time.process_time()
    files = pipeline(inventory, out)
    return {"seconds": time.perf_counter() - start, "cpu": time.process_time() - cpu, "devices": files}


@contextmanager
def one_town_changed(inventory: Path) -> Iterator[None]:
    """One town's display name changed for the span of the block."""
    town = sorted((inventory / "towns").glob("*.yml"))[0]
    original = town.read_text(encoding="utf-8")
    town.write_text(original.replace("display_name: ", "display_name: Renamed ", 1), encoding="utf-8")
    try:
        yield
    finally:
        town.write_text(original, encoding="utf-8")


def child_town(inventory: Path, out: Path) -> dict[str, float]:
    """A one-town change: render everything, edit one town's display name, time the re-render."""
    pipeline(inventory, out)
    with one_town_changed(inventory):
        return child_cli(inventory, out)


def child_check(inventory: Path, out: Path) -> dict[str, float]:
    """``communet render --check`` after a one-town change was rendered: every file up to date."""
    from communet.design import build_design
    from communet.model.load import load_network
    from communet.render import check

    pipeline(inventory, out)
    with one_town_changed(inventory):
        pipeline(inventory, out)
        start, cpu = time.perf_counter(), time.process_time()
        intents = build_design(load_network(inventory))
        bad, _, _ = check(intents.values(), out)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    if bad:
        raise SystemExit(f"render --check found {len(bad)} stale files")
    return {"seconds": seconds, "cpu": cpu, "devices": len(intents)}


CHILDREN = {"nornir": child_nornir, "floor": child_floor, "cli": child_cli, "town": child_town, "check": child_check}


def spawn(argv: list[str], env: dict[str, str] | None = None) -> tuple[float, float, float, str]:
    """Run ``argv``; return wall seconds, its CPU seconds, its peak RSS in MiB, and its stdout."""
    start = time.perf_counter()
    with tempfile.TemporaryFile(mode="w+") as stdout:
        proc = subprocess.Popen(argv, stdout=stdout, stderr=subprocess.PIPE, env=env, cwd=ROOT, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        stderr = proc.stderr.read() if proc.stderr else ""
        stdout.seek(0)
        text = stdout.read()
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(argv[:3])}... failed ({proc.returncode}):\n{stderr[-2000:]}{text[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / MIB, text


def measure(case: str, inventory: Path, out: Path, routers: int, repeat: int) -> Run:
    """Best of ``repeat`` fresh runs (each into an empty directory, after a sync); the highest peak."""
    runs = []
    for attempt in range(repeat):
        target = out / str(attempt)
        os.sync()  # earlier writes must not be flushed on this run's time
        env = dict(os.environ, XDG_CACHE_HOME=str(out / "cache"))  # the render record: this run's own
        _, _, peak, text = spawn([sys.executable, __file__, "--child", case, str(inventory), str(target)], env)
        data = json.loads(text.strip().splitlines()[-1])
        runs.append(Run(case, routers, int(data["devices"]), data["seconds"], data["cpu"], peak))
        shutil.rmtree(target)
    return Run(
        case,
        routers,
        runs[0].devices,
        min(r.seconds for r in runs),
        min(r.cpu for r in runs),
        max(r.peak_mib for r in runs),
    )


def measure_ansible(inventory: Path, out: Path, routers: int) -> Run:
    out.mkdir(parents=True, exist_ok=True)
    os.sync()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANSIBLE_")}
    env.update(
        COMMUNET_INVENTORY=str(inventory),
        ANSIBLE_CONFIG=str(ROOT / "ansible.cfg"),
        LC_ALL="C.UTF-8",
        PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}",
    )
    wall, cpu, peak, _ = spawn([str(BIN / "ansible-playbook"), "playbooks/render.yml", "-e", f"out_dir={out}"], env)
    devices = sum(1 for p in out.iterdir() if p.is_file())
    return Run("ansible", routers, devices, wall, cpu, peak)


def table(runs: list[Run]) -> str:
    lines = [f"{'case':<8} {'routers':>7} {'devices':>7} {'wall s':>8} {'ms/device':>9} {'cpu s':>7} {'peak MiB':>8}"]
    lines += [
        f"{r.case:<8} {r.routers:>7} {r.devices:>7} {r.seconds:>8.2f} {1000 * r.seconds / r.devices:>9.2f} "
        f"{r.cpu:>7.2f} {r.peak_mib:>8.0f}"
        for r in runs
    ]
    floors = {r.routers: r for r in runs if r.case == "floor"}
    for run in runs:
        if run.case in ("nornir", "cli", "town", "check") and run.routers in floors:
            floor = floors[run.routers]
            lines.append(
                f"{run.case}/floor at {run.routers} routers: {run.seconds / floor.seconds:.2f}x wall, "
                f"{run.cpu / floor.cpu:.2f}x cpu"
            )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100,1000,5000", help="comma-separated router counts")
    parser.add_argument("--ansible-hosts", type=int, default=100, help="routers for the Ansible run (0: skip)")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=SHM if SHM.is_dir() else None,
        help="where inventories and configs go (default: tmpfs, so disk noise stays out)",
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per case; the best time is kept")
    parser.add_argument(
        "--cases", default="nornir,floor,cli,town,check", help="comma-separated: nornir, floor, cli, town, check"
    )
    parser.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    parser.add_argument("paths", nargs="*", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(CHILDREN[args.child](*args.paths)))
        return
    sizes = [int(s) for s in args.sizes.split(",") if s]
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="communet-bench-", dir=args.workdir) as tmp:
        work = Path(tmp)
        for size in sizes:
            inventory = write_syndicate(size, work / f"inventory-{size}")
            for case in args.cases.split(","):
                runs.append(measure(case, inventory, work / f"{case}-{size}", size, args.repeat))
                print(f"  {runs[-1]}", file=sys.stderr)
        if args.ansible_hosts:
            inventory = write_syndicate(args.ansible_hosts, work / f"inventory-{args.ansible_hosts}")
            runs.append(measure_ansible(inventory, work / "ansible", args.ansible_hosts))
    print(
        f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, one process per run, "
        f"best of {args.repeat}, load average {os.getloadavg()[0]:.1f}"
    )
    print(table(runs))


if __name__ == "__main__":
    main()
