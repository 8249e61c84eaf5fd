"""An announcement becomes a signed PDF in Chinese that anyone can verify."""

import hashlib

from cryptography import x509

from tests.trading.documents.pdfcheck import read_pdf, signature_of
from tests.trading.factories import call_announcement, construction_project
from tests.trading.test_projects import publish, register


async def published_call(client, people) -> dict:
    project = await register(client, people, construction_project(people))
    assert project.status_code == 201, project.text
    answer = await publish(client, people, call_announcement(project.json()["id"]))
    assert answer.status_code == 200, answer.text
    return answer.json()


async def ca_of(client) -> x509.Certificate:
    answer = await client.get("/api/public/documents/certificate")
    assert answer.status_code == 200
    return x509.load_pem_x509_certificate(answer.json()["ca_pem"].encode())


async def test_a_call_renders_in_chinese_signed_and_verifiable(client, people):
    announcement = await published_call(client, people)
    issued = await client.post(
        "/api/documents/",
        json={"kind": "announcement.call", "subject": announcement["id"]},
        headers=people.headers("clerk"),
    )
    assert issued.status_code == 201, issued.text
    document = issued.json()
    pdf = (await client.get(f"/api/documents/{document['id']}/pdf", headers=people.headers("clerk"))).content
    assert hashlib.sha256(pdf).hexdigest() == document["sha256"]
    facts = read_pdf(pdf)
    print(facts.text)
    print(facts.fonts, facts.bad_glyphs)
    assert announcement["title"] in facts.text.replace("\n", "")
    check = await signature_of(pdf, await ca_of(client))
    assert check.valid, check
