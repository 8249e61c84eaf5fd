import uuid
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from sqlalchemy.ext.asyncio import AsyncSession

from trading.auth.guards import allow
from trading.auth.identity import Identity, Role
from trading.clock import Clock, local_date
from trading.db.session import WRITES_ON_READ
from trading.oversight import archives, circulars, dashboard, letters, service
from trading.oversight.schemas import (
    AcknowledgeIn,
    AnswerIn,
    ArchiveCheckOut,
    ArchiveOut,
    CircularIn,
    CircularOut,
    DashboardOut,
    EvaluationOut,
    LetterIn,
    LetterOut,
    ReviewIn,
    StepDoneIn,
    StepOut,
    WarningOut,
)
from trading.settings import Settings

Session = NamedDependency[AsyncSession]
Me = Request[Identity, Any, Any]
OVERSEERS = allow(Role.supervisor, Role.staff, Role.auditor, Role.admin)
SUPERVISORS = allow(Role.supervisor)
LETTER_READERS = allow(Role.supervisor, Role.staff, Role.auditor, Role.admin, Role.principal, Role.agency)


async def evaluated(
    request: Me, session: AsyncSession, clock: Clock, settings: Settings
) -> service.Evaluation:
    """Cards are derived from the clock when read: the engine runs (idempotently) first, so what a
    supervisor sees is right whether or not a job ran."""
    result = await service.evaluate(
        session, now=clock.now(), zone=settings.zone, feeds=request.app.state.oversight_feeds
    )
    await session.commit()
    return result


def warning_out(view: service.WarningView) -> WarningOut:
    w, s = view.warning, view.step
    return WarningOut(
        id=w.id,
        level=w.level,
        reason=w.reason,
        sector=w.sector,
        step=s.step,
        rule=s.rule,
        department=s.department,
        subject=s.subject,
        section_id=s.section_id,
        due_on=s.due_on,
        done_on=s.done_on,
        raised_at=w.raised_at,
        message={"zh-CN": w.zh, "en": w.en},
        acknowledged_at=w.acknowledged_at,
        acknowledgement=w.acknowledgement,
        closed=w.closed_at is not None,
    )


class OversightController(Controller):
    path = "/api/oversight"
    tags = ["oversight"]

    @post("/evaluate", operation_id="evaluateOversight", opt=allow(Role.staff, Role.admin), status_code=200)
    async def evaluate(
        self,
        request: Me,
        session: Session,
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
    ) -> EvaluationOut:
        """Run the engine now (a scheduler may call this; reading the warnings runs it too)."""
        result = await evaluated(request, session, clock, settings)
        return EvaluationOut(
            audit_head=result.audit_head, yellow=result.yellow, red=result.red, escalated=result.escalated
        )

    @get("/warnings", operation_id="listWarnings", opt={**OVERSEERS, **WRITES_ON_READ})
    async def warnings(
        self,
        request: Me,
        session: Session,
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        open_only: FromQuery[bool] = False,
    ) -> list[WarningOut]:
        """Red and yellow cards of the viewer's sectors, newest first."""
        await evaluated(request, session, clock, settings)
        return [
            warning_out(v) for v in await service.list_warnings(session, request.user, open_only=open_only)
        ]

    @post(
        "/warnings/{warning_id:uuid}/acknowledge",
        operation_id="acknowledgeWarning",
        opt=SUPERVISORS,
        status_code=200,
    )
    async def acknowledge(
        self,
        request: Me,
        session: Session,
        clock: NamedDependency[Clock],
        warning_id: FromPath[uuid.UUID],
        data: JSONBody[AcknowledgeIn],
    ) -> WarningOut:
        view = await service.acknowledge(
            session, warning_id, data.note, supervisor=request.user, at=clock.now()
        )
        await session.commit()
        return warning_out(view)

    @get("/steps", operation_id="listOversightSteps", opt={**OVERSEERS, **WRITES_ON_READ})
    async def steps(
        self,
        request: Me,
        session: Session,
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        open_only: FromQuery[bool] = False,
    ) -> list[StepOut]:
        """Every timed step the engine knows in the viewer's sectors, by due date."""
        await evaluated(request, session, clock, settings)
        return [
            StepOut.model_validate(s)
            for s in await service.list_steps(session, request.user, open_only=open_only)
        ]

    @post("/steps/{step_id:uuid}/done", operation_id="recordStepDone", opt=allow(Role.staff), status_code=200)
    async def step_done(
        self,
        request: Me,
        session: Session,
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        step_id: FromPath[uuid.UUID],
        data: JSONBody[StepDoneIn],
    ) -> StepOut:
        """Record a step done that no platform event completes (e.g. the C-19 written report)."""
        step = await service.mark_done(
            session, step_id, data.note, actor=request.user, at=clock.now(), zone=settings.zone
        )
        await session.commit()
        return StepOut.model_validate(step)

    @get("/dashboard", operation_id="oversightDashboard", opt={**OVERSEERS, **WRITES_ON_READ})
    async def dashboard(
        self,
        request: Me,
        session: Session,
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
    ) -> DashboardOut:
        await evaluated(request, session, clock, settings)
        now = clock.now()
        sectors = await dashboard.figures(session, request.user, now=now, zone=settings.zone)
        return DashboardOut(today=local_date(now, settings.zone), sectors=sectors)

    @get(
        "/exports/warnings.csv",
        operation_id="exportWarnings",
        opt={**OVERSEERS, **WRITES_ON_READ},
        media_type="text/csv",
    )
    async def export_warnings(
        self,
        request: Me,
        session: Session,
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
    ) -> Response[str]:
        await evaluated(request, session, clock, settings)
        views = await service.list_warnings(session, request.user, open_only=False)
        body = dashboard.to_csv(dashboard.WARNING_COLUMNS, dashboard.warning_rows(views, settings.zone))
        return Response(body, media_type="text/csv")

    @get("/exports/letters.csv", operation_id="exportLetters", opt=OVERSEERS, media_type="text/csv")
    async def export_letters(
        self, request: Me, session: Session, settings: NamedDependency[Settings]
    ) -> Response[str]:
        found = await letters.list_letters(session, request.user)
        body = dashboard.to_csv(dashboard.LETTER_COLUMNS, dashboard.letter_rows(found, settings.zone))
        return Response(body, media_type="text/csv")


