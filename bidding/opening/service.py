"""The opening session (开标, E-04, C-08, C-09 / P-06, E-05).

1. Staff start it once the deadline has passed: the bids that count are numbered against the
   rule; too few and the section fails (the core then announces `section.failed`, funds refund).
2. Key holders download the manifests, open their shares on their own machines and release them;
   each share is checked against the commitment the bidder signed before it is accepted. During the
   decryption window a bidder may release its own content key instead (the E-05 remedy).
3. Staff unseal: each bid's content key is recovered (k shares, or the bidder's key), checked
   against its commitment, the bid decrypted, the bidder's inner signature and every digest
   verified; a bid that does not open is rejected with its reason and whose side the failure is on.
4. With every bid decided, the opening record is signed by the platform, the section moves to
   `opened`, and the bidders confirm or object online within the confirmation window.
Each step writes an audit event and a numbered live event.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bidding.certificates.models import BidderCertificate
from bidding.certificates.service import platform_authority, revocation_anomaly
from bidding.keyholders.models import KeyHolder
from bidding.keyholders.service import plan_of
from bidding.opening import live
from bidding.opening.decryption import Outcome, decrypt_all
from bidding.opening.models import BidderKeyRelease, Confirmation, Opening, OpeningEntry, ShareRelease
from bidding.registrations.service import qualified_registration
from bidding.sealing.documents import canonical, sha256_hex
from bidding.sealing.keys import b64, unb64
from bidding.sealing.manifest import Manifest
from bidding.sealing.package import (
    key_matches,
    share_matches,
)
from bidding.submissions import packages
from bidding.submissions.models import Bid, Receipt
from bidding.submissions.service import active_bids, blob_store
from trading.audit.checkpoints import checkpoint_document, log_signer, write_checkpoint
from trading.audit.service import AUDIT_LOG, Entry, record, record_many
from trading.auth.identity import Identity, Role
from trading.clock import local_time
from trading.complaints.suspension import check_not_suspended
from trading.errors import Conflict, DomainError, Forbidden, not_found
from trading.ids import new_id
from trading.money import format_yuan
from trading.objections.service import section_paused
from trading.organisations.models import Organisation
from trading.projects.models import Project, Section
from trading.projects.rules import Status
from trading.projects.service import catch_up, transition
from trading.rules.applied import check_qualified_bidders
from trading.rules.checks import RuleViolation, check_bid_count
from trading.sectors import Sector
from trading.settings import Settings

RECORD_FORMAT = "trading-opening-record/1"
DEFAULT_DECRYPTION_MINUTES = 60
CONFIRMATION_MINUTES = 30


# --- who sees what ---------------------------------------------------------------------------


async def section_and_project(
    session: AsyncSession, section_id: uuid.UUID, *, lock: bool = False
) -> tuple[Section, Project]:
    query = select(Section).where(Section.id == section_id)
    if lock:
        query = query.with_for_update()
    section = await session.scalar(query)
    project = await session.get(Project, section.project_id) if section else None
    if section is None or project is None:
        raise not_found("section", "标段", section_id)
    return section, project


async def may_follow(session: AsyncSession, section_id: uuid.UUID, viewer: Identity) -> bool:
    """Staff, auditors, the sector's supervisors, the project's principal and agency, and the
    bidders whose bid counts in this section (E-04: every bidder may attend online)."""
    section = await session.get(Section, section_id)
    project = await session.get(Project, section.project_id) if section else None
    if section is None or project is None:
        return False
    if viewer.supervises(project.sector):
        return True
    if viewer.organisation_id is None:
        return False
    if viewer.organisation_id in (project.principal_id, project.agency_id):
        return True
    if Role.bidder in viewer.roles:
        bid = await session.scalar(
            select(Bid.id).where(
                Bid.section_id == section_id,
                Bid.organisation_id == viewer.organisation_id,
                Bid.status == "active",
            )
        )
        return bid is not None
    return False


async def _opening(session: AsyncSession, section_id: uuid.UUID, *, lock: bool = False) -> Opening:
    query = select(Opening).where(Opening.section_id == section_id)
    if lock:
        query = query.with_for_update()
    opening = await session.scalar(query)
    if opening is None:
        raise Conflict("opening.not_started", "开标尚未开始", "the opening has not started yet", rule="E-04")
    return opening


async def get_opening(session: AsyncSession, section_id: uuid.UUID) -> Opening | None:
    return await session.scalar(select(Opening).where(Opening.section_id == section_id))


# --- 1. start ----------------------------------------------------------------------------------


async def start(
    session: AsyncSession,
    settings: Settings,
    *,
    section_id: uuid.UUID,
    actor: Identity,
    at: dt.datetime,
    decryption_minutes: int = DEFAULT_DECRYPTION_MINUTES,
) -> Opening:
    """Open the session at (or after) the deadline; too few bids fail the section instead."""
    section, project = await section_and_project(session, section_id, lock=True)
    if await get_opening(session, section_id) is not None:
        raise Conflict("opening.already_started", "开标已经开始", "the opening has already started")
    await check_not_suspended(session, section.id, at=at, zone=settings.zone)
    if await section_paused(session, section.id):
        # TLR art. 22: until the tenderee answers an objection the tendering is paused.
        raise Conflict(
            "opening.paused",
            "对招标文件的异议尚未答复，招标投标活动暂停，不能开标（《招标投标法实施条例》第二十二条）",
            "an objection to the tender documents awaits its answer: the tendering is paused and the "
            "opening cannot start (TLR art. 22)",
            rule="C-05",
        )
    status = await catch_up(session, section, at)
    if status != Status.bidding_closed:
        raise Conflict(
            "opening.section_not_closed",
            "投标截止时间未到，不能开标" if status == Status.registration_open else "该标段当前不能开标",
            "the bid deadline has not passed yet"
            if status == Status.registration_open
            else f"a section that is {status} cannot be opened",
            rule="C-08",
            details={"status": status},
        )
    bids = await active_bids(session, section.id)
    opening = Opening(
        section_id=section.id,
        status="collecting",
        started_at=at,
        started_by=actor.user_id,
        bids_at_deadline=len(bids),
        decryption_ends_at=at + dt.timedelta(minutes=decryption_minutes),
        last_event=0,
    )
    session.add(opening)
    await session.flush()
    try:
        await _check_enough_bidders(session, project, section, bids)
    except RuleViolation as violation:
        return await _fail_for_too_few(session, settings, opening, section, violation, actor=actor, at=at)
    await record(
        session,
        actor=actor.actor,
        action="opening.started",
        subject_type="section",
        subject_id=section.id,
        data={"bids": len(bids), "decryption_ends_at": opening.decryption_ends_at.isoformat()},
        at=at,
    )
    await live.add_event(
        session,
        opening,
        "opening.started",
        {"bids": len(bids), "decryption_ends_at": opening.decryption_ends_at.isoformat()},
        at=at,
    )
    return opening


async def _check_enough_bidders(
    session: AsyncSession, project: Project, section: Section, bids: list[Bid]
) -> None:
    """C-09 / P-10 count the bids at the deadline. A procurement tender counts the qualified
    suppliers among them, those whose registration was accepted (P-06, GPL art. 36: fewer than 3
    and the tender fails)."""
    if project.sector == Sector.procurement:
        qualified = [
            bid
            for bid in bids
            if await qualified_registration(
                session, section_id=section.id, organisation_id=bid.organisation_id
            )
        ]
        check_qualified_bidders(section.procedure, len(qualified))
    check_bid_count(project.sector, len(bids), procedure=section.procedure)


async def _fail_for_too_few(
    session: AsyncSession,
    settings: Settings,
    opening: Opening,
    section: Section,
    violation: RuleViolation,
    *,
    actor: Identity,
    at: dt.datetime,
) -> Opening:
    """C-09 / P-06: fewer bids (qualified suppliers) than the law needs: no opening; the section
    fails (废标 in procurement), bids stay sealed."""
    opening.status = "failed"
    opening.record = {
        "format": RECORD_FORMAT,
        "section_id": str(section.id),
        "outcome": "failed",
        "rule": violation.rule,
        "reason": {"zh-CN": violation.zh, "en": violation.en},
        "bids_at_deadline": opening.bids_at_deadline,
        "started_at": at.isoformat(),
    }
    opening.record_sha256 = sha256_hex(canonical(opening.record))
    platform = await platform_authority(session, settings, at=at)
    opening.record_signature = platform.sign(opening.record)["signature"]
    opening.recorded_at = at
    await record(
        session,
        actor=actor.actor,
        action="opening.failed",
        subject_type="section",
        subject_id=section.id,
        data={"rule": violation.rule, "bids": opening.bids_at_deadline, "reason": violation.zh},
        at=at,
    )
    await transition(
        session, section, "fail", actor=actor.actor, at=at, reason=violation.zh, data={"rule": violation.rule}
    )
    await live.add_event(
        session,
        opening,
        "opening.failed",
        {
            "rule": violation.rule,
            "bids": opening.bids_at_deadline,
            "reason": {"zh-CN": violation.zh, "en": violation.en},
        },
        at=at,
    )
    return opening


# --- 2. releases -------------------------------------------------------------------------------


async def _holder(session: AsyncSession, section_id: uuid.UUID, user: Identity) -> KeyHolder:
    holder = await session.scalar(
        select(KeyHolder).where(KeyHolder.section_id == section_id, KeyHolder.user_id == user.user_id)
    )
    if holder is None:
        raise Forbidden(
            "opening.not_a_holder",
            "您不是该标段的开标密钥持有人",
            "you are not an opening key holder of this section",
        )
    return holder


def _collecting(opening: Opening) -> None:
    if opening.status != "collecting":
        raise Conflict(
            "opening.not_collecting",
            "开标已结束或已流标，不再接收密钥",
            "the opening no longer takes keys (it is recorded or failed)",
            details={"status": opening.status},
        )


async def wraps_for_holder(
    session: AsyncSession, section_id: uuid.UUID, user: Identity
) -> tuple[int, list[dict[str, Any]]]:
    """The manifests a key holder opens its shares from; only once the opening has started, which
    is after the deadline (before it the server refuses, E-01)."""
    holder = await _holder(session, section_id, user)
    opening = await _opening(session, section_id)
    _collecting(opening)
    bids = await active_bids(session, section_id)
    return holder.position, [{"bid_id": str(b.id), "manifest": b.manifest} for b in bids]


@dataclass
class Released:
    accepted: int
    already: int


async def release_shares(
    session: AsyncSession,
    *,
    section_id: uuid.UUID,
    user: Identity,
    shares: dict[uuid.UUID, str],
    at: dt.datetime,
) -> Released:
    """A holder's shares: each must match the commitment the bidder signed, or nothing is taken."""
    holder = await _holder(session, section_id, user)
    opening = await _opening(session, section_id, lock=True)
    _collecting(opening)
    bids = {b.id: b for b in await active_bids(session, section_id)}
    existing = {
        r.bid_id: r
        for r in (
            await session.scalars(
                select(ShareRelease).where(
                    ShareRelease.opening_id == opening.id, ShareRelease.position == holder.position
                )
            )
        ).all()
    }
    accepted = already = 0
    for bid_id, share_b64 in shares.items():
        bid = bids.get(bid_id)
        try:
            share = unb64(share_b64)
        except ValueError:
            share = b""
        if bid is None or not share_matches(Manifest.model_validate(bid.manifest), holder.position, share):
            raise DomainError(
                "opening.share_invalid",
                "释放的密钥份额与投标人封装时的承诺不符（或不是本标段的有效投标），请检查所用私钥",
                "a released share does not match the commitment the bidder sealed (or names no bid of this "
                "section); check the private key used",
                status=422,
                details={"bid_id": str(bid_id)},
            )
        if bid_id in existing:
            already += 1
            continue
        session.add(
            ShareRelease(
                opening_id=opening.id,
                bid_id=bid_id,
                position=holder.position,
                user_id=user.user_id,
                share=b64(share),
                released_at=at,
            )
        )
        accepted += 1
    if accepted:
        await record(
            session,
            actor=user.actor,
            action="opening.share_released",
            subject_type="section",
            subject_id=section_id,
            data={"position": holder.position, "party": holder.party, "bids": accepted},
            at=at,
        )
        await live.add_event(
            session,
            opening,
            "share.released",
            {"position": holder.position, "party": holder.party, "bids": accepted},
            at=at,
        )
    await session.flush()
    return Released(accepted, already)


