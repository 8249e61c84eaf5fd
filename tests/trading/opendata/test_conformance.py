"""The validator itself: it must catch what breaks conformance, offline."""

import copy

from tests.trading.opendata.conformance import errors

RELEASE = {
    "ocid": "ocds-xxxxxx-GC-2026-0001-01",
    "id": "ocds-xxxxxx-GC-2026-0001-01-planning",
    "date": "2026-03-02T01:00:00Z",
    "tag": ["planning"],
    "initiationType": "tender",
}
PACKAGE = {
    "uri": "http://testserver.local/api/public/opendata/releases",
    "version": "1.1",
    "publishedDate": "2026-03-02T01:00:00Z",
    "publisher": {"name": "公共资源交易中心"},
    "releases": [RELEASE],
}


def broken(**changes):
    package = copy.deepcopy(PACKAGE)
    package["releases"][0].update(changes)
    return package


def test_a_valid_package_passes():
    assert errors(PACKAGE, "release") == []


def test_a_wrong_tag_a_wrong_currency_and_a_bad_date_fail():
    assert errors(broken(tag=["awarded"]), "release")
    assert errors(broken(tender={"id": "x", "value": {"amount": 1, "currency": "RMB"}}), "release")
    assert errors(broken(date="2026-12-01 08:00"), "release")


def test_a_missing_required_field_fails():
    package = copy.deepcopy(PACKAGE)
    del package["releases"][0]["initiationType"]
    assert any("initiationType" in e for e in errors(package, "release"))