class LetterController(Controller):
    path = "/api/oversight/letters"
    tags = ["oversight"]

    @post("/", operation_id="issueLetter", opt=SUPERVISORS)
    async def issue(
        self,
        request: Me,
        session: Session,
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        data: JSONBody[LetterIn],
    ) -> LetterOut:
        """督办函 on a warning or a finding about a section, to the party who must act, with a due date."""
        letter = await letters.issue(
            session, data, supervisor=request.user, at=clock.now(), zone=settings.zone
        )
        await session.commit()
        return LetterOut.model_validate(letter)

    @get("/", operation_id="listLetters", opt=LETTER_READERS)
    async def list_all(self, request: Me, session: Session) -> list[LetterOut]:
        return [LetterOut.model_validate(x) for x in await letters.list_letters(session, request.user)]

    @get("/{letter_id:uuid}", operation_id="getLetter", opt=LETTER_READERS)
    async def get_one(self, request: Me, session: Session, letter_id: FromPath[uuid.UUID]) -> LetterOut:
        return LetterOut.model_validate(await letters.get(session, letter_id, request.user))

    @post(
        "/{letter_id:uuid}/answer",
        operation_id="answerLetter",
        opt=allow(Role.principal, Role.agency, Role.staff),
        status_code=200,
    )
    async def answer(
        self,
        request: Me,
        session: Session,
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        letter_id: FromPath[uuid.UUID],
        data: JSONBody[AnswerIn],
    ) -> LetterOut:
        letter = await letters.answer(
            session, letter_id, data, who=request.user, at=clock.now(), zone=settings.zone
        )
        await session.commit()
        return LetterOut.model_validate(letter)

    @post("/{letter_id:uuid}/review", operation_id="reviewLetterAnswer", opt=SUPERVISORS, status_code=200)
    async def review(
        self,
        request: Me,
        session: Session,
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        letter_id: FromPath[uuid.UUID],
        data: JSONBody[ReviewIn],
    ) -> LetterOut:
        """Accept the answer, or send it back with a new due date."""
        letter = await letters.review(
            session, letter_id, data, supervisor=request.user, at=clock.now(), zone=settings.zone
        )
        await session.commit()
        return LetterOut.model_validate(letter)


class CircularController(Controller):
    path = "/api/oversight/circulars"
    tags = ["oversight"]

    @post("/", operation_id="issueCircular", opt=SUPERVISORS)
    async def generate(
        self,
        request: Me,
        session: Session,
        clock: NamedDependency[Clock],
        settings: NamedDependency[Settings],
        data: JSONBody[CircularIn],
    ) -> CircularOut:
        """情况通报 of a finished month for one of the supervisor's sectors; generated once, kept as is."""
        await evaluated(request, session, clock, settings)
        circular = await circulars.generate(
            session, data.sector, data.month, supervisor=request.user, at=clock.now(), zone=settings.zone
        )
        await session.commit()
        return CircularOut.model_validate(circular)

    @get("/", operation_id="listCirculars", opt=OVERSEERS)
    async def list_all(self, request: Me, session: Session) -> list[CircularOut]:
        return [CircularOut.model_validate(c) for c in await circulars.list_circulars(session, request.user)]

    @get("/{circular_id:uuid}", operation_id="getCircular", opt=OVERSEERS)
    async def get_one(self, request: Me, session: Session, circular_id: FromPath[uuid.UUID]) -> CircularOut:
        return CircularOut.model_validate(await circulars.get(session, circular_id, request.user))


class ArchiveController(Controller):
    path = "/api/oversight/archives"
    tags = ["oversight"]

    @get("/", operation_id="listArchives", opt=OVERSEERS)
    async def list_all(self, request: Me, session: Session) -> list[ArchiveOut]:
        """The archive packages of ended sections (E-08), newest first."""
        return [ArchiveOut.model_validate(p) for p in await archives.list_packages(session, request.user)]

    @get("/{package_id:uuid}", operation_id="getArchive", opt=OVERSEERS)
    async def get_one(self, request: Me, session: Session, package_id: FromPath[uuid.UUID]) -> ArchiveOut:
        return ArchiveOut.model_validate(await archives.get(session, package_id, request.user))

    @get("/{package_id:uuid}/verify", operation_id="verifyArchive", opt=OVERSEERS)
    async def verify(self, request: Me, session: Session, package_id: FromPath[uuid.UUID]) -> ArchiveCheckOut:
        """Rebuild the manifest from today's records and name what changed or went missing."""
        problems = await archives.verify(session, await archives.get(session, package_id, request.user))
        return ArchiveCheckOut(intact=not problems, problems=problems)