async def release_bidder_key(
    session: AsyncSession, *, section_id: uuid.UUID, bidder: Identity, content_key: str, at: dt.datetime
) -> None:
    """The bidder releases the content key of its own bid during the decryption window (E-05)."""
    opening = await _opening(session, section_id, lock=True)
    _collecting(opening)
    if at >= opening.decryption_ends_at:
        raise Conflict(
            "opening.decryption_window_closed",
            f"投标人解密时间已于{local_time(opening.decryption_ends_at)}结束",
            f"the bidders' decryption window closed at {local_time(opening.decryption_ends_at)}",
            rule="E-05",
        )
    bid = await session.scalar(
        select(Bid).where(
            Bid.section_id == section_id,
            Bid.organisation_id == bidder.organisation_id,
            Bid.status == "active",
        )
    )
    if bid is None:
        raise Conflict(
            "opening.no_bid", "贵单位在该标段没有有效投标", "your organisation has no bid in this section"
        )
    try:
        key = unb64(content_key, expected=32)
    except ValueError:
        key = b""
    if not key_matches(Manifest.model_validate(bid.manifest), key):
        raise DomainError(
            "opening.key_invalid",
            "密钥与投标文件不符，请用投标时的解密私钥重新解出",
            "the key does not open this bid; derive it again with the decryption key used when sealing",
            status=422,
            rule="E-05",
        )
    if await session.scalar(select(BidderKeyRelease.id).where(BidderKeyRelease.bid_id == bid.id)) is None:
        session.add(
            BidderKeyRelease(
                opening_id=opening.id,
                bid_id=bid.id,
                content_key=b64(key),
                released_at=at,
                released_by=bidder.user_id,
            )
        )
        await record(
            session,
            actor=bidder.actor,
            action="opening.bidder_key_released",
            subject_type="bid",
            subject_id=bid.id,
            data={"section_id": str(section_id)},
            at=at,
        )
        organisation = await session.get(Organisation, bid.organisation_id)
        await live.add_event(
            session,
            opening,
            "bidder.decrypted",
            {"bidder": organisation.name if organisation else None},
            at=at,
        )
        await session.flush()


