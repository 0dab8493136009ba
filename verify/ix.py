"""IX: sessions to the route servers and the bilateral peer, exactly our aggregates announced,
the other member's bad prefixes kept out, max-prefix configured.

Thin aetest wrapper: the checks live in communet.verify."""

from pyats import aetest

from communet.verify import pyats_support as ps


class CommonSetup(aetest.CommonSetup):
    @aetest.subsection
    def learn_state(self, testbed=None):  # noqa: ANN001, ANN201 - aetest passes parameters by name
        ps.common_setup(self, testbed, learn_state=True)


class IxPeering(aetest.Testcase):
    @aetest.setup
    def setup(self, ctx, state):  # noqa: ANN001, ANN201
        ps.loop_checks(self, self.check, "ix", ctx, state)

    @aetest.test
    def check(self, check):  # noqa: ANN001, ANN201
        ps.verdict(self, check)


class CommonCleanup(aetest.CommonCleanup):
    @aetest.subsection
    def disconnect(self, ctx=None):  # noqa: ANN001, ANN201
        ps.close(ctx)


if __name__ == "__main__":
    aetest.main()
