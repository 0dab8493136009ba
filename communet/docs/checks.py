"""What ``communet verify`` checks: every family and group, from the check registry."""

from __future__ import annotations

from communet.docs.markdown import code, page, table
from communet.verify import registry


def checks_page() -> str:
    rows = [
        (code(g.family), code(g.name), g.testcase, "yes" if g.reads_state else "", g.summary)
        for g in registry.GROUPS
    ]
    intro = (
        "Every check is computed from the intent that rendered the configs. "
        "`communet verify --family FAMILY` runs one family; the aetest scripts in `verify/` "
        "run one testcase per group, named as below."
    )
    return page(
        "What verify checks",
        intro,
        table(["family", "group", "aetest testcase", "reads FRR state", "what it checks"], rows),
    )
