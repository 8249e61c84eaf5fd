"""Stored sealed packages checked against the digests their receipts signed (E-05).

The receipt is the reference: the platform signed the package's SHA-256 and size when it took the
package in. At the deadline (a scheduled job, once per section), on demand (`trading bids
check-packages`, `POST …/bids/package-check`) and again just before unsealing, every stored package
is hashed and compared with its receipt. A package that no longer matches, or is gone, was damaged
on the platform's side: it is never the bidder's fault (E-05). The bidder is told (an audit event,
a domain event `bid.package_corrupted`, the check list it can read) and may hand in the same
package again until the decryption window closes; the bytes must give the receipt's digest. If it
does not, the opening follows the remedy docs/integrity.md names (the bid is deemed withdrawn, not
rejected), and the record says which remedy applied to each bid.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bidding.opening.models import Opening, OpeningEntry
from bidding.submissions import rules
from bidding.submissions.models import Bid, PackageCheck, Receipt
from bidding.submissions.service import Staging, active_bids, blob_store, section_and_project
from trading.audit.service import SYSTEM, Actor, record
from trading.auth.identity import Role
from trading.errors import Conflict, not_found
from trading.events import publish
from trading.projects.models import Section
from trading.settings import Settings

DAMAGED = ("corrupted", "missing")


def _digest(path: Path) -> tuple[str, int] | None:
    """SHA-256 and size of a stored file, streamed; None when it is not there."""
    try:
        digest, size = hashlib.sha256(), 0
        with path.open("rb") as source:
            while chunk := source.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
    except FileNotFoundError:
        return None
    return digest.hexdigest(), size


async def _receipts(session: AsyncSession, bids: list[Bid]) -> dict[uuid.UUID, Receipt]:
    """Each bid's submission receipt (the newest, should a retried upload have made two)."""
    rows = await session.scalars(
        select(Receipt)
        .where(Receipt.bid_id.in_([b.id for b in bids]), Receipt.kind == "submitted")
        .order_by(Receipt.sequence)
    )
    return {row.bid_id: row for row in rows}


async def latest_checks(session: AsyncSession, bid_ids: list[uuid.UUID]) -> dict[uuid.UUID, PackageCheck]:
    rows = await session.scalars(
        select(PackageCheck)
        .where(PackageCheck.bid_id.in_(bid_ids))
        .order_by(PackageCheck.checked_at, PackageCheck.id)
    )
    return {row.bid_id: row for row in rows}


@dataclass(frozen=True)
class Finding:
    """What hashing one stored package found, before it is recorded (plain values: the opening
    lets go of its transaction, and of its rows, between finding and recording)."""

    bid_id: uuid.UUID
    section_id: uuid.UUID
    organisation_id: uuid.UUID
    result: str  # intact | corrupted | missing | restored
    expected_sha256: str
    found_sha256: str | None


async def inspect(session: AsyncSession, settings: Settings, bids: list[Bid]) -> dict[uuid.UUID, Finding]:
    """Hash each bid's stored package and compare it with its receipt; reads only (no writes), so
    the opening may do it before it lets go of its transaction.

    A package its bidder handed in again and intact since keeps `restored`, so the record can name
    the remedy."""
    receipts = await _receipts(session, bids)
    before = await latest_checks(session, [b.id for b in bids])
    store = blob_store(settings)
    signed_of = {
        bid.id: receipts[bid.id].body["package"] if bid.id in receipts else {"sha256": bid.package_sha256}
        for bid in bids
    }
    found_of: dict[uuid.UUID, tuple[str, int] | None] = {}
    # One thread per core hashes the packages side by side (hashlib releases the GIL).
    limiter = anyio.CapacityLimiter(max(1, os.cpu_count() or 1))

    async def digest(bid_id: uuid.UUID, path: Path) -> None:
        found_of[bid_id] = await anyio.to_thread.run_sync(_digest, path, limiter=limiter)

    async with anyio.create_task_group() as group:
        for bid in bids:
            group.start_soon(digest, bid.id, store.path_of(signed_of[bid.id]["sha256"]))
    findings = {}
    for bid in bids:
        signed, found = signed_of[bid.id], found_of[bid.id]
        result = _result(found, signed)
        if result == "intact" and bid.id in before and before[bid.id].result == "restored":
            result = "restored"
        findings[bid.id] = Finding(
            bid.id, bid.section_id, bid.organisation_id, result, signed["sha256"], found[0] if found else None
        )
    return findings


