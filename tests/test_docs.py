"""The documentation stays true to the code it describes."""

from pathlib import Path

from trading.settings import Settings

DOCS = Path(__file__).parent.parent / "docs"


def test_every_setting_is_documented():
    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    missing = [name for name in Settings.model_fields if f"TRADING_{name.upper()}" not in text]
    assert missing == []


def test_every_documented_setting_exists():
    import re

    text = (DOCS / "configuration.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"`TRADING_([A-Z_]+)`", text))
    assert documented <= {name.upper() for name in Settings.model_fields}
