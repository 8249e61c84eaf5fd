"""The documents desk the composition root builds once: the kinds, the workers, the store, the signer."""

from __future__ import annotations

from dataclasses import dataclass

from trading.clock import Clock
from trading.documents.registry import DocumentKinds
from trading.documents.signer import DocumentSigner, load_or_create
from trading.documents.workers import RenderPool
from trading.settings import Settings
from trading.storage import BlobStore


@dataclass
class DocumentDesk:
    kinds: DocumentKinds
    pool: RenderPool
    store: BlobStore
    signer: DocumentSigner


def build_desk(settings: Settings, clock: Clock, kinds: DocumentKinds) -> DocumentDesk:
    from trading.documents.kinds import core_kinds

    kinds.register(*core_kinds())
    return DocumentDesk(
        kinds=kinds,
        pool=RenderPool(settings.document_workers, settings.document_render_seconds),
        store=BlobStore(settings.data_dir / "blobs"),
        signer=load_or_create(settings.data_dir / "documents", center=settings.center_name, at=clock.now()),
    )
