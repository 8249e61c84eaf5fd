"""The bidder's registration form for a property transfer: the transferor's conditions on the
form, each ticked and the evidence named where asked (R-03); short of that, the form comes back
with what was typed and nothing is filed."""

from tests.bidding.auctions.test_conditions import LEGAL_PERSON, LICENCE, NO_DEBT, mine, transfer
from tests.portal.helpers import HTML, post_form, sign_in


async def test_a_transferee_answers_the_conditions_on_the_registration_form(client, people):
    sale = await transfer(client, people)
    page_url = f"/portal/bidder/sections/{sale.section_id}/register"
    await sign_in(client, "bidder_a")
    form = await client.get(page_url, headers=HTML)
    assert form.status_code == 200 and LEGAL_PERSON in form.text and NO_DEBT in form.text
    contact = {"contact_name": "蒋投标", "contact_phone": "025-52100001", "contact_email": "bid@example.cn"}
    # Both ticked, but the evidence the first condition asks for left empty: refused, kept as typed.
    short = await post_form(client, page_url, {**contact, "met-0": "1", "met-1": "1"}, from_page=page_url)
    assert short.status_code == 400 and 'class="error form-error"' in short.text
    assert 'name="met-1" value="1" checked' in short.text
    assert await mine(client, people, "bidder_a") == []
    done = await post_form(
        client, page_url, {**contact, "met-0": "1", "met-1": "1", "evidence-0": LICENCE}, from_page=page_url
    )
    assert done.status_code == 303, done.text
    (registration,) = await mine(client, people, "bidder_a")
    assert registration["transferee_answers"] == [
        {"condition": LEGAL_PERSON, "met": True, "evidence": LICENCE},
        {"condition": NO_DEBT, "met": True, "evidence": None},
    ]
