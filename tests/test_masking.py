"""Secrets masked by syntax as well as by value, in reports and in deploy deltas.

Each case is a config line a platform prints with a secret in it; the secret must not
survive, and the rest of the line (what a reviewer reads) must.
"""

from __future__ import annotations

import pytest

from communet import ROOT
from communet.deploy.secrets import Masker
from communet.filters import MASK
from communet.report.mask import mask_line

SECRET = "not-a-real-secret"

CASES = [
    # (line, the secret text that must disappear, text that must stay)
    (f" neighbor peer password {SECRET} with spaces", f"{SECRET} with spaces", "neighbor peer password"),
    (f'    authentication-key "$9${SECRET} x"; ## SECRET-DATA', SECRET, "; ## SECRET-DATA"),
    (f" snmp-server community {SECRET} RO 10", SECRET, "RO 10"),
    (f"    community {SECRET} {{", SECRET, "{"),
    (f"  key-string 7 {SECRET}", SECRET, "key-string 7"),
    (f"  key-string {SECRET}", SECRET, "key-string"),
    (f'    pre-shared-key ascii-text "{SECRET} two"; ## SECRET-DATA', SECRET, "pre-shared-key ascii-text"),
    (f"  pre-shared-key {SECRET}", SECRET, "pre-shared-key"),
    (f" enable secret 9 {SECRET}", SECRET, "enable secret 9"),
    (f" snmp-server user u g v3 auth sha {SECRET} priv aes 128 {SECRET}2", SECRET, "priv aes 128"),
]


@pytest.mark.parametrize(("line", "gone", "kept"), CASES)
def test_report_masker_hides_the_secret_and_keeps_the_line(line: str, gone: str, kept: str) -> None:
    masked = mask_line(line)
    assert gone not in masked and SECRET not in masked, masked
    assert kept in masked and MASK in masked


def test_bgp_communities_are_route_attributes_not_secrets() -> None:
    lines = [line for path in (ROOT / "configs").glob("*") for line in path.read_text().splitlines()]
    communities = [line for line in lines if "community" in line and "snmp" not in line]
    assert communities
    assert [mask_line(line) for line in communities] == communities


def test_deploy_delta_masks_a_password_it_does_not_know() -> None:
    """A rotated or hand-set password on the device shows in the ``-`` lines of a delta: masked."""
    known = Masker({"COMMUNET_IX_PEER": "the-current-one"})
    delta = f"-neighbor peer password {SECRET}\n+neighbor peer password the-current-one\n"
    masked = known(delta)
    assert SECRET not in masked and "the-current-one" not in masked
    assert masked == f"-neighbor peer password {MASK}\n+neighbor peer password {MASK}\n"
