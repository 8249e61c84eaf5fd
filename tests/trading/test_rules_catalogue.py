"""The catalogue, `GET /api/rules` and docs/rules.md stay in step with the shared RULES.md.

RULES.md lives beside the clone (`../shared/domain/RULES.md`). Without it the comparison cannot be
made: under CI=true that is a failure (CI always has shared/ beside the clone), elsewhere a skip.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from trading.rules.catalogue import RULES

ROOT = Path(__file__).resolve().parents[2]
RULES_MD = ROOT.parent / "shared" / "domain" / "RULES.md"
DOCS_RULES = ROOT / "docs" / "rules.md"
ROW = re.compile(r"^\| ([A-Z]-\d\d) \| (.*) \| (.*) \|$")
# docs/rules.md: | id | source | state | where | tested in |
DOC_ROW = re.compile(r"^\| ([A-Z]-\d\d) \| (.*?) \| (.*?) \| (.*?) \| (.*?) \|$")
STATES = {"enforced", "partly", "issue 18", "issue 19", "issue 20", "not enforced"}


def shared_rows() -> list[tuple[str, str, str]]:
    """(id, rule, source) of every row of RULES.md, in its order."""
    if not RULES_MD.exists():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but {RULES_MD} is missing: shared/ must sit beside the clone")
        pytest.skip(f"{RULES_MD} is not beside this clone")
    rows = []
    for line in RULES_MD.read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            rows.append((match.group(1), match.group(2), match.group(3)))
    assert rows, "no rule rows found in RULES.md"
    return rows


def documented_rows() -> dict[str, tuple[str, str, str, str]]:
    rows = {}
    for line in DOCS_RULES.read_text(encoding="utf-8").splitlines():
        match = DOC_ROW.match(line)
        if match:
            rule_id, source, state, where, tested = (g.strip() for g in match.groups())
            assert rule_id not in rows, f"{rule_id} is listed twice in docs/rules.md"
            rows[rule_id] = (source, state, where, tested)
    return rows


def test_the_catalogue_holds_every_row_of_rules_md_word_for_word():
    rows = shared_rows()
    assert list(RULES) == [rule_id for rule_id, _, _ in rows]
    for rule_id, text, source in rows:
        assert RULES[rule_id].text_en == text, rule_id
        assert RULES[rule_id].source == source, rule_id


async def test_the_rules_api_answers_every_row_of_rules_md(client):
    rows = shared_rows()
    response = await client.get("/api/rules/")
    assert response.status_code == 200
    answered = {r["id"]: r for r in response.json()}
    assert list(answered) == [rule_id for rule_id, _, _ in rows]
    for rule_id, text, source in rows:
        assert answered[rule_id]["text_en"] == text
        assert answered[rule_id]["source"] == source
    one = await client.get("/api/rules/C-18")
    assert one.status_code == 200
    assert one.json()["source"] == "TLR art. 34 ¶2"


def test_docs_list_every_row_with_its_source_and_state():
    rows = shared_rows()
    documented = documented_rows()
    assert sorted(documented) == sorted(rule_id for rule_id, _, _ in rows)
    for rule_id, _, source in rows:
        doc_source, state, _, _ = documented[rule_id]
        assert doc_source == source, rule_id
        assert state in STATES, f"{rule_id}: unknown state {state!r}"


def test_every_place_docs_name_exists():
    """An enforced rule names the module that enforces it and the test that proves it: both
    must exist, so the list cannot drift from the code."""
    for rule_id, (_, state, where, tested) in documented_rows().items():
        if state not in ("enforced", "partly"):
            continue
        modules = re.findall(r"`([\w/]+\.py)", where)
        tests = re.findall(r"`(tests/[\w/]+\.py)`", tested)
        assert modules, f"{rule_id}: no module named"
        assert tests, f"{rule_id}: no test named"
        for path in modules + tests:
            assert (ROOT / path).exists(), f"{rule_id}: {path} does not exist"


def test_without_rules_md_ci_fails_and_elsewhere_skips(monkeypatch, tmp_path):
    import tests.trading.test_rules_catalogue as this

    monkeypatch.setattr(this, "RULES_MD", tmp_path / "absent" / "RULES.md")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true"):
        this.shared_rows()
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception):
        this.shared_rows()
