from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from trading.audit import checkpoints
from trading.audit.checkpoints import LogSigner, LogSource
from trading.audit.models import AuditEvent, LogCheckpoint
from trading.audit.schemas import AuditEventOut, ChainReportOut, LogKeyOut, LogReportOut, VerifyIn
from trading.audit.service import AUDIT_LOG
from trading.auth.guards import allow
from trading.auth.identity import Role
from trading.clock import Clock

AUDITORS = allow(Role.auditor, Role.admin)
# Checkpoints are exported to those who keep them offline; proofs hold hashes only, so a bidder
# may also fetch them to check its receipt (docs/integrity.md).
KEEPERS = allow(Role.supervisor, Role.auditor, Role.admin)
PROVERS = allow(Role.supervisor, Role.auditor, Role.admin, Role.bidder)


def _source(logs: dict[str, LogSource], log_id: str) -> LogSource:
    if log_id not in logs:
        raise checkpoints.unknown_log(log_id)
    return logs[log_id]


class AuditController(Controller):
    path = "/api/audit"
    tags = ["audit"]

    @get("/events", operation_id="listAuditEvents", opt=AUDITORS)
    async def events(
        self,
        session: NamedDependency[AsyncSession],
        subject_type: FromQuery[str | None] = None,
        subject_id: FromQuery[str | None] = None,
        action: FromQuery[str | None] = None,
        after_seq: FromQuery[int] = 0,
        limit: FromQuery[int] = 100,
    ) -> list[AuditEventOut]:
        """The chain in order, from `after_seq` on; each event carries its hash and its link."""
        query = select(AuditEvent).where(AuditEvent.seq > after_seq).order_by(AuditEvent.seq)
        if subject_type:
            query = query.where(AuditEvent.subject_type == subject_type)
        if subject_id:
            query = query.where(AuditEvent.subject_id == subject_id)
        if action:
            query = query.where(AuditEvent.action == action)
        rows = await session.scalars(query.limit(min(max(limit, 1), 1000)))
        return [AuditEventOut.model_validate(r) for r in rows]

    @get("/verify", operation_id="verifyAuditChain", opt=AUDITORS)
    async def verify(
        self, session: NamedDependency[AsyncSession], log_signer: NamedDependency[LogSigner]
    ) -> ChainReportOut:
        """The chain, and the Merkle root at the size of every stored checkpoint."""
        report = await checkpoints.verify_log(session, AUDIT_LOG, log_signer)
        return ChainReportOut(
            events=report.events,
            intact=report.intact,
            first_broken_seq=report.first_broken_seq,
            reason=report.reason,
            checkpoints_checked=report.checkpoints_checked,
            checkpoint_size=report.checkpoint_size,
        )

    @get("/logs", operation_id="listLogs", opt=PROVERS)
    async def logs(
        self, log_signer: NamedDependency[LogSigner], log_sources: NamedDependency[dict[str, Any]]
    ) -> LogKeyOut:
        return LogKeyOut(public_key=log_signer.public_b64, key_id=log_signer.key_id, logs=sorted(log_sources))

    @get("/logs/{log_id:str}/checkpoint", operation_id="latestCheckpoint", opt=PROVERS)
    async def latest(
        self,
        session: NamedDependency[AsyncSession],
        log_signer: NamedDependency[LogSigner],
        log_sources: NamedDependency[dict[str, Any]],
        log_id: FromPath[str],
    ) -> dict[str, Any]:
        """The newest signed checkpoint of the log, as a file to keep (trading-checkpoint/1)."""
        source = _source(log_sources, log_id)
        row = await checkpoints.latest_checkpoint(session, source.log_id)
        if row is None:
            raise checkpoints.no_checkpoint(source.log_id)
        return checkpoints.checkpoint_document(row, log_signer)

    @post(
        "/logs/{log_id:str}/checkpoint",
        operation_id="writeCheckpoint",
        opt=allow(Role.supervisor, Role.admin),
    )
    async def write(
        self,
        session: NamedDependency[AsyncSession],
        log_signer: NamedDependency[LogSigner],
        log_sources: NamedDependency[dict[str, Any]],
        clock: NamedDependency[Clock],
        log_id: FromPath[str],
    ) -> dict[str, Any]:
        """Sign the log as it stands now (or answer the newest checkpoint when nothing was written
        since): a supervisor need not wait for the schedule before taking one away."""
        source = _source(log_sources, log_id)
        row = await checkpoints.write_checkpoint(
            session, source, log_signer, at=clock.now(), reason="request"
        )
        await session.commit()
        return checkpoints.checkpoint_document(row, log_signer)

    @get("/logs/{log_id:str}/checkpoints", operation_id="listCheckpoints", opt=KEEPERS)
    async def history(
        self,
        session: NamedDependency[AsyncSession],
        log_signer: NamedDependency[LogSigner],
        log_sources: NamedDependency[dict[str, Any]],
        log_id: FromPath[str],
        after_size: FromQuery[int] = 0,
        limit: FromQuery[int] = 100,
    ) -> list[dict[str, Any]]:
        """Every checkpoint of the log from `after_size` on, oldest first."""
        source = _source(log_sources, log_id)
        rows = await session.scalars(
            select(LogCheckpoint)
            .where(LogCheckpoint.log_id == source.log_id, LogCheckpoint.tree_size > after_size)
            .order_by(LogCheckpoint.tree_size)
            .limit(min(max(limit, 1), 1000))
        )
        return [checkpoints.checkpoint_document(row, log_signer) for row in rows]

    @get("/logs/{log_id:str}/inclusion", operation_id="inclusionProof", opt=PROVERS)
    async def inclusion(
        self,
        session: NamedDependency[AsyncSession],
        log_signer: NamedDependency[LogSigner],
        log_sources: NamedDependency[dict[str, Any]],
        log_id: FromPath[str],
        seq: FromQuery[int],
        tree_size: FromQuery[int],
    ) -> dict[str, Any]:
        """Row `seq` (1-based) in the checkpoint of `tree_size`, with the row's leaf bytes."""
        source = _source(log_sources, log_id)
        return await checkpoints.inclusion_proof(
            session, source, log_signer, index=seq - 1, tree_size=tree_size
        )

    @get("/logs/{log_id:str}/consistency", operation_id="consistencyProof", opt=PROVERS)
    async def consistency(
        self,
        session: NamedDependency[AsyncSession],
        log_signer: NamedDependency[LogSigner],
        log_sources: NamedDependency[dict[str, Any]],
        log_id: FromPath[str],
        first: FromQuery[int],
        second: FromQuery[int],
    ) -> dict[str, Any]:
        """The proof that the checkpoint of size `first` is a prefix of the one of size `second`."""
        source = _source(log_sources, log_id)
        return await checkpoints.consistency_proof(session, source, log_signer, first=first, second=second)

    @post("/logs/{log_id:str}/verify", operation_id="verifyLog", opt=KEEPERS, status_code=200)
    async def verify_against(
        self,
        session: NamedDependency[AsyncSession],
        log_signer: NamedDependency[LogSigner],
        log_sources: NamedDependency[dict[str, Any]],
        log_id: FromPath[str],
        data: JSONBody[VerifyIn | None] = None,
    ) -> LogReportOut:
        """Replay the log against every stored checkpoint and the one handed in (kept offline)."""
        source = _source(log_sources, log_id)
        given = [data.checkpoint] if data is not None and data.checkpoint is not None else []
        report = await checkpoints.verify_log(session, source, log_signer, given)
        return LogReportOut.of(source.log_id, report)
