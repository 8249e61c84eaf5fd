"""Rules that were written but never applied, met where a user meets them (over HTTP):
C-01 must-tender procedures at section registration, P-12 the single-source publicity when the
call is published."""

import datetime as dt

from tests.conftest import START
from tests.trading.factories import call_announcement, iso
from tests.trading.test_projects import publish, register


def works_procurement(procedure: str, budget: str, *, kind: str = "works", **section) -> dict:
    """A government-funded works contract procured under the GPL (GPR art. 7, 25)."""
    return {
        "name": "江宁区人民医院门诊楼改造工程",
        "sector": "procurement",
        "region": "江宁区",
        "principal_id": None,
        "sections": [
            {
                "name": "门诊楼改造",
                "procedure": procedure,
                "contract_kind": kind,
                "budget": budget,
                "deposit": "0.00",
                **section,
            }
        ],
    }


def body_for(people, procedure: str, budget: str, **section) -> dict:
    body = works_procurement(procedure, budget, **section)
    body["principal_id"] = str(people.org("hospital").id)
    body["agency_id"] = str(people.org("agency").id)
    return body


def refusal(response, code: str, rule: str) -> dict:
    assert response.status_code == 422, response.text
    problem = response.json()
    assert (problem["code"], problem["rule"]["id"]) == (code, rule)
    return problem


# --- C-01 -------------------------------------------------------------------------------------


async def test_works_at_the_threshold_must_be_tendered(client, people):
    response = await register(client, people, body_for(people, "competitive_negotiation", "4000000.00"))
    problem = refusal(response, "procedure.must_tender", "C-01")
    assert problem["rule"]["source"] == "MUST art. 5"
    assert problem["details"]["threshold"] == "4000000.00"
    assert "公开招标或邀请招标" in problem["title"]


async def test_works_just_below_the_threshold_may_be_negotiated(client, people):
    response = await register(client, people, body_for(people, "competitive_negotiation", "3999999.99"))
    assert response.status_code == 201, response.text


async def test_works_at_the_threshold_may_use_an_open_tender(client, people):
    sale_end = START + dt.timedelta(days=7)
    response = await register(
        client,
        people,
        body_for(
            people,
            "open_tender",
            "4000000.00",
            documents_issued_at=iso(START),
            documents_sale_start=iso(START),
            documents_sale_end=iso(sale_end),
            bid_deadline=iso(START + dt.timedelta(days=25)),
        ),
    )
    assert response.status_code == 201, response.text


async def test_services_have_their_own_threshold(client, people):
    at = await register(client, people, body_for(people, "single_source", "1000000.00", kind="services"))
    refusal(at, "procedure.must_tender", "C-01")
    below = await register(client, people, body_for(people, "single_source", "999999.99", kind="services"))
    assert below.status_code == 201, below.text


async def test_goods_have_their_own_threshold(client, people):
    at = await register(client, people, body_for(people, "request_for_quotation", "2000000.00", kind="goods"))
    refusal(at, "procedure.must_tender", "C-01")
    below = await register(
        client, people, body_for(people, "request_for_quotation", "1999999.99", kind="goods")
    )
    assert below.status_code == 201, below.text


async def test_procurement_that_is_no_construction_contract_is_not_bound(client, people):
    body = body_for(people, "competitive_negotiation", "6800000.00")
    body["sections"][0].pop("contract_kind")
    assert (await register(client, people, body)).status_code == 201


# --- P-12 -------------------------------------------------------------------------------------


async def single_source_section(client, people, *, responses_due: dt.datetime) -> str:
    body = body_for(people, "single_source", "800000.00", kind="goods", bid_deadline=iso(responses_due))
    body["sections"][0].pop("contract_kind")
    project = await register(client, people, body)
    assert project.status_code == 201, project.text
    return project.json()["id"]


def publicity(project_id: str, end: dt.datetime | None) -> dict:
    return call_announcement(
        project_id,
        title="江宁区人民医院质子治疗系统单一来源采购公示",
        body="拟采用单一来源方式向唯一供应商采购，现予公示，公示期内任何供应商可提出异议。",
        **({"publicity_end": iso(end)} if end else {}),
    )


async def published_status(client, people, project_id: str) -> str:
    project = await client.get(f"/api/projects/{project_id}", headers=people.headers("clerk"))
    return project.json()["sections"][0]["status"]


async def test_a_one_day_single_source_publicity_is_refused(client, people):
    """Issue 15: a 1-day publicity used to pass because the call's end never reached the check."""
    project_id = await single_source_section(client, people, responses_due=START + dt.timedelta(days=14))
    published = await publish(client, people, publicity(project_id, START + dt.timedelta(days=1)))
    refusal(published, "publicity.too_short", "P-12")
    assert await published_status(client, people, project_id) == "draft"


async def test_four_working_days_of_publicity_are_refused(client, people):
    project_id = await single_source_section(client, people, responses_due=START + dt.timedelta(days=14))
    # Published Monday 2 March; Thursday 5 March gives 4 working days however they are counted.
    published = await publish(client, people, publicity(project_id, START + dt.timedelta(days=3, hours=8)))
    problem = refusal(published, "publicity.too_short", "P-12")
    assert problem["rule"]["source"] == "GPR art. 38"


async def test_a_full_week_of_publicity_lets_the_call_be_published(client, people):
    project_id = await single_source_section(client, people, responses_due=START + dt.timedelta(days=14))
    # To the end of Monday 9 March: five working days after the day of publication.
    published = await publish(client, people, publicity(project_id, START + dt.timedelta(days=7, hours=14)))
    assert published.status_code in (200, 201), published.text
    assert await published_status(client, people, project_id) != "draft"


async def test_a_single_source_call_must_say_when_its_publicity_ends(client, people):
    project_id = await single_source_section(client, people, responses_due=START + dt.timedelta(days=14))
    refusal(await publish(client, people, publicity(project_id, None)), "publicity.end_required", "P-12")


async def test_the_procurement_cannot_proceed_before_the_publicity_ends(client, people):
    end = START + dt.timedelta(days=7, hours=14)
    early = await single_source_section(client, people, responses_due=end - dt.timedelta(minutes=1))
    refusal(await publish(client, people, publicity(early, end)), "publicity.not_over", "P-12")
    on_time = await single_source_section(client, people, responses_due=end)
    published = await publish(client, people, publicity(on_time, end))
    assert published.status_code in (200, 201), published.text
