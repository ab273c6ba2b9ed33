"""Issue 15: the project carries its own rules.

Every rule id cited in code, templates, message texts or tests (``REG-3``,
``WAV-2``, a bare family such as ``PRV``) must be defined in docs/domain.md,
and so must every id of the brief (../shared/SPEC.md). Defined means a
heading or a bold lead that starts with the id (``### REG-3 Identity``,
``**PRG** ...``); a mere mention in running text does not count.
"""

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOMAIN_DOC = ROOT / "docs" / "domain.md"
SPEC = ROOT.parent / "shared" / "SPEC.md"
SCANNED_DIRS = ("prakerja", "tests")
SCANNED_SUFFIXES = {".py", ".html", ".txt"}

FAMILIES = ("PRG", "REG", "WAV", "SEL", "CRD", "TRN", "INC", "CMP", "OPS", "NTF", "PRV")
ID = rf"(?:{'|'.join(FAMILIES)})(?:-\d+)?"
CITED = re.compile(rf"\b{ID}\b")
# "## REG: registration", "### REG-3 Identity", "**PRG** One programme period",
# "- **REG-1 Account.** ..." (the brief's form).
DEFINED = re.compile(rf"^(?:#{{1,6}}\s+|\s*(?:[-*]\s+)?\*\*)({ID})\b", re.MULTILINE)

# Strings that look like rule ids and are not: each with where it is and why.
NOT_RULE_IDS = {
    "CMP-1234": "a complaint ticket number in the reasons typed in tests/accounts/test_roles.py and "
                "tests/registry/test_reveal.py",
}


def defined_ids(text: str) -> set[str]:
    return set(DEFINED.findall(text))


def cited_ids() -> dict[str, list[str]]:
    """Every id cited under prakerja/ and tests/ (migrations included), with where."""
    found: dict[str, list[str]] = {}
    for top in SCANNED_DIRS:
        for path in sorted((ROOT / top).rglob("*")):
            if path.suffix not in SCANNED_SUFFIXES or not path.is_file():
                continue
            text = path.read_text(encoding="utf-8", errors="replace")
            for number, line in enumerate(text.splitlines(), start=1):
                for rule in CITED.findall(line):
                    found.setdefault(rule, []).append(f"{path.relative_to(ROOT)}:{number}")
    return found


def test_the_patterns_tell_a_definition_from_a_mention():
    text = ("## REG: registration\n### REG-3 Identity\n**PRG** One period\n- **WAV-2 Join.** Text\n"
            "See REG-4 and **SEL-1** in passing; NTF-1 is cited, not defined.\n")
    assert defined_ids(text) == {"REG", "REG-3", "PRG", "WAV-2"}
    # Built from parts, so that this file (which the scan reads too) cites no undefined id.
    two_digits = "NTF-" + "12"
    assert CITED.findall(f"REG-3..7, (PRV), {two_digits}; not NTFX or XREG-1") == ["REG-3", "PRV", two_digits]


def test_the_scan_finds_the_ids_cited_today():
    # If this fails the scan is broken (a moved folder, a wrong pattern), not the docs.
    found = cited_ids()
    assert {"REG-3", "WAV-2", "OPS-4", "PRV"} <= set(found)


def test_every_rule_id_cited_in_code_and_tests_is_defined_in_docs_domain_md():
    defined = defined_ids(DOMAIN_DOC.read_text(encoding="utf-8"))
    missing = {rule: places for rule, places in cited_ids().items()
               if rule not in defined and rule not in NOT_RULE_IDS}
    assert not missing, "cited but not defined in docs/domain.md:\n" + "\n".join(
        f"  {rule}: {', '.join(places[:5])}" for rule, places in sorted(missing.items()))


def test_every_rule_id_of_the_brief_is_defined_in_docs_domain_md():
    if not SPEC.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but the brief is missing: {SPEC}")
        pytest.skip(f"the brief is not beside the checkout: {SPEC}")
    in_spec = defined_ids(SPEC.read_text(encoding="utf-8"))
    assert len(in_spec) > 40, "the brief's ids were not found: has its format changed?"
    missing = in_spec - defined_ids(DOMAIN_DOC.read_text(encoding="utf-8"))
    assert not missing, f"defined in SPEC.md but not in docs/domain.md: {sorted(missing)}"
