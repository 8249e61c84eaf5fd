"""docs/oversight.md stays true to the code: every error code these features raise is listed."""

import re
from pathlib import Path

ROOT = Path(__file__).parent.parent.parent.parent
FOLDERS = (
    "trading/venue",
    "trading/supervision",
    "trading/oversight",
    "trading/complaints",
    "bidding/signals",
)
RAISED = re.compile(r'(?:DomainError|Conflict|Forbidden|NotFound|_invalid)\(\s*"([a-z_]+\.[a-z_]+)"')


def test_every_error_code_is_documented():
    text = (ROOT / "docs" / "oversight.md").read_text(encoding="utf-8")
    codes = {
        code
        for folder in FOLDERS
        for path in (ROOT / folder).glob("*.py")
        for code in RAISED.findall(path.read_text(encoding="utf-8"))
    }
    assert len(codes) > 30
    assert sorted(code for code in codes if f"`{code}`" not in text) == []
