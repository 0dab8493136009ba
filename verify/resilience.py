"""Resilience: cut each ring span in turn, every town stays reachable and a call completes;
restore it and the adjacency comes back.

Thin aetest wrapper: the checks live in communet.verify."""

from pyats import aetest

from communet.verify import pyats_support as ps


class CommonSetup(aetest.CommonSetup):
    @aetest.subsection
    def learn_state(self, testbed=None):  # noqa: ANN001, ANN201 - aetest passes parameters by name
        ps.common_setup(self, testbed, learn_state=False)


class SpanCuts(aetest.Testcase):
    @aetest.setup
    def setup(self, ctx, state):  # noqa: ANN001, ANN201
        ps.loop_checks(self, self.check, "resilience", ctx, state)

    @aetest.test
    def check(self, check):  # noqa: ANN001, ANN201
        ps.verdict(self, check)


class CommonCleanup(aetest.CommonCleanup):
    @aetest.subsection
    def disconnect(self, ctx=None):  # noqa: ANN001, ANN201
        ps.close(ctx)


if __name__ == "__main__":
    aetest.main()
