"""Base aetest sections for the scripts in ``verify/``: each script only names its groups.

A script subclasses these (reached as ``sections.X`` so aetest does not collect the bases
themselves): ``Setup`` builds the context, ``GroupChecks`` turns one group of generated
checks into one looped test each, ``Cleanup`` closes the connections.
"""

from __future__ import annotations

from typing import Any

from pyats import aetest

from communet.verify import pyats_support as ps


class Setup(aetest.CommonSetup):
    learn_state: bool = True  # collect FRR state first (groups that read it)

    @aetest.subsection
    def learn(self, testbed: Any = None) -> None:
        ps.common_setup(self, testbed, learn_state=self.learn_state)


class GroupChecks(aetest.Testcase):
    group: str = ""  # a key of pyats_support.GROUPS

    @aetest.setup
    def setup(self, ctx: Any, state: Any) -> None:
        ps.loop_checks(self, self.check, self.group, ctx, state)

    @aetest.test
    def check(self, check: Any) -> None:
        ps.verdict(self, check)


class Cleanup(aetest.CommonCleanup):
    @aetest.subsection
    def disconnect(self, ctx: Any = None) -> None:
        ps.close(ctx)
