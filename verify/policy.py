"""Policy: the flow matrix from the segment policy with real packets (allowed answered, denied dropped),
and forged sources from a town segment dropped before they arrive.

Thin aetest wrapper: the checks live in communet.verify."""

from pyats import aetest

from communet.verify import aetest_sections as sections


class CommonSetup(sections.Setup):
    family = "policy"


class Checks(sections.FamilyChecks):
    family = "policy"


class CommonCleanup(sections.Cleanup):
    pass


if __name__ == "__main__":
    aetest.main()
