"""Virtual sub-accounts: one per bidder per section, a checked number, shown to the bidder."""

import uuid

from sqlalchemy import select

from funds.subaccounts.service import is_well_formed, luhn_digit, open_subaccount, random_number
from tests.funds.helpers import open_section
from tests.funds.helpers import open_subaccount as open_over_http
from trading.audit.models import AuditEvent
from trading.audit.service import Actor

CLERK = Actor(id=None, name="clerk")


def test_a_mistyped_digit_breaks_the_check_digit():
    number = "320501000000042" + luhn_digit("320501000000042")
    assert is_well_formed(number)
    mistyped = number[:10] + str((int(number[10]) + 1) % 10) + number[11:]
    assert not is_well_formed(mistyped)


async def test_opening_twice_gives_the_same_account_and_one_audit_event(client, people, db, clock):
    section_id = uuid.UUID(await open_section(client, people))
    builder = people.org("builder_a")
    async with db.session() as session:
        first = await open_subaccount(
            session, section_id=section_id, organisation_id=builder.id, actor=CLERK, at=clock.now()
        )
        second = await open_subaccount(
            session, section_id=section_id, organisation_id=builder.id, actor=CLERK, at=clock.now()
        )
        await session.commit()
        assert first.id == second.id
        assert (first.number, first.section_id, first.organisation_id) == (
            second.number,
            section_id,
            builder.id,
        )
        assert is_well_formed(first.number)
        events = (
            await session.scalars(select(AuditEvent).where(AuditEvent.action == "funds.subaccount_opened"))
        ).all()
        assert [e.subject_id for e in events] == [str(first.id)]


async def test_each_bidder_and_section_gets_its_own_number(client, people, db, clock):
    one = uuid.UUID(await open_section(client, people))
    two = uuid.UUID(await open_section(client, people))
    async with db.session() as session:
        numbers = {
            (
                await open_subaccount(
                    session, section_id=s, organisation_id=people.org(o).id, actor=CLERK, at=clock.now()
                )
            ).number
            for s in (one, two)
            for o in ("builder_a", "builder_b")
        }
        await session.commit()
    assert len(numbers) == 4


async def test_a_principal_gets_no_deposit_sub_account(client, people):
    section_id = await open_section(client, people)
    response = await client.post(
        "/api/funds/subaccounts/",
        json={"section_id": section_id, "organisation_id": str(people.org("hospital").id)},
        headers=people.headers("clerk"),
    )
    assert response.status_code == 422
    assert response.json()["code"] == "subaccount.not_a_bidder"


async def test_the_bidder_sees_its_number_amount_and_deadline_and_nobody_elses(client, people):
    section_id = await open_section(client, people, deposit="20000.00", days_to_deadline=25)
    mine = await open_over_http(client, people, section_id, org="builder_a")
    await open_over_http(client, people, section_id, org="builder_b")
    listed = await client.get("/api/funds/subaccounts/mine", headers=people.headers("bidder_a"))
    assert listed.status_code == 200
    (only,) = listed.json()
    assert only["number"] == mine["number"]
    assert only["position"]["required"] == "20000.00"
    assert only["position"]["outstanding"] == "20000.00"
    assert only["position"]["deadline"].startswith("2026-03-27T01:00:00")
    other = await client.get(
        f"/api/funds/deposits/{section_id}/{people.org('builder_b').id}", headers=people.headers("bidder_a")
    )
    assert other.status_code == 404


async def test_a_supervisor_of_another_sector_does_not_see_the_sections_sub_accounts(client, people):
    section_id = await open_section(client, people)
    await open_over_http(client, people, section_id)
    own = await client.get(
        "/api/funds/subaccounts/", params={"section_id": section_id}, headers=people.headers("zj_supervisor")
    )
    assert own.status_code == 200 and len(own.json()) == 1
    other = await client.get(
        "/api/funds/subaccounts/", params={"section_id": section_id}, headers=people.headers("cz_supervisor")
    )
    assert other.status_code == 404


async def test_numbers_are_random_and_checked_so_they_reveal_no_count(client, people, db, clock):
    section_id = uuid.UUID(await open_section(client, people))
    async with db.session() as session:
        numbers = [
            (
                await open_subaccount(
                    session,
                    section_id=section_id,
                    organisation_id=people.org(o).id,
                    actor=CLERK,
                    at=clock.now(),
                )
            ).number
            for o in ("builder_a", "builder_b", "builder_c", "developer")
        ]
        await session.commit()
    assert all(is_well_formed(n) for n in numbers)
    bodies = sorted(int(n[6:-1]) for n in numbers)
    # A sequence would give 1, 2, 3, 4; random draws from a billion are far apart.
    assert bodies[-1] - bodies[0] > 1000
    assert len({random_number() for _ in range(1000)}) == 1000
    assert all(is_well_formed(random_number()) for _ in range(100))
