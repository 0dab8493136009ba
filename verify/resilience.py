"""Resilience: cut each ring span in turn, every town stays reachable and a call completes;
restore it and the adjacency comes back.

Thin aetest wrapper: the checks live in communet.verify."""

from pyats import aetest

from communet.verify import aetest_sections as sections


class CommonSetup(sections.Setup):
    family = "resilience"


class Checks(sections.FamilyChecks):
    family = "resilience"


class CommonCleanup(sections.Cleanup):
    pass


if __name__ == "__main__":
    aetest.main()
