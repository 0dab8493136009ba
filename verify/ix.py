"""IX: sessions to the route servers and the bilateral peer, exactly our aggregates announced,
the other member's bad prefixes kept out, max-prefix configured.

Thin aetest wrapper: the checks live in communet.verify."""

from pyats import aetest

from communet.verify import aetest_sections as sections


class CommonSetup(sections.Setup):
    family = "ix"


class Checks(sections.FamilyChecks):
    family = "ix"


class CommonCleanup(sections.Cleanup):
    pass


if __name__ == "__main__":
    aetest.main()
