"""Backbone: OSPF adjacencies, BFD, iBGP to the route reflectors, town-to-town reachability.

Expectations come from the intent (communet.verify); run with ``pyats run job verify/job.py``
or standalone: ``python verify/backbone.py --testbed testbed.yml``.
"""

from pyats import aetest

from communet.verify import pyats_support as ps


class CommonSetup(aetest.CommonSetup):
    @aetest.subsection
    def learn_state(self, testbed=None):  # noqa: ANN001, ANN201 - aetest passes parameters by name
        ps.common_setup(self, testbed)


class OspfAdjacencies(aetest.Testcase):
    @aetest.setup
    def setup(self, ctx, state):  # noqa: ANN001, ANN201
        ps.loop_checks(self, self.check, "ospf", ctx, state)

    @aetest.test
    def check(self, check):  # noqa: ANN001, ANN201
        ps.verdict(self, check)


class BfdSessions(aetest.Testcase):
    @aetest.setup
    def setup(self, ctx, state):  # noqa: ANN001, ANN201
        ps.loop_checks(self, self.check, "bfd", ctx, state)

    @aetest.test
    def check(self, check):  # noqa: ANN001, ANN201
        ps.verdict(self, check)


class IbgpSessions(aetest.Testcase):
    @aetest.setup
    def setup(self, ctx, state):  # noqa: ANN001, ANN201
        ps.loop_checks(self, self.check, "ibgp", ctx, state)

    @aetest.test
    def check(self, check):  # noqa: ANN001, ANN201
        ps.verdict(self, check)


class Reachability(aetest.Testcase):
    @aetest.setup
    def setup(self, ctx, state):  # noqa: ANN001, ANN201
        ps.loop_checks(self, self.check, "reachability", ctx, state)

    @aetest.test
    def check(self, check):  # noqa: ANN001, ANN201
        ps.verdict(self, check)


class CommonCleanup(aetest.CommonCleanup):
    @aetest.subsection
    def disconnect(self, ctx=None):  # noqa: ANN001, ANN201
        ps.close(ctx)


if __name__ == "__main__":
    aetest.main()
