"""Steps the sealed-bid tests share, each done the way its user does it: over HTTP for what the
server does, with the bidder-side and key-holder-side library for what happens on their machines.

`ready_section` gives a construction section open for bids, three bidders registered, accepted
and with their deposits paid through the bank feed, key holders (clerk, supervisor, principal;
2 of 3) with keys registered, and each bidder's signing certificate and decryption key.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, x25519

from bidding.sealing import keys, package
from bidding.sealing.documents import verify_document
from bidding.sealing.manifest import BidData, SealingParameters
from tests.bidding.helpers import accepted_bidder, open_section
from tests.conftest import START
from trading.money import parse_yuan

HOLDERS = ("clerk", "zj_supervisor", "principal")
BIDDERS = ("bidder_a", "bidder_b", "bidder_c")


@dataclass
class Bidder:
    username: str
    signing_key: ec.EllipticCurvePrivateKey
    decryption_key: x25519.X25519PrivateKey
    certificate_pem: str
    uscc: str
    registration: dict[str, Any]


@dataclass
class Kit:
    section_id: str
    ca: x509.Certificate
    parameters: SealingParameters
    holder_keys: dict[str, x25519.X25519PrivateKey]
    bidders: dict[str, Bidder]
    workdir: Path
    deadline: dt.datetime
    sealed: list[Path] = field(default_factory=list)

    def seal(
        self,
        username: str,
        price: str,
        content: bytes = b"",
        *,
        duration_days: int = 365,
        name: str = "投标文件.pdf",
    ) -> Path:
        bidder = self.bidders[username]
        out = self.workdir / f"{username}-{len(self.sealed)}.bid"
        package.seal_bid(
            source=io.BytesIO(content or f"{username} 投标文件 报价 {price}".encode()),
            file_name=name,
            bid_data=BidData(
                price_fen=parse_yuan(price),
                duration_days=duration_days,
                quality="合格",
                project_manager="李工",
            ),
            parameters=self.parameters,
            uscc=bidder.uscc,
            certificate_pem=bidder.certificate_pem,
            signing_key=bidder.signing_key,
            decryption_key=bidder.decryption_key.public_key(),
            out=out,
            sealed_at=START.astimezone(dt.UTC),
        )
        self.sealed.append(out)
        return out


async def platform_ca(client: Any) -> x509.Certificate:
    answer = await client.get("/api/bidding/platform/certificates")
    assert answer.status_code == 200, answer.text
    return x509.load_pem_x509_certificate(answer.json()["ca"].encode())


async def certify(client: Any, people: Any, username: str) -> tuple[ec.EllipticCurvePrivateKey, str]:
    """`trading bid keygen` then `POST /api/bidding/certificates` with the CSR."""
    key = keys.new_signing_key()
    organisation = people.cast.organisations[_org_of(people, username)]
    csr = keys.certificate_request(key, uscc=organisation.uscc, name=organisation.name)
    from cryptography.hazmat.primitives.serialization import Encoding

    answer = await client.post(
        "/api/bidding/certificates",
        json={"csr": csr.public_bytes(Encoding.PEM).decode()},
        headers=people.headers(username),
    )
    assert answer.status_code == 201, answer.text
    return key, answer.json()["certificate_pem"]


def _org_of(people: Any, username: str) -> str:
    user = people.user(username)
    return next(key for key, org in people.cast.organisations.items() if org.id == user.organisation_id)


async def pay_deposit(
    client: Any, people: Any, settings: Any, clock: Any, username: str, registration: dict
) -> None:
    """The bidder's bank pays the deposit from its basic account into the sub-account; the bank's
    notification arrives signed (HMAC with the shared secret) at the bank feed."""
    from funds.bankfeed.service import sign

    organisation = people.cast.organisations[_org_of(people, username)]
    deposit = registration.get("deposit") or {}
    body = json.dumps(
        {
            "bank_txn_id": f"TXN-{registration['id']}",
            "virtual_account": registration["subaccount_number"],
            "amount": deposit.get("required") or "20000.00",
            "payer_name": organisation.basic_account_name,
            "payer_account": organisation.basic_account_number,
            "payer_bank": organisation.basic_account_bank,
            "value_time": clock.now().isoformat(),
        }
    ).encode()
    timestamp = str(int(clock.now().timestamp()))
    answer = await client.post(
        "/api/funds/bank/credits",
        content=body,
        headers={
            "Content-Type": "application/json",
            "X-Bank-Timestamp": timestamp,
            "X-Bank-Signature": sign(settings.resolved_bank_feed_secret(), timestamp, body),
        },
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["disposition"] == "deposit", answer.text


async def configure_holders(
    client: Any, people: Any, section_id: str, holders: tuple[str, ...] = HOLDERS, threshold: int = 2
) -> dict[str, x25519.X25519PrivateKey]:
    """The clerk names the key holders; each makes its key (`trading keyholder keygen`) and registers it."""
    answer = await client.put(
        f"/api/bidding/sections/{section_id}/keyholders",
        json={"threshold": threshold, "holders": [str(people.user(h).id) for h in holders]},
        headers=people.headers("clerk"),
    )
    assert answer.status_code == 200, answer.text
    private = {}
    for holder in holders:
        key = keys.new_x25519_key()
        registered = await client.put(
            f"/api/bidding/sections/{section_id}/keyholders/me/key",
            json={"public_key": keys.PublicKeyInfo.of(key).b64},
            headers=people.headers(holder),
        )
        assert registered.status_code == 200, registered.text
        private[holder] = key
    return private


async def sealing_parameters(
    client: Any, people: Any, section_id: str, ca: x509.Certificate, as_: str = "bidder_a"
) -> SealingParameters:
    answer = await client.get(
        f"/api/bidding/sections/{section_id}/sealing-parameters", headers=people.headers(as_)
    )
    assert answer.status_code == 200, answer.text
    body = verify_document(answer.json(), ca)
    body.pop("digest")
    return SealingParameters.model_validate(body)


async def ready_section(
    client: Any,
    people: Any,
    settings: Any,
    clock: Any,
    tmp_path: Path,
    *,
    bidders: tuple[str, ...] = BIDDERS,
    days_to_deadline: int = 25,
) -> Kit:
    section_id = await open_section(client, people, days_to_deadline=days_to_deadline)
    holder_keys = await configure_holders(client, people, section_id)
    ca = await platform_ca(client)
    parameters = await sealing_parameters(client, people, section_id, ca)
    kit_bidders = {}
    for username in bidders:
        registration = await accepted_bidder(client, people, section_id, username)
        mine = await client.get("/api/bidding/registrations/mine", headers=people.headers(username))
        registration = next((r for r in mine.json() if r["id"] == registration["id"]), registration)
        await pay_deposit(client, people, settings, clock, username, registration)
        signing_key, certificate_pem = await certify(client, people, username)
        kit_bidders[username] = Bidder(
            username=username,
            signing_key=signing_key,
            decryption_key=keys.new_x25519_key(),
            certificate_pem=certificate_pem,
            uscc=people.cast.organisations[_org_of(people, username)].uscc,
            registration=registration,
        )
    workdir = tmp_path / "bidder-side"
    workdir.mkdir(exist_ok=True)
    return Kit(
        section_id=section_id,
        ca=ca,
        parameters=parameters,
        holder_keys=holder_keys,
        bidders=kit_bidders,
        workdir=workdir,
        deadline=START + dt.timedelta(days=days_to_deadline),
    )


async def submit(
    client: Any, people: Any, kit: Kit, username: str, path: Path, section_id: str | None = None
) -> Any:
    """Upload a sealed package as the raw request body (the test transport hands it to the app in
    one piece; a real server streams it, see bench/bidding_submissions.py and test_submissions)."""
    return await client.post(
        f"/api/bidding/sections/{section_id or kit.section_id}/bids",
        content=path.read_bytes(),  # noqa: ASYNC240 - a small test file
        headers={**people.headers(username), "Content-Type": "application/octet-stream"},
    )


async def pass_deadline(clock: Any, kit: Kit) -> None:
    clock.set(kit.deadline + dt.timedelta(minutes=1))


async def release_all(
    client: Any, people: Any, kit: Kit, holders: tuple[str, ...] = ("clerk", "zj_supervisor")
) -> None:
    """Each key holder downloads the manifests, opens its shares on its own machine, releases them."""
    for holder in holders:
        wraps = await client.get(
            f"/api/bidding/sections/{kit.section_id}/opening/shares", headers=people.headers(holder)
        )
        assert wraps.status_code == 200, wraps.text
        body = wraps.json()
        shares = [
            {
                "bid_id": item["bid_id"],
                "share": keys.b64(
                    package.release_share(
                        package.manifest_from_json(item["manifest"]),
                        body["position"],
                        kit.holder_keys[holder],
                    )
                ),
            }
            for item in body["bids"]
        ]
        released = await client.post(
            f"/api/bidding/sections/{kit.section_id}/opening/shares",
            json={"shares": shares},
            headers=people.headers(holder),
        )
        assert released.status_code == 200, released.text


def rewrite_package(path: Path, out: Path, change: Any) -> Path:
    """A copy of a sealed package with `change(name, data)` applied to each member (None drops it)."""
    with zipfile.ZipFile(path) as original, zipfile.ZipFile(out, "w") as copy:
        for info in original.infolist():
            data = change(info.filename, original.read(info.filename))
            if data is not None:
                copy.writestr(info.filename, data)
    return out


def resign_manifest(path: Path, out: Path, edit: Any, signing_key: Any) -> Path:
    """A package whose manifest was edited and signed again with `signing_key`."""
    from bidding.sealing.documents import canonical

    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    edit(manifest)
    manifest_bytes = canonical(manifest)

    def swap(name: str, data: bytes) -> bytes:
        if name == "manifest.json":
            return manifest_bytes
        if name == "manifest.sig":
            return keys.sign(signing_key, manifest_bytes)
        return data

    return rewrite_package(path, out, swap)


class SyncClientAsAsync:
    """The sync TestClient behind the kit's async steps: websocket tests need the sync client
    (Litestar #4200), and the app must be the same instance that publishes the events."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.app = client.app

    async def get(self, *args: Any, **kwargs: Any) -> Any:
        return self.client.get(*args, **kwargs)

    async def post(self, *args: Any, **kwargs: Any) -> Any:
        return self.client.post(*args, **kwargs)

    async def put(self, *args: Any, **kwargs: Any) -> Any:
        return self.client.put(*args, **kwargs)
