"""Money is integer fen (分), never float.

The API reads and writes yuan as decimal strings ("1234.56"). Anything else (a JSON number,
three decimals, a thousands separator, a negative amount where none is allowed) is refused
with a clear message rather than rounded.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

_YUAN = re.compile(r"^(0|[1-9]\d{0,14})(\.\d{1,2})?$")

# 10^15 yuan is beyond any trade; the bound keeps amounts inside a signed 64-bit column.
MAX_FEN = 10**17


def parse_yuan(text: str) -> int:
    """ "1234.56" -> 123456 fen. Raises ValueError with a message a user can act on."""
    if not isinstance(text, str):
        raise ValueError('amount must be a decimal string of yuan such as "1234.56" (金额须为字符串)')
    if not _YUAN.match(text):
        raise ValueError(
            f'"{text}" is not an amount of yuan: digits with at most two decimals, e.g. "1234.56"'
            " (金额格式应为最多两位小数的元)"
        )
    whole, _, cents = text.partition(".")
    fen = int(whole) * 100 + int((cents + "00")[:2])
    if fen > MAX_FEN:
        raise ValueError("amount is too large (金额过大)")
    return fen


def format_yuan(fen: int) -> str:
    """123456 -> "1234.56"; negative amounts keep their sign."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def percent_of(fen: int, numerator: int, denominator: int) -> int:
    """fen × numerator / denominator, rounded down to a whole fen (caps must never be exceeded)."""
    return fen * numerator // denominator


# A Pydantic field: yuan string on the wire, int fen in Python.
Yuan = Annotated[
    int,
    BeforeValidator(parse_yuan),
    PlainSerializer(format_yuan, return_type=str),
    WithJsonSchema({"type": "string", "pattern": _YUAN.pattern, "examples": ["1234.56"]}),
]

# For answers: int fen in Python, yuan string on the wire.
YuanOut = Annotated[
    int,
    PlainSerializer(format_yuan, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^-?\d+\.\d{2}$", "examples": ["1234.56"]}),
]
