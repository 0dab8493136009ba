"""Base aetest sections for the scripts in ``verify/``; their testcases come from the check registry.

A script names its family three times and nothing else: ``CommonSetup`` builds the context
(and collects FRR state when a group of the family reads it), ``Checks`` is generated from
``communet.verify.registry`` (one testcase run per group, named as the registry says, each
looping over that group's checks), ``CommonCleanup`` closes the connections. The bases are
reached as ``sections.X`` so aetest does not collect them themselves.
"""

from __future__ import annotations

from typing import Any

from pyats import aetest

from communet.verify import pyats_support as ps
from communet.verify import registry


class Setup(aetest.CommonSetup):
    family: str = ""  # collect FRR state first when a group of this family reads it

    @aetest.subsection
    def learn(self, testbed: Any = None) -> None:
        ps.common_setup(self, testbed, learn_state=registry.reads_state((self.family,)))


class FamilyChecks(aetest.Testcase):
    """One testcase looped over the family's groups (named as the registry says), each a loop over its checks."""

    family: str = ""  # a family of communet.verify.registry

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        groups = registry.of_family(cls.family)
        if not groups:
            raise KeyError(f"no check family {cls.family!r}; known: {', '.join(registry.families())}")
        aetest.loop.mark(cls, uids=[g.testcase for g in groups], group=[g.name for g in groups])

    @aetest.setup
    def setup(self, group: str, ctx: Any, state: Any) -> None:
        ps.loop_checks(self, self.check, group, ctx, state)

    @aetest.test
    def check(self, check: Any) -> None:
        ps.verdict(self, check)


class Cleanup(aetest.CommonCleanup):
    @aetest.subsection
    def disconnect(self, ctx: Any = None) -> None:
        ps.close(ctx)
