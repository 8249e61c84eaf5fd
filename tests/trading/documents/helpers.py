"""Steps the document tests share: issue over HTTP, fetch the PDF, read it as a reader would."""

from __future__ import annotations

import hashlib
from typing import Any

from cryptography import x509

from tests.trading.documents.pdfcheck import PdfFacts, read_pdf, signature_of


async def ca_of(client: Any) -> x509.Certificate:
    answer = await client.get("/api/public/documents/certificate")
    assert answer.status_code == 200, answer.text
    return x509.load_pem_x509_certificate(answer.json()["ca_pem"].encode())


async def issue(client: Any, people: Any, as_: str, kind: str, subject: str, **more: Any) -> dict:
    answer = await client.post(
        "/api/documents/", json={"kind": kind, "subject": subject, **more}, headers=people.headers(as_)
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


async def fetch(client: Any, people: Any, as_: str, document: dict) -> bytes:
    answer = await client.get(f"/api/documents/{document['id']}/pdf", headers=people.headers(as_))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert hashlib.sha256(answer.content).hexdigest() == document["sha256"]
    return answer.content


async def check_document(client: Any, pdf: bytes, document: dict, *words: str) -> PdfFacts:
    """What every issued document must show: its words in Chinese, drawn with real glyphs of the
    embedded CJK font, its number, code and page footer, and a signature that validates."""
    facts = read_pdf(pdf)
    flat = facts.text.replace("\n", "").replace(" ", "")
    for word in (*words, document["number"], document["verification_code"]):
        assert word.replace(" ", "") in flat, word
    assert "第1页共" in flat or "Page1of" in flat
    assert "Noto-Serif-CJK-SC" in facts.fonts
    assert facts.bad_glyphs == []
    check = await signature_of(pdf, await ca_of(client))
    assert check.valid, check
    verified = (await client.get(f"/api/public/documents/verify/{document['verification_code']}")).json()
    assert verified["genuine"] is True and verified["number"] == document["number"]
    return facts
