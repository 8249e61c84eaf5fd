"""The draw as pure functions: reproducible from seed and snapshot, never a conflicted expert,
and refused whole when the pool is short (C-11, E-06, E-07)."""

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from experts.draws import rules
from trading.errors import Conflict

TODAY = dt.date(2026, 3, 20)
ORGS = [f"org-{n}" for n in range(8)]
CODES = ["A0101", "A0102", "A0401", "B01"]


def entry(n, **changes):
    values = {
        "id": f"e{n:05d}",
        "specialties": ("A0101",),
        "region": "江宁区",
        "employer_id": None,
        "interests": frozenset(),
        "status": "active",
        "approved": True,
        "certificate_expires": TODAY + dt.timedelta(days=30),
    }
    values.update(changes)
    return rules.PoolEntry(**values)


LIMITS = {"conflicted": frozenset({"org-1"}), "recently_drawn": frozenset(), "region": None, "on": TODAY}


def test_each_reason_leaves_an_expert_out_and_is_counted():
    pool = [
        entry(0),
        entry(1, employer_id="org-1"),
        entry(2, interests=frozenset({"org-1"})),
        entry(3, status="suspended"),
        entry(4, certificate_expires=TODAY - dt.timedelta(days=1)),
        entry(5, certificate_expires=TODAY),
        entry(6, specialties=("B01",)),
        entry(7, approved=False),
    ]
    lines, excluded = rules.snapshot(pool, ["A01"], **LIMITS)
    assert lines == [["e00000", "e00005"]]
    assert excluded == {
        "employer_conflict": 1,
        "declared_interest": 1,
        "suspended": 1,
        "certificate_expired": 1,
        "unapproved": 1,
    }


def test_recently_drawn_and_region_are_left_out():
    pool = [entry(0), entry(1), entry(2, region="玄武区")]
    limits = {**LIMITS, "recently_drawn": frozenset({"e00001"}), "region": "江宁区"}
    lines, excluded = rules.snapshot(pool, ["A0101"], **limits)
    assert lines == [["e00000"]]
    assert excluded == {"recently_drawn": 1, "region": 1}


def test_the_same_seed_and_snapshot_give_the_same_experts_and_another_seed_others():
    lines = [[f"e{n:05d}" for n in range(200)]]
    first = rules.run("seed-1", lines, [7])
    assert rules.run("seed-1", lines, [7]) == first
    assert rules.run("seed-2", lines, [7]) != first
    assert len(set(first[0])) == 7


def test_an_expert_is_drawn_once_even_when_two_lines_want_it():
    both = [f"e{n:05d}" for n in range(6)]
    result = rules.run("s", [both, both], [3, 3])
    assert set(result[0]).isdisjoint(result[1])


def test_a_short_pool_refuses_the_whole_draw():
    with pytest.raises(Conflict) as refused:
        rules.run("s", [["a", "b", "c"], ["d"]], [3, 2])
    assert refused.value.code == "draw.pool_insufficient"
    assert refused.value.details["short"] == [{"line": 1, "wanted": 2, "eligible": 1}]
    # Exactly enough is enough.
    assert rules.run("s", [["a", "b", "c"], ["d", "e"]], [3, 2])


experts = st.builds(
    lambda n, codes, employer, interests, status, days: entry(
        n,
        specialties=tuple(codes),
        employer_id=employer,
        interests=frozenset(interests),
        status=status,
        certificate_expires=TODAY + dt.timedelta(days=days),
    ),
    st.integers(0, 99_999),
    st.lists(st.sampled_from(CODES), min_size=1, max_size=2, unique=True),
    st.none() | st.sampled_from(ORGS),
    st.lists(st.sampled_from(ORGS), max_size=2),
    st.sampled_from(["active", "active", "active", "suspended", "retired"]),
    st.integers(-30, 300),
)


@settings(max_examples=300, deadline=None)
@given(
    pool=st.lists(experts, max_size=80, unique_by=lambda e: e.id),
    bidders=st.sets(st.sampled_from(ORGS), max_size=4),
    wanted=st.lists(
        st.tuples(st.sampled_from(["A", "A01", "A0401", "B01"]), st.integers(1, 6)), min_size=1, max_size=3
    ),
    seed=st.text(min_size=1, max_size=16),
)
def test_no_conflicted_or_unfit_expert_is_ever_drawn(pool, bidders, wanted, seed):
    conflicted = frozenset(bidders)
    lines, _ = rules.snapshot(
        pool,
        [code for code, _ in wanted],
        conflicted=conflicted,
        recently_drawn=frozenset(),
        region=None,
        on=TODAY,
    )
    try:
        result = rules.run(seed, lines, [n for _, n in wanted])
    except Conflict:
        return
    by_id = {e.id: e for e in pool}
    drawn = [by_id[i] for picked in result for i in picked]
    assert len(drawn) == len({e.id for e in drawn}) == sum(n for _, n in wanted)
    for (code, _), picked in zip(wanted, result, strict=True):
        for expert in (by_id[i] for i in picked):
            assert expert.employer_id not in conflicted
            assert not expert.interests & conflicted
            assert expert.status == "active" and expert.certificate_expires >= TODAY
            assert any(held.startswith(code) for held in expert.specialties)


def test_the_selection_is_the_one_recorded_draws_were_made_with():
    # Fixed once: a faster selection must still replay every draw already recorded.
    lines = [[f"e{n:05d}" for n in range(200)], [f"e{n:05d}" for n in range(100, 300)]]
    assert rules.run("seed-1", lines, [7, 3]) == [
        ["e00074", "e00026", "e00061", "e00089", "e00178", "e00083", "e00190"],
        ["e00266", "e00198", "e00194"],
    ]


@settings(max_examples=300, deadline=None)
@given(
    pool=st.lists(
        st.builds(
            lambda e, region, approved: rules.PoolEntry(
                **{**e.__dict__, "region": region, "approved": approved}
            ),
            experts,
            st.sampled_from(["江宁区", "玄武区"]),
            st.booleans(),
        ),
        max_size=80,
        unique_by=lambda e: e.id,
    ),
    bidders=st.sets(st.sampled_from(ORGS), max_size=4),
    codes=st.lists(st.sampled_from(["A", "A01", "A0401", "B01"]), min_size=1, max_size=3),
    recent=st.sets(st.integers(0, 99_999).map(lambda n: f"e{n:05d}"), max_size=20),
    region=st.none() | st.sampled_from(["江宁区", "玄武区"]),
)
def test_the_indexed_snapshot_is_the_snapshot(pool, bidders, codes, recent, region):
    limits = {
        "conflicted": frozenset(bidders),
        "recently_drawn": frozenset(recent),
        "region": region,
        "on": TODAY,
    }
    indexes = [
        rules.SpecialtyIndex.of([e for e in pool if any(held.startswith(code) for held in e.specialties)])
        for code in codes
    ]
    assert rules.snapshot_indexed(indexes, **limits) == rules.snapshot(pool, codes, **limits)