# --- 3. unseal ---------------------------------------------------------------------------------


async def unseal_bids(
    session: AsyncSession, settings: Settings, *, section_id: uuid.UUID, actor: Identity, at: dt.datetime
) -> Opening:
    """Unseal every bid whose key can be had; record the opening once every bid is decided.

    Bids without a key stay pending while the bidders' decryption window is open; after it they
    are rejected with the reason and the side the failure is on (E-05)."""
    opening = await _opening(session, section_id)
    _collecting(opening)
    found = await plan_of(session, section_id)
    threshold = found[0].threshold if found else 0
    decided = set(
        (
            await session.scalars(select(OpeningEntry.bid_id).where(OpeningEntry.opening_id == opening.id))
        ).all()
    )
    releases: dict[uuid.UUID, dict[int, bytes]] = {}
    for row in (
        await session.scalars(select(ShareRelease).where(ShareRelease.opening_id == opening.id))
    ).all():
        releases.setdefault(row.bid_id, {})[row.position] = unb64(row.share)
    bidder_keys = {
        row.bid_id: unb64(row.content_key)
        for row in (
            await session.scalars(select(BidderKeyRelease).where(BidderKeyRelease.opening_id == opening.id))
        ).all()
    }
    window_open = at < opening.decryption_ends_at
    store = blob_store(settings)
    # The bid list is loaded once: after the deadline no bid comes or goes, and what later calls
    # need of a bid is copied out before the transaction ends (issue 23).
    bids = [_BidView.of(bid) for bid in await active_bids(session, section_id)]
    undecided = [bid for bid in bids if bid.id not in decided]
    # Every package is held to its receipt before anything is unsealed (E-05): a damaged one is
    # the platform's fault and waits for its bidder instead of failing to decrypt.
    findings = await packages.inspect(session, settings, undecided)
    work = [
        (bid.id, bid.manifest, store.path_of(bid.package_sha256))
        for bid in undecided
        if findings[bid.id].result not in packages.DAMAGED
    ]
    names = await _organisation_names(session, {bid.organisation_id for bid in undecided})
    # The cryptography runs outside any transaction (no lock is held while many bids decrypt),
    # off the event loop and on every core (bidding/opening/decryption.py).
    await session.rollback()
    outcomes = await decrypt_all(work, releases, bidder_keys, store)
    for outcome in outcomes.values():
        if outcome.status == "rejected" and outcome.anomalies[0]["code"] == "bid.shares_missing":
            if window_open:
                outcome.status = "pending"
            else:
                outcome.anomalies[0] = {
                    **outcome.anomalies[0],
                    "zh": outcome.anomalies[0]["zh"] + "；投标人未在解密时间内自行解密",
                    "en": outcome.anomalies[0]["en"]
                    + "; the bidder did not decrypt it within the decryption window",
                }
    for finding in findings.values():
        remedied = _package_remedy(finding, window_open)
        if remedied is not None:
            outcomes[finding.bid_id] = remedied
        elif finding.result == "restored" and finding.bid_id in outcomes:
            outcomes[finding.bid_id].anomalies.append(dict(PACKAGE_RESTORED))
    opening = await _opening(session, section_id, lock=True)
    _collecting(opening)
    await _record_package_findings(session, findings, section_id, actor=actor, at=at)
    decided = set(
        (
            await session.scalars(select(OpeningEntry.bid_id).where(OpeningEntry.opening_id == opening.id))
        ).all()
    )
    certificates = {
        c.serial: c
        for c in (
            await session.scalars(
                select(BidderCertificate).where(
                    BidderCertificate.serial.in_([b.certificate_serial for b in undecided])
                )
            )
        ).all()
    }
    rows: list[dict[str, Any]] = []
    events: list[tuple[str, dict[str, Any]]] = []
    trail: list[Entry] = []
    for bid in bids:
        if bid.id not in outcomes:
            continue
        outcome = outcomes[bid.id]
        if outcome.status == "pending" or bid.id in decided:
            continue
        anomaly = revocation_anomaly(certificates[bid.certificate_serial], bid.received_at)
        if anomaly is not None:
            outcome.anomalies.append({k: v for k, v in anomaly.items() if k != "rejects"})
            if anomaly["rejects"] == "yes":
                outcome.status = "rejected"
        row, event, audit = _decide(opening, bid, outcome, names.get(bid.organisation_id), actor=actor, at=at)
        rows.append(row)
        events.append(event)
        trail.append(audit)
        decided.add(bid.id)
    # The decisions go in as one multi-row insert per table, in the order of the bids: the ORM's
    # unit of work for 1,000 entries and events cost more than the inserts (issue 23).
    if rows:
        await session.execute(insert(OpeningEntry.__table__), rows)
    await live.add_events(session, opening, events, at=at)
    await record_many(session, trail)
    await session.flush()
    if {b.id for b in bids} <= decided:
        await _record(session, settings, opening, actor=actor, at=at, threshold=threshold)
    return opening


