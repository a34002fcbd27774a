"""Payment cards: a Luhn-valid number in groups of four (Amex 4-6-5) from a known issuer range, or
from any range with a card word, CVV or expiry next to it."""

from __future__ import annotations

import re


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _known_iin(d: str) -> bool:
    n = len(d)
    p2, p3, p4, p6 = int(d[:2]), int(d[:3]), int(d[:4]), int(d[:6])
    return (
        (d[0] == "4" and n in (13, 16, 19))  # Visa
        or ((51 <= p2 <= 55 or 2221 <= p4 <= 2720) and n == 16)  # Mastercard
        or (p2 in (34, 37) and n == 15)  # American Express
        or ((p4 == 6011 or p2 == 65 or 644 <= p3 <= 649 or 622126 <= p6 <= 622925) and n >= 16)  # Discover
        or (3528 <= p4 <= 3589 and n >= 16)  # JCB
        or ((300 <= p3 <= 305 or p2 in (36, 38, 39)) and n >= 14)  # Diners Club
        or (p2 == 62 and n >= 16)  # UnionPay
    )


_CARD_SEPARATOR = re.compile(r"[ -]")


_CARD_CONTEXT = re.compile(
    r"(?i)\b(?:cvv2?|cvc2?|csc|exp(?:iry|ires|\.)?|valid|card|carte|tarjeta|cart[ãa]o|karte|kaart|carta|visa"
    r"|mastercard|maestro|amex|rupay|debit|credit|kreditkarte|crédito|credito)\b"
)


# "DE71 6541 6815 …": an IBAN's country code and check digits right before the digits.
_IBAN_HEAD = re.compile(r"[A-Z]{2}\d{2}[ -]?$")


def _check_card(m: re.Match[str]) -> float | tuple[float, int, int] | None:
    raw = m.group(0)
    if _IBAN_HEAD.search(m.string, max(0, m.start() - 5), m.start()):
        return None  # the digits of an IBAN, which its own rule judges
    groups = _CARD_SEPARATOR.split(raw)
    if len(groups) == 5 and all(len(g) == 4 for g in groups[:4]) and len(groups[4]) <= 2:
        # "5264 9319 1399 4758 04/29": the expiry month ran into the match; judge the four groups
        digits = "".join(groups[:4])
        end = m.start() + len(" ".join(groups[:4]))
        return (0.9, m.start(), end) if _luhn_ok(digits) and _card_issuer(digits, m) else None
    if len(groups) > 1:
        # Cards are written in groups of four (Amex 4-6-5) with one kind of separator; this
        # rejects phone numbers and other digit runs that happen to pass Luhn.
        sizes = [len(g) for g in groups]
        fours = all(s == 4 for s in sizes[:-1]) and 1 <= sizes[-1] <= 4
        if len(set(_CARD_SEPARATOR.findall(raw))) > 1 or not (fours or sizes in ([4, 6, 5], [4, 6, 4])):
            return None
    digits = "".join(groups)
    return 0.9 if _luhn_ok(digits) and _card_issuer(digits, m) else None


def _card_issuer(digits: str, m: re.Match[str]) -> bool:
    """A known issuer range, or a card word or CVV/expiry next to it (Maestro, RuPay, Elo and other
    ranges the table lacks): "card: 5074 … exp 09/28 cvv 256"."""
    if _known_iin(digits):
        return True
    return 13 <= len(digits) <= 19 and _CARD_CONTEXT.search(m.string, max(0, m.start() - 40), m.end() + 40) is not None
