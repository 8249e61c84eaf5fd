"""The rendering workers: a pool of spawned processes, so a long document never holds the event
loop and a crash in a native library (pango, HarfBuzz) kills a worker, not the server.

A broken pool (a worker died) is replaced for the next request; the request that met it, and one
that waits longer than the time limit, get `document.renderer_unavailable` (503) and nothing is
issued.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from trading.documents.rendering import MissingGlyphs, Rendered, RenderJob, render_and_sign
from trading.errors import DomainError

logger = logging.getLogger("trading.documents")


class RendererUnavailable(DomainError):
    status = 503

    def __init__(self, why: str) -> None:
        super().__init__(
            "document.renderer_unavailable",
            "文书生成服务暂不可用，请稍后重试",
            "the document renderer is unavailable; please try again later",
            details={"reason": why},
        )


class RenderPool:
    def __init__(
        self,
        workers: int,
        timeout_seconds: float,
        task: Callable[[RenderJob], Rendered] = render_and_sign,
    ) -> None:
        self.workers = workers
        self.timeout_seconds = timeout_seconds
        self.task = task
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            # spawn, not fork: WeasyPrint's native libraries are not fork-safe (WeasyPrint #684);
            # a fresh worker now and then keeps a font-cache leak from growing without bound.
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                max_tasks_per_child=200,
            )
        return self._pool

    async def render(self, job: RenderJob) -> Rendered:
        loop = asyncio.get_running_loop()
        try:
            future = loop.run_in_executor(self._executor(), self.task, job)
            return await asyncio.wait_for(future, self.timeout_seconds)
        except MissingGlyphs as exc:
            raise DomainError(
                "document.glyph_missing",
                f"文书中有字体无法显示的字符：{exc.args[0]}",
                f"the document contains characters no document font can draw: {exc.args[0]}",
                status=422,
                details={"characters": [f"U+{ord(c):04X}" for c in exc.args[0]]},
            ) from None
        except BrokenProcessPool:
            logger.error("a document worker died; starting a new pool")
            self.close(force=True)
            raise RendererUnavailable("worker_died") from None
        except TimeoutError:
            logger.error("a document took longer than %s s to render", self.timeout_seconds)
            self.close(force=True)
            raise RendererUnavailable("timeout") from None

    def close(self, *, force: bool = False) -> None:
        """Stop the workers; `force` also ends one stuck in a native call (a timeout)."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=not force, cancel_futures=True)
        if force:
            for process in processes:
                process.kill()
