"""docs/funds.md and docs/bank-statement.md stay true to the code."""

import re
from pathlib import Path

from funds.bankfeed.schemas import CreditNoticeIn
from funds.bankfeed.service import sign
from funds.reconciliation.service import COLUMNS, parse_statement

DOCS = Path(__file__).parent.parent.parent / "docs"
FUNDS = Path(__file__).parent.parent.parent / "funds"


def test_the_documented_signature_example_verifies():
    text = (DOCS / "funds.md").read_text(encoding="utf-8")
    secret = re.search(r"with the secret `([^`]+)`", text).group(1)
    stamp = re.search(r"X-Bank-Timestamp: (\d+)", text).group(1)
    signature = re.search(r"X-Bank-Signature: ([0-9a-f]{64})", text).group(1)
    body = re.search(r"```json\n(\{\"bank_txn_id\".*?\})\n```", text, re.S).group(1).encode("utf-8")
    assert sign(secret, stamp, body) == signature
    assert CreditNoticeIn.model_validate_json(body).amount == 2_000_000


def test_the_documented_statement_example_is_a_valid_statement(tmp_path):
    from zoneinfo import ZoneInfo

    text = (DOCS / "bank-statement.md").read_text(encoding="utf-8")
    header = ",".join(COLUMNS)
    assert f"```\n{header}\n```" in text
    example = re.search(r"Example:\n\n```\n(.*?)```", text, re.S).group(1)
    path = tmp_path / "statement.csv"
    path.write_text(example, encoding="utf-8")
    lines = parse_statement(path, ZoneInfo("Asia/Shanghai"))
    assert [line.direction for line in lines] == ["C", "C", "D", "C"]


def test_every_error_code_of_funds_is_documented():
    text = (DOCS / "funds.md").read_text(encoding="utf-8")
    pattern = re.compile(
        r'"((?:ledger|bankfeed|deposit|refund|guarantee|fee|interest|statement|subaccount)\.[a-z_]+)"'
    )
    codes = {
        code for path in FUNDS.rglob("*.py") for code in pattern.findall(path.read_text(encoding="utf-8"))
    }
    assert len(codes) > 40
    assert sorted(code for code in codes if f"`{code}`" not in text) == []
