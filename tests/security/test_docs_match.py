"""What the docs promise, as a new user found it did not happen."""

from litestar.testing import AsyncTestClient

from tests.conftest import TEST_SECRET
from tests.funds.helpers import open_section, open_subaccount, pay
from trading.app import create_app
from trading.settings import Settings


async def test_the_bank_feed_key_exists_once_the_server_has_started(tmp_path):
    settings = Settings(data_dir=tmp_path, secret_key=TEST_SECRET, event_dispatch_seconds=0)
    async with AsyncTestClient(app=create_app(settings)) as client:
        assert (await client.get("/health")).status_code == 200
        key = tmp_path / "bank-feed.key"
        assert key.exists() and len(key.read_text().strip()) >= 32
        assert oct(key.stat().st_mode & 0o777) == "0o600"


async def test_a_refund_without_a_reason_is_the_documented_422(client, people, settings, clock):
    section_id = await open_section(client, people)
    account = await open_subaccount(client, people, section_id)
    await pay(client, people, settings, clock, account["number"], "20000.00")
    response = await client.post(
        f"/api/funds/deposits/{section_id}/{people.org('builder_a').id}/refund",
        json={"reason": " "},
        headers=people.headers("clerk"),
    )
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "refund.reason_required"