async def record_findings(
    session: AsyncSession,
    findings: dict[uuid.UUID, Finding],
    *,
    section_id: uuid.UUID,
    trigger: str,
    at: dt.datetime,
    actor: Actor = SYSTEM,
) -> list[PackageCheck]:
    """Write the checks, tell the bidder of each damaged package, log the whole check (the caller
    commits)."""
    checks = []
    for finding in findings.values():
        check = PackageCheck(
            bid_id=finding.bid_id,
            section_id=section_id,
            organisation_id=finding.organisation_id,
            trigger=trigger,
            result=finding.result,
            expected_sha256=finding.expected_sha256,
            found_sha256=finding.found_sha256,
            checked_at=at,
        )
        session.add(check)
        checks.append(check)
        if finding.result in DAMAGED:
            await _tell_bidder(session, check, actor=actor, at=at)
    await session.flush()
    if checks:
        await record(
            session,
            actor=actor,
            action="bid.packages_checked",
            subject_type="section",
            subject_id=section_id,
            data={"trigger": trigger, "results": {str(c.bid_id): c.result for c in checks}},
            at=at,
        )
    return checks


async def check_packages(
    session: AsyncSession,
    settings: Settings,
    *,
    section_id: uuid.UUID,
    trigger: str,
    at: dt.datetime,
    actor: Actor = SYSTEM,
) -> list[PackageCheck]:
    """Check every active package of the section against its receipt, and record it."""
    findings = await inspect(session, settings, await active_bids(session, section_id))
    return await record_findings(
        session, findings, section_id=section_id, trigger=trigger, at=at, actor=actor
    )


def _result(found: tuple[str, int] | None, signed: dict[str, Any]) -> str:
    if found is None:
        return "missing"
    digest, size = found
    return "intact" if digest == signed["sha256"] and size == signed.get("size", size) else "corrupted"


async def _tell_bidder(session: AsyncSession, check: PackageCheck, *, actor: Actor, at: dt.datetime) -> None:
    data = {
        "section_id": str(check.section_id),
        "organisation_id": str(check.organisation_id),
        "bid_id": str(check.bid_id),
        "result": check.result,
        "expected_sha256": check.expected_sha256,
    }
    await record(
        session,
        actor=actor,
        action="bid.package_corrupted",
        subject_type="bid",
        subject_id=check.bid_id,
        data=data,
        at=at,
    )
    publish(session, "bid.package_corrupted", data, at=at)


def _too_early(section: Section) -> Conflict:
    return Conflict(
        "bid.package_check_too_early",
        "投标截止时间前不核验投标文件（投标人名单尚需保密）",
        "stored packages are checked from the bid deadline on (who has bid stays sealed until then)",
        rule="E-05",
        details={"bid_deadline": section.bid_deadline.isoformat() if section.bid_deadline else None},
    )


async def check_on_request(
    session: AsyncSession, settings: Settings, section_id: uuid.UUID, viewer: Any, *, at: dt.datetime
) -> list[PackageCheck]:
    section, project = await section_and_project(session, section_id, lock=True)
    if not viewer.supervises(project.sector):
        raise not_found("section", "标段", section_id)
    if section.bid_deadline is None or at < section.bid_deadline:
        raise _too_early(section)
    return await check_packages(
        session, settings, section_id=section_id, trigger="request", at=at, actor=viewer.actor
    )


async def checks_for(
    session: AsyncSession, section_id: uuid.UUID, viewer: Any, *, at: dt.datetime
) -> list[PackageCheck]:
    """A bidder's own checks; everyone's for oversight, once the deadline has passed."""
    section, project = await section_and_project(session, section_id)
    query = select(PackageCheck).where(PackageCheck.section_id == section_id)
    if viewer.has(Role.bidder) and not viewer.has(Role.staff, Role.admin, Role.auditor, Role.supervisor):
        query = query.where(PackageCheck.organisation_id == viewer.organisation_id)
    elif not viewer.supervises(project.sector):
        raise not_found("section", "标段", section_id)
    elif section.bid_deadline is None or at < section.bid_deadline:
        return []
    return list((await session.scalars(query.order_by(PackageCheck.checked_at, PackageCheck.id))).all())


