"""Telephony: every phone registers with its town's SIP server; a call between every pair
of towns with telephony completes.

Thin aetest wrapper: the checks live in communet.verify."""

from pyats import aetest

from communet.verify import aetest_sections as sections


class CommonSetup(sections.Setup):
    family = "telephony"


class Checks(sections.FamilyChecks):
    family = "telephony"


class CommonCleanup(sections.Cleanup):
    pass


if __name__ == "__main__":
    aetest.main()