@dataclass(frozen=True)
class _BidView:
    """What the opening needs of a bid, readable after its transaction ended."""

    id: uuid.UUID
    section_id: uuid.UUID
    organisation_id: uuid.UUID
    certificate_serial: str
    received_at: dt.datetime
    manifest: dict[str, Any]
    package_sha256: str

    @classmethod
    def of(cls, bid: Bid) -> _BidView:
        return cls(
            bid.id,
            bid.section_id,
            bid.organisation_id,
            bid.certificate_serial,
            bid.received_at,
            bid.manifest,
            bid.package_sha256,
        )


async def _organisation_names(session: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
    rows = await session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids)))
    return {row.id: row.name for row in rows}


# E-05 for a package damaged on the platform's side (docs/integrity.md, section "Stored bids").
PACKAGE_CORRUPTED = {
    "code": "bid.package_corrupted",
    "zh": "平台存储的投标文件与回执记载的摘要不符，责任在平台；投标人可在解密时间内重新递交同一文件",
    "en": "the package the platform stored no longer matches its receipt: the platform's fault; the "
    "bidder may hand in the same package again until the decryption window closes",
    "cause": "platform",
}
PACKAGE_DEEMED_WITHDRAWN = {
    **PACKAGE_CORRUPTED,
    "zh": "平台存储的投标文件损坏且投标人未在解密时间内重新递交：因投标人以外的原因未能解密，"
    "视为撤回投标文件，不视为投标人过错",
    "en": "the stored package was damaged and not handed in again within the decryption window: it failed "
    "to open for a reason other than the bidder, so the bid is deemed withdrawn, not rejected",
    "remedy": "deemed_withdrawn",
}
PACKAGE_RESTORED = {
    "code": "bid.package_restored",
    "zh": "平台存储的投标文件曾损坏，投标人已重新递交与回执一致的同一文件",
    "en": "the stored package was damaged; the bidder handed in the same package again, as its receipt names",
    "cause": "platform",
    "remedy": "handed_in_again",
}


