"""Backbone: OSPF adjacencies, BFD, iBGP to the route reflectors, town-to-town reachability.

Expectations come from the intent (communet.verify); run with ``pyats run job verify/job.py``
or standalone: ``python verify/backbone.py --testbed testbed.yml``.
"""

from pyats import aetest

from communet.verify import aetest_sections as sections


class CommonSetup(sections.Setup):
    family = "backbone"


class Checks(sections.FamilyChecks):
    family = "backbone"


class CommonCleanup(sections.Cleanup):
    pass


if __name__ == "__main__":
    aetest.main()
