"""Lockout without denial of service: an account's lockout is temporary and grows, an
administrator lifts it; an address's lockout is short and does not grow; X-Forwarded-For is
believed only from a configured proxy."""

from litestar import Request
from litestar.testing import AsyncTestClient

from trading.app import create_app
from trading.auth.addresses import client_address, parse_networks
from trading.auth.lockout import MemoryFailureCounter, account_key, client_key, count_failure, locked_for
from trading.demo import PEOPLE

PASSWORDS = {p.username: p.password for p in PEOPLE}


class Stopwatch:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def fail(counter, key, times, *, limit=5, seconds=900, grow=True):
    for _ in range(times):
        await count_failure(counter, key, limit, seconds, grow=grow)


async def test_an_accounts_lockout_ends_by_itself_and_doubles_each_time():
    watch = Stopwatch()
    counter = MemoryFailureCounter(watch)
    key = account_key("clerk")
    await fail(counter, key, 4)
    assert await locked_for(counter, key) == 0
    await fail(counter, key, 1)
    assert await locked_for(counter, key) == 900
    watch.now += 901
    assert await locked_for(counter, key) == 0
    await fail(counter, key, 5)
    assert await locked_for(counter, key) == 1800
    watch.now += 1801
    await fail(counter, key, 5)
    assert await locked_for(counter, key) == 3600


async def test_an_addresss_lockout_stays_short():
    watch = Stopwatch()
    counter = MemoryFailureCounter(watch)
    key = client_key("203.0.113.7")
    for _ in range(3):
        await fail(counter, key, 50, limit=50, seconds=300, grow=False)
        assert await locked_for(counter, key) == 300
        watch.now += 301
        assert await locked_for(counter, key) == 0


async def test_an_administrator_lifts_an_accounts_lockout(client, people, settings):
    for _ in range(settings.login_max_failures):
        await client.post("/api/auth/login", json={"username": "agency", "password": "guess-1234"})
    right = {"username": "agency", "password": PASSWORDS["agency"]}
    locked = await client.post("/api/auth/login", json=right)
    assert locked.status_code == 429
    assert locked.json()["details"]["retry_after_seconds"] == settings.login_lockout_minutes * 60
    lifted = await client.post(
        f"/api/users/{people.user('agency').id}/unlock", headers=people.headers("admin")
    )
    assert lifted.status_code == 200, lifted.text
    assert (await client.post("/api/auth/login", json=right)).status_code == 200


async def test_a_forged_forwarded_address_does_not_escape_the_address_limit(people, settings, clock):
    strict = settings.model_copy(update={"login_max_failures_per_client": 4})
    async with AsyncTestClient(app=create_app(strict, clock=clock)) as client:
        for attempt in range(4):
            await client.post(
                "/api/auth/login",
                json={"username": f"nobody{attempt}", "password": "guess-1234"},
                headers={"X-Forwarded-For": f"198.51.100.{attempt}"},
            )
        right = {"username": "admin", "password": PASSWORDS["admin"]}
        refused = await client.post("/api/auth/login", json=right, headers={"X-Forwarded-For": "192.0.2.1"})
        assert refused.status_code == 429


def request_from(peer: str, forwarded: str | None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return Request({"type": "http", "client": (peer, 50000), "headers": headers})  # type: ignore[typeddict-item]


def test_forwarded_for_is_believed_only_from_a_trusted_proxy():
    proxies = parse_networks(["10.0.0.5", "10.1.0.0/16"])
    assert client_address(request_from("203.0.113.9", "198.51.100.1"), proxies) == "203.0.113.9"
    assert client_address(request_from("10.0.0.5", "198.51.100.1"), proxies) == "198.51.100.1"
    # The client wrote a first hop itself; the proxies appended what they saw.
    chain = "192.0.2.66, 198.51.100.1, 10.1.2.3"
    assert client_address(request_from("10.0.0.5", chain), proxies) == "198.51.100.1"
    assert client_address(request_from("10.0.0.5", None), proxies) == "10.0.0.5"
    assert client_address(request_from("10.0.0.5", "198.51.100.1"), ()) == "10.0.0.5"
