"""Packages built from a randomised, larger set of sections in every sector and procedure, with
every kind of notice and transition in random order, still conform to OCDS 1.1."""

import datetime as dt
import random

from tests.trading.opendata.conformance import errors, project_rules
from trading.opendata import ocds, service
from trading.sectors import PROCEDURES, Sector

PREFIX = "ocds-xxxxxx"
START = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)
KINDS = ("call", "amendment", "candidates", "award", "failure")
STEPS = ("awarded", "contracted", "cancelled", "opened")


def random_section(rng: random.Random, n: int) -> ocds.SectionFacts:
    sector = rng.choice(list(Sector))
    procedure = rng.choice(sorted(PROCEDURES[sector]))
    people = {str(i): ocds.Party(id=str(i), name=f"单位{i}") for i in range(5)}
    at = START + dt.timedelta(days=rng.randint(0, 300))
    notices = [ocds.Notice(id=f"n{n}-0", kind="call", title="招标公告", published_at=at)]
    for i in range(rng.randint(0, 5)):
        at += dt.timedelta(days=rng.randint(0, 9), minutes=rng.randint(0, 600))
        kind = rng.choice(KINDS)
        winner = rng.choice([None, *people]) if kind == "award" else None
        notices.append(
            ocds.Notice(id=f"n{n}-{i + 1}", kind=kind, title=f"{kind}公告", published_at=at, winner_id=winner)
        )
    steps = [
        ocds.Step(
            seq=n * 10 + i,
            to=rng.choice(STEPS),
            at=at + dt.timedelta(days=i + 1),
            winner_id=rng.choice(list(people)),
        )
        for i in range(rng.randint(0, 3))
    ]
    money = rng.choice([None, rng.randint(1, 10**12)])
    return ocds.SectionFacts(
        ocid=f"{PREFIX}-S-{n:05d}",
        sector=sector,
        code=f"S-{n:05d}",
        name=f"标段{n}",
        project_name=f"项目{n}",
        project_description=rng.choice(["", "说明"]),
        region="江宁区",
        procedure=procedure,
        contract_kind=rng.choice([None, "works", "goods", "services"]) if sector in ocds.TENDERING else None,
        budget_fen=money,
        starting_price_fen=money,
        tender_start=rng.choice([None, START]),
        tender_end=rng.choice([None, START + dt.timedelta(days=20)]),
        principal=people["0"],
        agency=rng.choice([None, people["1"]]),
        notices=notices,
        steps=steps,
        organisations=people,
    )


def test_a_randomised_large_data_set_conforms():
    rng = random.Random(20261201)
    facts = [random_section(rng, n) for n in range(400)]
    common = {
        "uri": "https://example.invalid/p",
        "base_url": "https://example.invalid",
        "publisher": "中心",
        "at": START,
    }
    releases = service.release_package(facts, **common)
    assert len(releases["releases"]) > 1500
    assert errors(releases, "release") == []
    assert project_rules(releases, PREFIX) == []
    records = service.record_package(facts, **common)
    assert len(records["records"]) == 400
    assert errors(records, "record") == []
    assert project_rules(records, PREFIX) == []
