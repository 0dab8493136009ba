"""The check registry: the one list the CLI, the aetest scripts, the job and the docs read."""

import ast
from pathlib import Path

from communet.docs.checks import checks_page
from communet.verify import registry

ROOT = Path(__file__).resolve().parent.parent


def test_group_names_and_testcases_are_unique():
    names = [g.name for g in registry.GROUPS]
    cases = [g.testcase for g in registry.GROUPS]
    assert len(set(names)) == len(names)
    assert len(set(cases)) == len(cases)
    assert all(c.isidentifier() and c[0].isupper() for c in cases)


def test_every_family_has_a_thin_aetest_script_that_names_only_its_family():
    for family in registry.families():
        script = ROOT / "verify" / f"{family}.py"
        tree = ast.parse(script.read_text(encoding="utf-8"))
        named = {
            n.value.value
            for n in ast.walk(tree)
            if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant) and n.targets[0].id == "family"
        }
        assert named == {family}, script


def test_no_script_without_a_family():
    scripts = {p.stem for p in (ROOT / "verify").glob("*.py")} - {"job"}
    assert scripts == set(registry.families())


def test_cli_choices_come_from_the_registry():
    from communet.cli import verify as cli_verify

    assert registry.families() == cli_verify.FAMILIES


def test_docs_list_every_group():
    page = checks_page()
    for g in registry.GROUPS:
        assert f"| `{g.family}` | `{g.name}` | {g.testcase} |" in page


def test_reads_state_follows_the_groups():
    assert registry.reads_state(("backbone",))
    assert not registry.reads_state(("telephony", "resilience"))


def test_unknown_group_names_the_known_ones():
    try:
        registry.get("nope")
    except KeyError as exc:
        assert "ospf" in str(exc)
    else:
        raise AssertionError("no KeyError")
