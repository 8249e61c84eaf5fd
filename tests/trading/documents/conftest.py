"""What the document tests share across the session, so the suite stays fast: one render worker
(spawning it and importing WeasyPrint costs seconds per app) and one set of document keys, copied
into each test's data folder before its app starts."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar import Litestar

from tests.conftest import START
from trading.app import create_app
from trading.clock import ManualClock
from trading.documents.rendering import Rendered, RenderJob
from trading.documents.signer import load_or_create
from trading.documents.workers import RenderPool
from trading.settings import Settings


class SharedPool:
    """The session's pool as an app sees it: the app's shutdown does not stop the shared worker."""

    def __init__(self, pool: RenderPool) -> None:
        self.pool = pool

    async def render(self, job: RenderJob) -> Rendered:
        return await self.pool.render(job)

    def close(self, *, force: bool = False) -> None:
        """The session ends the worker, not each app."""


@pytest.fixture(scope="session")
def render_pool() -> Iterator[RenderPool]:
    pool = RenderPool(1, 120)
    yield pool
    pool.close()


@pytest.fixture(scope="session")
def document_keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("document-keys") / "documents"
    load_or_create(folder, center=Settings().center_name, at=START)
    return folder


@pytest.fixture
def app(settings: Settings, clock: ManualClock, render_pool: RenderPool, document_keys: Path) -> Litestar:
    shutil.copytree(document_keys, settings.data_dir / "documents")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("trading.documents.desk.RenderPool", lambda *_: SharedPool(render_pool))
        return create_app(settings, clock=clock)