def _package_remedy(finding: packages.Finding, window_open: bool) -> Outcome | None:
    """The outcome of a bid whose stored package is damaged: pending while its bidder may still
    hand it in again, then deemed withdrawn (the remedy; never a rejection for the bidder's fault)."""
    if finding.result not in packages.DAMAGED:
        return None
    if window_open:
        return Outcome(finding.bid_id, "pending", anomalies=[dict(PACKAGE_CORRUPTED)])
    return Outcome(finding.bid_id, "withdrawn", anomalies=[dict(PACKAGE_DEEMED_WITHDRAWN)])


async def _record_package_findings(
    session: AsyncSession,
    findings: dict[uuid.UUID, packages.Finding],
    section_id: uuid.UUID,
    *,
    actor: Identity,
    at: dt.datetime,
) -> None:
    """Record the opening's package check where it differs from the last one (a bidder waiting
    to hand in is told once, not at every unseal)."""
    latest = await packages.latest_checks(session, list(findings))
    changed = {
        bid_id: finding
        for bid_id, finding in findings.items()
        if bid_id not in latest or latest[bid_id].result != finding.result
    }
    if changed:
        await packages.record_findings(
            session, changed, section_id=section_id, trigger="opening", at=at, actor=actor.actor
        )


def _decide(
    opening: Opening,
    bid: _BidView,
    outcome: Outcome,
    bidder: str | None,
    *,
    actor: Identity,
    at: dt.datetime,
) -> tuple[dict[str, Any], tuple[str, dict[str, Any]], Entry]:
    """A bid's opening entry (as a row), its live event and its audit event; the caller inserts
    each kind for all bids at once."""
    data = outcome.bid_data or {}
    valid = outcome.status == "valid"
    price_fen = data.get("price_fen") if valid else None
    duration_days = data.get("duration_days") if valid else None
    row = {
        "id": new_id(),
        "opening_id": opening.id,
        "bid_id": bid.id,
        "organisation_id": bid.organisation_id,
        "status": outcome.status,
        "key_source": outcome.key_source,
        "price_fen": price_fen,
        "duration_days": duration_days,
        "bid_data": data or None,
        "file_name": (outcome.file or {}).get("name"),
        "plaintext_sha256": outcome.plaintext_sha256,
        "plaintext_size": (outcome.file or {}).get("size"),
        "anomalies": outcome.anomalies,
        "decided_at": at,
    }
    event = (
        "bid.unsealed",
        {
            "bidder": bidder,
            "status": outcome.status,
            "price": format_yuan(price_fen) if price_fen is not None else None,
            "duration_days": duration_days,
            "anomalies": outcome.anomalies,
        },
    )
    audit = Entry(
        actor=actor.actor,
        action={"valid": "bid.unsealed", "withdrawn": "bid.deemed_withdrawn_at_opening"}.get(
            outcome.status, "bid.rejected_at_opening"
        ),
        subject_type="bid",
        subject_id=bid.id,
        data={
            "status": outcome.status,
            "key_source": outcome.key_source,
            "price_fen": price_fen,
            "plaintext_sha256": outcome.plaintext_sha256,
            "anomalies": [a["code"] for a in outcome.anomalies],
        },
        at=at,
    )
    return row, event, audit


