"""Uplink: transit sessions, the default route in every town, NAT44 seen from the internet,
and the failover when transit goes.

Thin aetest wrapper: the checks live in communet.verify."""

from pyats import aetest

from communet.verify import aetest_sections as sections


class CommonSetup(sections.Setup):
    family = "uplink"


class Checks(sections.FamilyChecks):
    family = "uplink"


class CommonCleanup(sections.Cleanup):
    pass


if __name__ == "__main__":
    aetest.main()