async def check_at_deadlines(sessionmaker: Callable[[], Any], *, settings: Settings, at: dt.datetime) -> int:
    """The scheduled check: each section whose deadline has passed is checked once, by whichever
    instance takes the section's lock first. Returns how many sections were checked."""
    async with sessionmaker() as session:
        due = (
            await session.scalars(
                select(Section.id).where(
                    Section.bid_deadline <= at,
                    Section.id.in_(select(Bid.section_id).where(Bid.status == "active")),
                    Section.id.not_in(
                        select(PackageCheck.section_id).where(PackageCheck.trigger == "deadline")
                    ),
                )
            )
        ).all()
    checked = 0
    for section_id in due:
        async with sessionmaker() as session:
            await section_and_project(session, section_id, lock=True)
            done = await session.scalar(
                select(PackageCheck.id).where(
                    PackageCheck.section_id == section_id, PackageCheck.trigger == "deadline"
                )
            )
            if done is None:
                await check_packages(session, settings, section_id=section_id, trigger="deadline", at=at)
                checked += 1
            await session.commit()
    return checked


async def hand_in_again(
    session: AsyncSession,
    settings: Settings,
    *,
    section_id: uuid.UUID,
    bid_id: uuid.UUID,
    bidder: Any,
    chunks: AsyncIterator[bytes],
    at: dt.datetime,
) -> PackageCheck:
    """The E-05 remedy: the bidder hands in the very package its receipt names, after the platform
    found its stored copy damaged, until its bid is decided at the opening."""
    bid = await session.get(Bid, bid_id)
    if bid is None or bid.section_id != section_id or bid.organisation_id != bidder.organisation_id:
        raise not_found("bid", "投标文件", bid_id)
    staging = Staging(settings)
    try:
        blob = await staging.store.put_stream(chunks, max_bytes=rules.MAX_PACKAGE_BYTES)
        await section_and_project(session, section_id, lock=True)
        receipt = (await _receipts(session, [bid])).get(bid.id)
        latest = (await latest_checks(session, [bid.id])).get(bid.id)
        if (
            bid.status != "active"
            or latest is None
            or latest.result not in DAMAGED
            or await _decided(session, bid)
        ):
            raise Conflict(
                "bid.package_not_damaged",
                "平台未发现该投标文件损坏，或该投标已在开标中处理，无需重新递交",
                "the platform has not found this package damaged, or the opening has decided the bid: "
                "nothing to hand in again",
                rule="E-05",
            )
        signed = (
            receipt.body["package"] if receipt else {"sha256": bid.package_sha256, "size": bid.package_size}
        )
        if blob.digest != signed["sha256"] or blob.size != signed["size"]:
            raise Conflict(
                "bid.package_not_as_received",
                "重新递交的文件与回执记载的投标文件不一致（SHA-256不同）",
                "the package handed in is not the one the receipt names (its SHA-256 differs)",
                rule="E-05",
                details={"receipt_sha256": signed["sha256"], "handed_in_sha256": blob.digest},
            )
        target = blob_store(settings).path_of(blob.digest)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(blob.path, target)
        check = PackageCheck(
            bid_id=bid.id,
            section_id=section_id,
            organisation_id=bid.organisation_id,
            trigger="bidder",
            result="restored",
            expected_sha256=signed["sha256"],
            found_sha256=blob.digest,
            checked_at=at,
        )
        session.add(check)
        await record(
            session,
            actor=bidder.actor,
            action="bid.package_restored",
            subject_type="bid",
            subject_id=bid.id,
            data={"section_id": str(section_id), "sha256": blob.digest},
            at=at,
        )
        await session.flush()
        return check
    finally:
        staging.cleanup()


async def _decided(session: AsyncSession, bid: Bid) -> bool:
    opening = await session.scalar(select(Opening.id).where(Opening.section_id == bid.section_id))
    if opening is None:
        return False
    return await session.scalar(select(OpeningEntry.id).where(OpeningEntry.bid_id == bid.id)) is not None
