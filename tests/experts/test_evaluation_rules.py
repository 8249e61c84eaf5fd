"""The methods as pure functions: the price score, the aggregation and tie-breaks, the flags on
each side of their thresholds, the method's and the sheet's checks (C-13, TLR art. 49, 53)."""

import pytest

from experts.awards import rules as awards
from experts.evaluations import rules
from trading.errors import DomainError

CRITERIA = [{"code": "T", "name": "技术", "max_points": 60}]


def test_the_lowest_valid_price_gets_the_full_price_score():
    assert str(rules.price_score(40, 4_750_000_000, 4_750_000_000)) == "40.00"
    assert str(rules.price_score(40, 4_750_000_000, 4_800_000_000)) == "39.58"


def test_lowest_evaluated_price_ranks_by_price_and_a_tie_by_a_recorded_lot():
    ranking = rules.rank("lowest_price", {"a": 300, "b": 100, "c": 100}, [], 0, "seed")
    assert ranking[0]["organisation_id"] in ("b", "c") and ranking[2]["organisation_id"] == "a"
    assert [r["tie_broken_by"] for r in ranking] == ["lot", "lot", None]
    assert rules.rank("lowest_price", {"a": 300, "b": 100, "c": 100}, [], 0, "seed") == ranking


def test_equal_totals_rank_the_lower_price_first_then_the_members_score():
    sheets = [{"a": {"T": 50}, "b": {"T": 50}}]
    ranking = rules.rank("comprehensive", {"a": 100, "b": 100}, sheets, 40, "s")
    assert {r["tie_broken_by"] for r in ranking} == {"lot"}
    ranking = rules.rank("comprehensive", {"a": 100, "b": 200}, [{"a": {"T": 30}, "b": {"T": 50}}], 40, "s")
    assert [(r["organisation_id"], r["total"], r["tie_broken_by"]) for r in ranking] == [
        ("a", "70.00", "lower_price"),
        ("b", "70.00", "lower_price"),
    ]


@pytest.mark.parametrize(("extra", "flagged"), [(15, False), (15.1, True)])
def test_a_member_further_than_the_threshold_from_the_mean_is_flagged(extra, flagged):
    # Four members give 40, the fifth 40 + extra: the mean moves by extra / 5, so the fifth sits
    # extra × 4/5 from it; the limit is 20 % of the 60 points: 12.
    sheets = {f"m{n}": {"a": {"T": 40}} for n in range(4)} | {"m9": {"a": {"T": 40 + extra}}}
    found = rules.flags(sheets, {}, full_marks=60, outlier_percent=20, fast_percent=30)
    assert any(f["kind"] == "outlier" and f["member_id"] == "m9" for f in found) is flagged


@pytest.mark.parametrize(("seconds", "flagged"), [(300, False), (299, True)])
def test_a_sheet_done_in_under_the_share_of_the_median_time_is_flagged(seconds, flagged):
    sheets = {f"m{n}": {"a": {"T": n}} for n in range(4)}
    durations = {"m0": seconds, "m1": 1000, "m2": 1000, "m3": 1000}
    found = rules.flags(sheets, durations, full_marks=60, outlier_percent=100, fast_percent=30)
    assert [f["member_id"] for f in found if f["kind"] == "too_fast"] == (["m0"] if flagged else [])


def test_the_method_adds_up_to_100_and_names_one_to_three_candidates():
    rules.check_method("comprehensive", CRITERIA, 40, 3)
    rules.check_method("lowest_price", [], 0, 1)
    for args, problem in (
        (("comprehensive", CRITERIA, 39, 3), "points"),
        (("comprehensive", CRITERIA, 40, 4), "candidates"),
        (("comprehensive", CRITERIA, 40, 0), "candidates"),
        (("auction", [], 0, 1), "method"),
    ):
        with pytest.raises(DomainError) as refused:
            rules.check_method(*args)
        assert problem in refused.value.details["problems"]


def test_a_sheet_scores_every_valid_bid_within_the_maximum():
    rules.check_sheet(CRITERIA, {"a"}, {"a": {"T": 60}})
    rules.check_sheet(CRITERIA, {"a"}, {"a": {"T": 0}})
    for scores in ({"a": {"T": 60.5}}, {"a": {"T": -1}}, {"a": {"T": 1.25}}, {"a": {}}, {"b": {"T": 1}}):
        with pytest.raises(DomainError):
            rules.check_sheet(CRITERIA, {"a"}, scores)


def test_c20_lets_a_lower_candidate_win_only_when_those_above_drop_out_for_a_legal_reason():
    ranked = ["first", "second", "third"]
    awards.check_pass_over(False, 2, [], ranked)
    awards.check_pass_over(True, 1, [], ranked)
    awards.check_pass_over(True, 2, [{"organisation_id": "first", "reason": "gave_up"}], ranked)
    for passed in ([], [{"organisation_id": "first", "reason": "cheaper_elsewhere"}]):
        with pytest.raises(DomainError) as refused:
            awards.check_pass_over(True, 2, passed, ranked)
        assert refused.value.rule == "C-20"
    with pytest.raises(DomainError):
        awards.check_pass_over(True, 3, [{"organisation_id": "first", "reason": "gave_up"}], ranked)
