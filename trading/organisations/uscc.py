"""Unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters from a 31-character alphabet (no I, O, S, V, Z): registration authority (1),
organisation category (1), administrative division (6 digits), organisation code (9), check
character (1). The check character is 31 − (Σ value × 3^i mod 31) mod 31, i = 0..16.
"""

from __future__ import annotations

import re

from trading.errors import DomainError

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_WEIGHTS = [pow(3, i, 31) for i in range(17)]
_SHAPE = re.compile(r"^[0-9A-HJ-NP-RTUWXY]{2}\d{6}[0-9A-HJ-NP-RTUWXY]{10}$")


def check_character(first17: str) -> str:
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


class InvalidUSCC(DomainError):
    status = 422


def validate_uscc(raw: str) -> str:
    """Return the normalised code or raise InvalidUSCC saying what is wrong with it."""
    code = raw.strip().upper()
    if len(code) != 18:
        raise InvalidUSCC(
            "uscc.length",
            f"统一社会信用代码应为18位，当前为{len(code)}位",
            f"a unified social credit code has 18 characters, this one has {len(code)}",
        )
    if not _SHAPE.match(code):
        raise InvalidUSCC(
            "uscc.characters",
            "统一社会信用代码含有不允许的字符（不使用I、O、S、V、Z，第3-8位为行政区划数字）",
            "the code contains characters GB 32100 does not use (no I, O, S, V, Z; "
            "positions 3-8 are the division digits)",
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        raise InvalidUSCC(
            "uscc.check_character",
            f"统一社会信用代码校验位错误：第18位应为{expected}，请核对",
            f"the check character is wrong: the 18th character should be {expected}; please check the code",
        )
    return code


# Resident identity number (居民身份证号码), GB 11643-1999: 17 digits and a check character,
# 12 - (Σ digit × 2^(17-i) mod 11) mod 11, written X for 10.
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
_ID_CHECK = "10X98765432"


def validate_identity_number(raw: str) -> str:
    """Return the normalised identity number of a natural person or raise InvalidUSCC."""
    number = raw.strip().upper()
    if not _ID_SHAPE.match(number):
        raise InvalidUSCC(
            "identity_number.shape",
            "居民身份证号码应为17位数字加1位校验码（数字或X）",
            "a resident identity number has 17 digits and a check character (a digit or X)",
        )
    total = sum(int(digit) * pow(2, 17 - i, 11) for i, digit in enumerate(number[:17]))
    expected = _ID_CHECK[total % 11]
    if number[17] != expected:
        raise InvalidUSCC(
            "identity_number.check_character",
            f"居民身份证号码校验位错误：第18位应为{expected}，请核对",
            f"the check character is wrong: the 18th character should be {expected}; please check the number",
        )
    return number