async def _record(
    session: AsyncSession,
    settings: Settings,
    opening: Opening,
    *,
    actor: Identity,
    at: dt.datetime,
    threshold: int,
) -> None:
    """Sign the opening record, move the section to `opened`, open the confirmation window."""
    section, project = await section_and_project(session, opening.section_id)
    body = await build_record(session, opening, section, project, recorded_at=at, threshold=threshold)
    # The record names the audit log's checkpoint of its moment: every share, key and decision
    # behind it is in that signed tree, and anyone holding the record can ask for proof later.
    signer = log_signer(settings)
    checkpoint = await write_checkpoint(session, AUDIT_LOG, signer, at=at, reason="opening")
    body["audit_checkpoint"] = checkpoint_document(checkpoint, signer)
    platform = await platform_authority(session, settings, at=at)
    document = platform.sign(body)
    opening.record = body
    opening.record_sha256 = sha256_hex(canonical(body))
    opening.record_signature = document["signature"]
    opening.recorded_at = at
    opening.confirmation_ends_at = at + dt.timedelta(minutes=CONFIRMATION_MINUTES)
    opening.status = "recorded"
    await record(
        session,
        actor=actor.actor,
        action="opening.record_signed",
        subject_type="section",
        subject_id=section.id,
        data={"record_sha256": opening.record_sha256, "entries": len(body["entries"])},
        at=at,
    )
    await transition(
        session, section, "open_bids", actor=actor.actor, at=at, data={"record_sha256": opening.record_sha256}
    )
    await live.add_event(
        session,
        opening,
        "record.signed",
        {
            "record_sha256": opening.record_sha256,
            "confirmation_ends_at": opening.confirmation_ends_at.isoformat(),
        },
        at=at,
    )


