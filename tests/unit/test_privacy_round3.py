"""Round 3 of issue 10: secrets found by structure and context, in more scripts (dev examples, not the r3 corpus)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.privacy import is_sensitive, personal_rules, scan
from bot.privacy.phone_gate import may_be_valid


def kinds(text: str) -> set[str]:
    return {f.kind for f in scan(text) if f.confidence >= 0.5}


@pytest.mark.parametrize(
    "text",
    [
        "zugang: pxy_9Fk2LmQ8rT4vW7zB1nC5dH3jK6sA0eG2uY",  # an unknown vendor's prefix + random body
        "figd_Xk29dLs8QpWm3nV7bT1yZc4rH6jF0aE2uI5o",
        "deploy key rnd_87SWKhjzordUwAkEM6nU7EMUx",  # 25 characters: a word says it is a key
        "acme_live_0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d",  # lowercase hex body, 32 long
    ],
)
def test_tokens_of_unknown_services_are_found_by_their_shape(text: str) -> None:
    assert is_sensitive(scan(text))


@pytest.mark.parametrize(
    "text",
    [
        "integrity sha512-Xk29dLs8QpWm3nV7bT1yZc4rH6jF0aE2uI5oXk29dLs8QpWm3nV7bT1yZc4r",
        "payment pi_3MtwBwLkdIwHu7ix28a3tqPa succeeded",  # an object id, not a secret
        "see test_user_can_login_with_valid_credentials_and_2fa_enabled",
        "request req-7d9f1a2b-3c4d-4e5f-8a9b-0c1d2e3f4a5b failed",
        "from socksio.socks5 import SOCKS5UsernamePasswordRequest",
        "sk_test_XXXXXXXXXXXXXXXXXXXXXXXX in the docs",
        "photo IMG_20240312_143322_0042.jpg",
    ],
)
def test_token_shaped_ids_and_hashes_are_not_secrets(text: str) -> None:
    assert not is_sensitive(scan(text))


@pytest.mark.parametrize(
    "text",
    [
        "пароль от роутера: Zk8!fmq2",
        "ο κωδικός για το vpn είναι Tq4#bnw9",
        "סיסמה: Mw7$kpz3",
        "كلمة المرور هي Hd5%rty8",
        "वाईफाई का पासवर्ड Lp3@xcv7 है",
        "VPNのパスワードはKs9!wer4です",
        "服务器密码是Qa2#zxc5，别外传",
        "와이파이 비밀번호 Np6&ghj1 입니다",
        "hasło do konta: Rt5*yui2",
        "wifi şifresi: Bv8!nmk3",
        "API-ключ: 4f9a2c7e1b8d3f6a0c5e9b2d7f1a4c8e",
        "支付接口的密钥是 0f3a9c8e1b2d4f6a8c0e2b4d6f8a0c1e",
    ],
)
def test_passwords_and_keys_named_in_other_scripts(text: str) -> None:
    assert kinds(text) & {"password", "generic_secret"}


@pytest.mark.parametrize(
    "text",
    [
        "пароль лежит в Vault, не пишите его сюда",
        "パスワードは管理ツールに入っています",
        "忘记密码了，我去重置一下",
        "Здравствуйте, коллеги! Релиз в пятницу.",  # Cyrillic look-alike letters are not a disguise
    ],
)
def test_password_words_without_a_value_in_other_scripts(text: str) -> None:
    assert not is_sensitive(scan(text))


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("DB_PASS=VG?cv&dsvPn!", "VG?cv&dsvPn!"),
        (
            "rails credentials: secret_key_base: 8efd202683abf10fa3adbf12c26c37794e50b2e5575e3ce25fe57b5dffbc2bb7",
            "8efd2026",
        ),
    ],
)
def test_assignments_of_short_password_names_and_nested_keys(text: str, secret: str) -> None:
    found = [text[f.start : f.end] for f in scan(text) if f.confidence >= 0.5]
    assert any(secret in f for f in found)


@pytest.mark.parametrize("text", ["pass: true", "results: pass: 12 fail: 0", "bypass=Xk2_p9Lq", "compass: N42W7x"])
def test_pass_as_a_name_needs_a_password_shaped_value(text: str) -> None:
    assert not is_sensitive(scan(text))


def test_look_alike_letters_inside_a_latin_token_are_still_undone() -> None:
    assert "aws_access_key" in kinds("key: \u0410KIA" + "IOSFODNN7QWERTYU")  # Cyrillic А in an ASCII token


# --- the phone gate: a cheap necessary condition before any phonenumbers parse ------------------

_PHONE_LIKE = st.builds(
    lambda plus, paren, groups, cut: plus + (f"({groups[:cut]}) " if paren else groups[:cut] + " ") + groups[cut:],
    st.sampled_from(["", "+", "00", "00 ", "011 "]),  # "00 …": dialled abroad, read as a country code
    st.booleans(),
    st.text(alphabet="0123456789", min_size=7, max_size=14),
    st.integers(min_value=1, max_value=4),
)


@settings(max_examples=600, deadline=None, database=None, derandomize=True)
@given(_PHONE_LIKE, st.booleans())
def test_the_phone_gate_never_changes_a_verdict(candidate: str, context: bool) -> None:
    verdict = personal_rules._phone_verdict.__wrapped__
    gated = verdict(candidate, context)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(personal_rules, "may_be_valid", lambda candidate, region: True)
        assert verdict(candidate, context) == gated


@pytest.mark.parametrize(
    ("candidate", "region", "expected"),
    [
        ("0152 38471926", "DE", True),
        ("(415) 382-9047", "US", True),
        ("4711 0815 2234", "US", False),  # an order number: no US number starts 47…
        ("+49 151 23456789", "US", True),  # "+": the country code picks the region
        ("+999 1234 5678", "US", False),  # no country has code 999
        ("919789734848", "IN", True),  # parse strips a leading country code: so does the gate
        ("0049 1512 3456789", "DE", True),  # dialled abroad with the region's international prefix
        ("0033 6 12 34 56 78", "GB", True),
        ("0011 61 2 9876 5432", "AU", True),
    ],
)
def test_the_phone_gate_on_examples(candidate: str, region: str, expected: bool) -> None:
    assert may_be_valid(candidate, region) is expected


def test_a_number_written_with_an_international_prefix_is_judged_by_the_parse() -> None:
    # The gate had turned these readings away before any parse; phonenumbers reads "00 49…" as +49.
    verdict = personal_rules._phone_verdict.__wrapped__
    assert verdict("0049 4920956419", True) == 0.9
    assert verdict("00 499492359722", False) == 0.45
