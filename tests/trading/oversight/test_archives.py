"""Archive packages (E-08): an ended section's records by digest, kept until the retention date."""

import datetime as dt
import uuid

import pytest
from sqlalchemy import delete, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from tests.funds.helpers import dispatch
from tests.trading.factories import award_as_the_decision_does
from tests.trading.oversight.helpers import (
    announced_section,
    at,
    awarded_section,
    call,
    evaluated_section,
    move,
    opening_session,
)
from trading.oversight.models import ArchivePackage


async def archive_of(client, people, section_id, who="zj_supervisor"):
    found = [
        p
        for p in await call(client, "GET", "/api/oversight/archives", who, people)
        if p["section_id"] == section_id
    ]
    return found[0] if found else None


async def test_a_contracted_section_is_archived_for_twenty_years(client, people, clock, app, db):
    _, section_id = await awarded_section(client, people, clock)
    await move(client, people, section_id, "contract")
    await dispatch(app, db, clock)
    package = await archive_of(client, people, section_id)
    assert (package["ending"], package["retention_until"]) == ("section.contracted", "2046-04-01")
    actions = [e["action"] for e in package["manifest"]["audit_events"]]
    assert actions[-2:] == ["section.awarded", "section.contracted"]
    check = await call(client, "GET", f"/api/oversight/archives/{package['id']}/verify", "auditor", people)
    assert check == {"intact": True, "problems": []}
    assert await archive_of(client, people, section_id, "cz_supervisor") is None
    for statement in ("UPDATE oversight_archive SET sha256 = 'x'", "DELETE FROM oversight_archive"):
        async with db.session() as session:
            with pytest.raises((DBAPIError, IntegrityError)):
                await session.execute(text(statement))
            await session.rollback()


async def test_a_procurement_archive_is_kept_fifteen_years_and_verify_finds_an_edit(
    client, people, clock, app, db
):
    _, section_id = await evaluated_section(client, people, clock, sector="procurement")
    clock.set(at("2026-04-01"))
    await award_as_the_decision_does(people, section_id, clock.now(), people.org("builder_b").id)
    await move(client, people, section_id, "cancel", reason="采购需求变更")
    await dispatch(app, db, clock)
    package = await archive_of(client, people, section_id, "cz_supervisor")
    assert (package["ending"], package["retention_until"]) == ("section.cancelled", "2041-04-01")
    async with db.session() as session:
        if db.dialect == "postgresql":
            await session.execute(text("SET session_replication_role = replica"))
        await session.execute(
            text("UPDATE audit_event SET hash = :h WHERE subject_id = :s AND action = 'section.awarded'"),
            {"h": "f" * 64, "s": section_id},
        )
        await session.commit()
    check = await call(
        client, "GET", f"/api/oversight/archives/{package['id']}/verify", "cz_supervisor", people
    )
    assert check["intact"] is False
    assert check["problems"][0].startswith("audit_events:")


async def test_the_supervision_log_of_the_sections_sessions_is_in_its_archive(client, people, clock, app, db):
    _, section_id, session_id = await opening_session(client, people, clock)
    entry = await call(
        client,
        "POST",
        f"/api/supervision/sessions/{session_id}/entries",
        "zj_supervisor",
        people,
        {"kind": "observation", "body": "开标前检查"},
        201,
    )
    await move(client, people, section_id, "cancel", reason="项目取消")
    await dispatch(app, db, clock)
    package = await archive_of(client, people, section_id)
    assert package["manifest"]["supervision_entries"] == [{"id": entry["id"], "sha256": entry["digest"]}]


async def test_a_package_may_be_deleted_only_after_its_retention_date(client, people, db):
    """The database decides by its own date (a trigger cannot ask the platform's clock): one day
    left, the delete is refused; one day past, the records may go as the archive rules let them."""
    kept, expired = [uuid.UUID((await announced_section(client, people))[1]) for _ in range(2)]
    today = dt.datetime.now(dt.UTC).date()
    async with db.session() as session:
        for section_id, until in (
            (kept, today + dt.timedelta(days=1)),
            (expired, today - dt.timedelta(days=1)),
        ):
            session.add(
                ArchivePackage(
                    section_id=section_id,
                    sector="construction",
                    ended_at=dt.datetime(2006, 1, 1, tzinfo=dt.UTC),
                    ending="section.cancelled",
                    retention_until=until,
                    manifest={},
                    sha256="0" * 64,
                    created_at=dt.datetime(2006, 1, 1, tzinfo=dt.UTC),
                )
            )
        await session.commit()
    async with db.session() as session:
        with pytest.raises((DBAPIError, IntegrityError)):
            await session.execute(delete(ArchivePackage).where(ArchivePackage.section_id == kept))
        await session.rollback()
        await session.execute(delete(ArchivePackage).where(ArchivePackage.section_id == expired))
        await session.commit()
        left = (await session.scalars(select(ArchivePackage.section_id))).all()
    assert left == [kept]