async def build_record(
    session: AsyncSession,
    opening: Opening,
    section: Section,
    project: Project,
    *,
    recorded_at: dt.datetime,
    threshold: int,
) -> dict[str, Any]:
    """The opening record as data (versioned JSON): the basis of the PDF the documents work renders."""
    entries = (await session.scalars(select(OpeningEntry).where(OpeningEntry.opening_id == opening.id))).all()
    bids = {
        b.id: b
        for b in (await session.scalars(select(Bid).where(Bid.id.in_([e.bid_id for e in entries])))).all()
    }
    organisations = {
        o.id: o
        for o in (
            await session.scalars(
                select(Organisation).where(Organisation.id.in_([e.organisation_id for e in entries]))
            )
        ).all()
    }
    receipts = {
        r.bid_id: r
        for r in (
            await session.scalars(
                select(Receipt).where(Receipt.bid_id.in_(list(bids)), Receipt.kind == "submitted")
            )
        ).all()
    }
    holders = (await plan_of(session, section.id) or (None, []))[1]
    released = {}
    for row in (
        await session.scalars(select(ShareRelease).where(ShareRelease.opening_id == opening.id))
    ).all():
        first = released.setdefault(row.position, [row.released_at, 0])
        first[0] = min(first[0], row.released_at)
        first[1] += 1
    ordered = sorted(entries, key=lambda e: (bids[e.bid_id].received_at, str(e.bid_id)))
    rows = []
    for order, entry in enumerate(ordered, start=1):
        bid, organisation = bids[entry.bid_id], organisations[entry.organisation_id]
        data = entry.bid_data or {}
        rows.append(
            {
                "order": order,
                "bid_id": str(bid.id),
                "bidder": {
                    "organisation_id": str(organisation.id),
                    "uscc": organisation.uscc,
                    "name": organisation.name,
                },
                "received_at": bid.received_at.astimezone(dt.UTC).isoformat(),
                "receipt_sequence": receipts[bid.id].sequence if bid.id in receipts else None,
                "package_sha256": bid.package_sha256,
                "status": entry.status,
                "key_source": entry.key_source,
                "price_fen": entry.price_fen,
                "price": format_yuan(entry.price_fen) if entry.price_fen is not None else None,
                "duration_days": entry.duration_days,
                "quality": data.get("quality") if entry.status == "valid" else None,
                "project_manager": data.get("project_manager") if entry.status == "valid" else None,
                "extra": data.get("extra", {}) if entry.status == "valid" else {},
                "file": {
                    "name": entry.file_name,
                    "size": entry.plaintext_size,
                    "sha256": entry.plaintext_sha256,
                }
                if entry.plaintext_sha256
                else None,
                "anomalies": entry.anomalies,
            }
        )
    valid = [r for r in rows if r["status"] == "valid"]
    return {
        "format": RECORD_FORMAT,
        "version": 1,
        "outcome": "opened",
        "section": {
            "id": str(section.id),
            "code": section.code,
            "name": section.name,
            "procedure": section.procedure,
            "sector": project.sector,
            "bid_deadline": section.bid_deadline.astimezone(dt.UTC).isoformat()
            if section.bid_deadline
            else None,
            "project": {"id": str(project.id), "code": project.code, "name": project.name},
        },
        "opening": {
            "started_at": opening.started_at.astimezone(dt.UTC).isoformat(),
            "decryption_ends_at": opening.decryption_ends_at.astimezone(dt.UTC).isoformat(),
            "recorded_at": recorded_at.astimezone(dt.UTC).isoformat(),
        },
        "key_holders": {
            "threshold": threshold,
            "holders": [
                {
                    "position": h.position,
                    "party": h.party,
                    "released_at": released[h.position][0].astimezone(dt.UTC).isoformat()
                    if h.position in released
                    else None,
                    "released_shares": released.get(h.position, [None, 0])[1],
                }
                for h in holders
            ],
        },
        "bids_at_deadline": opening.bids_at_deadline,
        "entries": rows,
        "summary": {
            "valid": len(valid),
            "rejected": sum(r["status"] == "rejected" for r in rows),
            # Deemed withdrawn: failed to open through no fault of the bidder (E-05).
            "withdrawn": sum(r["status"] == "withdrawn" for r in rows),
            "lowest_price": format_yuan(min(r["price_fen"] for r in valid)) if valid else None,
        },
    }


