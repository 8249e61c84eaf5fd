"""Evaluation to award (评标到定标): the expert pool, random draws, the committee, the methods and
scoring, the ranking and report, objections, the award, the contract.

Built on the core, on `funds` (through the section's events) and on `bidding` (the opening
record); imported by none of them. The composition root calls the hooks below.
"""

from typing import Any

from trading.events import EventBus


def import_models() -> None:
    """Import every table of this package so migrations and the metadata see them."""
    import experts.assessments.models
    import experts.awards.models
    import experts.committees.models
    import experts.draws.models
    import experts.evaluations.models
    import experts.pool.models  # noqa: F401


def route_handlers() -> list[Any]:
    """The package's controllers, registered by trading.app.create_app."""
    from experts.assessments.controllers import AssessmentController
    from experts.awards.controllers import AwardController
    from experts.committees.controllers import CommitteeController
    from experts.evaluations.controllers import EvaluationController
    from experts.pool.controllers import PoolController

    return [PoolController, CommitteeController, EvaluationController, AwardController, AssessmentController]


async def load_demo(session: Any, cast: Any, today: Any, zone: Any) -> None:
    """The demo's expert pool (several thousand, relative to the clock), the demo's expert in it."""
    from experts.pool.service import load_demo_pool

    await load_demo_pool(session, cast.users["expert"].id, at=today)


def subscribe(bus: EventBus) -> None:
    """Experts react to no other package's events: they call the core's services directly."""


def document_kinds() -> list[Any]:
    """The evaluation report, the candidates' publicity, the award and result notices, for the
    core's document registry."""
    from experts.official_documents import document_kinds as kinds

    return kinds()


def portal_pages() -> list[Any]:
    """The expert's pages: drawn sections, signing in with the declaration, scoring criterion by
    criterion and signing the report (experts/portal.py); the staff's evaluation console: the draw,
    the session, the publicity and the award (experts/portal_staff.py)."""
    from experts import portal, portal_staff

    return [*portal.pages(), *portal_staff.pages()]
