"""The verify job: every family, expectations generated from the intent.

communet inventory pyats > testbed.yml
pyats run job verify/job.py --testbed-file testbed.yml
"""

from pathlib import Path

from pyats.easypy import run

from communet.verify import registry

HERE = Path(__file__).resolve().parent
SCRIPTS = registry.families()  # one script per family: verify/<family>.py


def main(runtime):  # noqa: ANN001, ANN201 - the easypy entry point
    for name in SCRIPTS:
        run(testscript=str(HERE / f"{name}.py"), runtime=runtime, taskid=name, testbed=runtime.testbed)