# --- 4. confirmations ------------------------------------------------------------------------


async def answer_record(
    session: AsyncSession,
    *,
    section_id: uuid.UUID,
    bidder: Identity,
    decision: str,
    comment: str | None,
    at: dt.datetime,
) -> Confirmation:
    """A bidder confirms the record or objects to it, within the confirmation window (E-04)."""
    opening = await _opening(session, section_id, lock=True)
    if opening.status != "recorded" or opening.confirmation_ends_at is None:
        raise Conflict("opening.not_recorded", "开标记录尚未生成", "the opening record is not ready yet")
    if at >= opening.confirmation_ends_at:
        raise Conflict(
            "opening.confirmation_closed",
            f"开标记录确认时间已于{local_time(opening.confirmation_ends_at)}截止，未回复的视为无异议",
            f"the confirmation window closed at {local_time(opening.confirmation_ends_at)}; "
            "bidders who did not answer are deemed to confirm",
            rule="E-04",
        )
    entry = await session.scalar(
        select(OpeningEntry).where(
            OpeningEntry.opening_id == opening.id, OpeningEntry.organisation_id == bidder.organisation_id
        )
    )
    if entry is None:
        raise Forbidden(
            "opening.not_a_bidder",
            "贵单位不是本次开标的投标人",
            "your organisation has no bid in this opening",
        )
    if decision == "object" and not (comment and comment.strip()):
        raise DomainError(
            "opening.objection_reason_required",
            "提出异议须说明理由",
            "an objection needs its reason",
            status=422,
        )
    if await session.scalar(
        select(Confirmation.id).where(
            Confirmation.opening_id == opening.id, Confirmation.organisation_id == bidder.organisation_id
        )
    ):
        raise Conflict(
            "opening.already_answered", "贵单位已对开标记录作出答复", "your organisation has already answered"
        )
    answer = Confirmation(
        opening_id=opening.id,
        organisation_id=entry.organisation_id,
        decision=decision,
        comment=comment,
        answered_at=at,
        answered_by=bidder.user_id,
    )
    session.add(answer)
    await record(
        session,
        actor=bidder.actor,
        action="opening.record_confirmed" if decision == "confirm" else "opening.record_objected",
        subject_type="section",
        subject_id=section_id,
        data={
            "organisation_id": str(entry.organisation_id),
            "comment": comment,
            "record_sha256": opening.record_sha256,
        },
        at=at,
    )
    organisation = await session.get(Organisation, entry.organisation_id)
    await live.add_event(
        session,
        opening,
        "record.answered",
        {"bidder": organisation.name if organisation else None, "decision": decision, "comment": comment},
        at=at,
    )
    await session.flush()
    return answer


async def confirmations(session: AsyncSession, opening: Opening) -> list[Confirmation]:
    return list(
        (
            await session.scalars(
                select(Confirmation)
                .where(Confirmation.opening_id == opening.id)
                .order_by(Confirmation.answered_at)
            )
        ).all()
    )


async def entries(session: AsyncSession, opening: Opening) -> list[OpeningEntry]:
    return list(
        (await session.scalars(select(OpeningEntry).where(OpeningEntry.opening_id == opening.id))).all()
    )


async def releases_summary(session: AsyncSession, opening: Opening) -> dict[int, int]:
    counts: dict[int, int] = {}
    for row in (
        await session.scalars(select(ShareRelease).where(ShareRelease.opening_id == opening.id))
    ).all():
        counts[row.position] = counts.get(row.position, 0) + 1
    return counts
