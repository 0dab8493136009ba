"""Telephony: every phone registers with its town's SIP server; a call between every pair
of towns with telephony completes.

Thin aetest wrapper: the checks live in communet.verify."""

from pyats import aetest

from communet.verify import pyats_support as ps


class CommonSetup(aetest.CommonSetup):
    @aetest.subsection
    def learn_state(self, testbed=None):  # noqa: ANN001, ANN201 - aetest passes parameters by name
        ps.common_setup(self, testbed, learn_state=False)


class Registrations(aetest.Testcase):
    @aetest.setup
    def setup(self, ctx, state):  # noqa: ANN001, ANN201
        ps.loop_checks(self, self.check, "registrations", ctx, state)

    @aetest.test
    def check(self, check):  # noqa: ANN001, ANN201
        ps.verdict(self, check)


class Calls(aetest.Testcase):
    @aetest.setup
    def setup(self, ctx, state):  # noqa: ANN001, ANN201
        ps.loop_checks(self, self.check, "calls", ctx, state)

    @aetest.test
    def check(self, check):  # noqa: ANN001, ANN201
        ps.verdict(self, check)


class CommonCleanup(aetest.CommonCleanup):
    @aetest.subsection
    def disconnect(self, ctx=None):  # noqa: ANN001, ANN201
        ps.close(ctx)


if __name__ == "__main__":
    aetest.main()
