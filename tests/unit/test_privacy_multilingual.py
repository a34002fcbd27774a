"""Detector v2 (issue 10, issue 9 item 5): validated ids and bank accounts, multilingual context,
structured addresses, first-person health, known examples, service tokens and disguises.

Values with checksums were generated for these tests (python-stdnum validates them); none comes
from the evaluation corpora.
"""

from __future__ import annotations

import base64
from urllib.parse import quote

import pytest

from bot.privacy import is_sensitive, scan, scan_with_previous

GHP = "ghp_" + "Zk3uQ9rTb2XwLm7PcV4nHs8JfD1gYe6KaR5o"


def found(text: str) -> set[str]:
    return {f.kind for f in scan(text) if f.confidence >= 0.5}


def spans(text: str) -> list[str]:
    return [text[f.start : f.end] for f in scan(text) if f.confidence >= 0.5]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Mi DNI es 48392017V, ¿te sirve?", "48392017V"),
        ('{"nombre": "Ana", "dni": "71036204Z"}', "71036204Z"),
        ("meu CPF é 529.982.247-25", "529.982.247-25"),
        ("mijn BSN is 111222333", "111222333"),
        ("Steuer-ID: 65 929 970 489", "65 929 970 489"),
        ("mon numéro de sécu : 2 84 05 73 021 035 18", "2 84 05 73 021 035 18"),
        ("aadhaar no 4991 1866 5246 please update", "4991 1866 5246"),
        ("PAN card ABCPE1234F", "ABCPE1234F"),
        ("NHS number 401 023 2137 for the referral", "401 023 2137"),
        ("SIN: 130 692 544", "130 692 544"),
        ("il mio codice fiscale è RSSMRA85T10A562S", "RSSMRA85T10A562S"),
        ("Passnummer C01X00T47", "C01X00T47"),
    ],
)
def test_a_validated_id_after_its_label_is_found(text: str, value: str) -> None:
    assert "national_id" in found(text)
    assert value in spans(text)


@pytest.mark.parametrize(
    "text",
    [
        "Mi DNI es 48392017A",  # wrong check letter (V is right)
        "o CPF 529.982.247-26 não valida",  # wrong check digits
        "BSN 111222334 faalt de elfproef",
        "aadhaar 4991 1866 5247 is rejected",
        "order 48392017V shipped",  # a valid DNI shape without its label
        "the company ABCPE1234F invoice",  # "pan" inside "company" is not the label
        "my passport expires 2031",
    ],
)
def test_ids_that_fail_their_checksum_or_lack_a_label_are_not(text: str) -> None:
    assert "national_id" not in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "routing number 021000021, account 4839201174 (checking)",
        "sort code 20-00-00 account number 55779911, pay the deposit there",
        "A/C 50100234567891 IFSC HDFC0001234",
        "Bankverbindung: BLZ 37040044, Kontonummer 5320130099",
        '{"bank": {"routing_number": "021000021", "account_number": "883920114"}}',
    ],
)
def test_bank_accounts_need_a_label_and_a_bank_cue(text: str) -> None:
    assert "bank_account" in found(text)


def test_an_account_number_without_a_bank_cue_is_an_app_id() -> None:
    assert not is_sensitive(scan('{"account_id": 839201, "plan": "team"}'))
    assert not is_sensitive(scan("account 48392011 was suspended for spam"))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Das Passwort fürs Gäste-WLAN ist Kiwi#2291", "Kiwi#2291"),
        ("le mot de passe du serveur c'est Lune_8812!", "Lune_8812!"),
        ("usuario: admin contraseña: x7#Rk2pQ", "x7#Rk2pQ"),
        ("a senha provisória é Tr4vessa!", "Tr4vessa!"),
        ("wachtwoord van de NAS: Fiets2024?", "Fiets2024"),
        ("bhai wifi ka password Chai@4321 hai", "Chai@4321"),
        ("Zugangsdaten: mmueller / Hx9!kLp2", "Hx9!kLp2"),
    ],
)
def test_passwords_in_prose_in_other_languages(text: str, value: str) -> None:
    assert "password" in found(text)
    assert value in spans(text)


@pytest.mark.parametrize(
    "text",
    [
        "Passwort vergessen? Klick auf Zurücksetzen.",
        "la contraseña debe tener 12 caracteres",
        "the password policy is 14 chars minimum, rotated every 90 days",
        "postgres://user:password@localhost:5432/dev",
        "<input type=password name=pwd>",
        "password: <base64-encoded-password>",
    ],
)
def test_talk_about_passwords_is_not_a_password(text: str) -> None:
    assert not is_sensitive(scan(text))


@pytest.mark.parametrize(
    "text",
    [
        "Geburtsdatum: 14.03.1987",
        "je suis née le 3 mars 1992 à Nantes",
        "nací el 22 de octubre de 1987",
        '{"name": "Tom", "date_of_birth": "1990-05-28"}',
        "my son's birthday is 14 June 2016",
    ],
)
def test_dates_of_birth_in_several_languages(text: str) -> None:
    assert "date_of_birth" in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "Barack Obama was born on 4 August 1961 in Honolulu.",
        "Marie Curie est née le 7 novembre 1867 à Varsovie.",
        "Lionel Messi nació el 24 de junio de 1987 en Rosario.",
    ],
)
def test_a_public_figures_birth_date_told_as_a_fact_is_not_personal_data(text: str) -> None:
    assert not is_sensitive(scan(text))


@pytest.mark.parametrize(
    "text",
    [
        "I'm on 100mg sertraline, so no drinks for me",
        "Ich habe Asthma und brauche das Spray",
        "j'ai une sclérose en plaques depuis 2019",
        "tengo diabetes tipo 2",
        "eu tomo 20 mg de fluoxetina",
        "ik heb de ziekte van Crohn",
        "mujhe thyroid hai",
    ],
)
def test_first_person_health_in_several_languages(text: str) -> None:
    assert "health" in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "Asthma affects about 1 in 12 adults.",
        "Metformin is usually started at 500 mg once daily.",
        "Depressionen sind häufig.",
        "doctor log kehte hain ki thyroid ki problem mein thyroxine subah leni chahiye",
    ],
)
def test_general_health_facts_are_not_personal(text: str) -> None:
    assert not is_sensitive(scan(text))


@pytest.mark.parametrize(
    "text",
    [
        "ship it to Anna Kowalski, 27 Birchwood Avenue, Leeds LS6 2AB",
        "Meine neue Adresse: Lindenstraße 14, 50674 Köln",
        "J'habite au 12 rue des Lilas, 69003 Lyon",
        "Vivo en Calle de Alcalá 112, 3º B, 28009 Madrid",
        "Mijn adres is Prinsengracht 263-2, 1016 GV Amsterdam",
        '{"shipping_address": {"name": "Lena Fischer", "street": "Bergmannstraße 101", "zip": "10961"}}',
    ],
)
def test_addresses_tied_to_a_person_in_several_formats(text: str) -> None:
    assert "postal_address" in found(text)


@pytest.mark.parametrize(
    "text",
    [
        "Le musée est situé au 5 avenue Anatole France, 75007 Paris.",
        "our office is at 1 Hacker Way, Menlo Park, CA 94025",
        '{"warehouse": {"street": "Industrial Park 7", "zip": "94107"}}',
    ],
)
def test_places_that_are_not_a_persons_address(text: str) -> None:
    assert not is_sensitive(scan(text))


@pytest.mark.parametrize(
    "text",
    [
        "test with 4242 4242 4242 4242 and any CVC",
        "Example IBAN GB82 WEST 1234 5698 7654 32",
        "the docs key sk_test_4eC39HqLyjWDarjtT1zdp7dc",
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ."
        "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
        "call 07700 900123 in the film",
        "sample contact (202) 555-0147",
        "call the front desk at 0800 123 456 for bookings",
    ],
)
def test_published_examples_fictional_and_business_numbers_are_never_sensitive(text: str) -> None:
    assert not is_sensitive(scan(text))


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("bot token 7310482295:AAH" + "kX2mPq9RtVw4Zb7LcN1dF5gJ8hQ3sY6u", "service_token"),
        ("HF_TOKEN=hf_" + "QwErTyUiOpAsDfGhJkLzXcVbNmQwErTyUi", "service_token"),
        ("doctl auth init -t dop_v1_" + "3f9a2c1d7e8b4a6f0c2d1e3b5a7c9d0e" * 2, "service_token"),
        ("STRIPE_SECRET_KEY=sk_test_51" + "Hq2Lm9Xp4Rt7Vw2Zb5Nc8Df1Gj4Kl7", "stripe_key"),
        ("mein Schlüssel für die Wetter-API lautet 3f9a2c1d7e8b4a6f0c2d1e3b5a7c9d0e", "generic_secret"),
        ("SECRET_KEY = 'django-insecure-k#2v!q9@x^7m(z3&w8$p1%r6*t0-n5+y4=b'", "generic_secret"),
    ],
)
def test_service_tokens_test_mode_stripe_keys_and_named_keys(text: str, kind: str) -> None:
    assert kind in found(text)


def test_percent_encoded_spaced_and_dotted_secrets() -> None:
    assert is_sensitive(
        scan("key%3D" + quote("aws_secret_access_key=wJalrXUtnFEMI/K7MDENG/bPxRfiCYz9q8W2e4RT", safe=""))
    )
    assert "github_token" in found("token spaced out: " + " ".join(GHP))
    assert "password" in found("pass: " + ".".join("Yk5!Ra2@mQ8#"))
    assert not is_sensitive(scan("S P A C E D  O U T  H E A D I N G and N.A.S.A."))


def test_base64_of_base64_is_looked_into() -> None:
    twice = base64.b64encode(base64.b64encode(b"password: Tr0ub4dor&3xyz")).decode()
    assert "password" in found(f"here it is, base64 twice: {twice}")


@pytest.mark.parametrize(
    "text",
    [
        "my email is julia dot weber at gmail dot com",
        "reach me at priya [at] outlook [dot] com",
        "meu email: joao.silva arroba uol ponto com ponto br",
        "contact: m . keller @ posteo . de",
    ],
)
def test_spelled_out_email_addresses(text: str) -> None:
    assert "email" in found(text)


def test_at_and_dot_in_ordinary_sentences_are_not_addresses() -> None:
    assert not is_sensitive(scan("Angela's talk at PyCon dot org was great"))
    assert not is_sensitive(scan("contact us at sales at acme dot com"))  # a role mailbox


def test_a_secret_split_over_two_messages_is_found_in_the_second() -> None:
    first, second = f"here: {GHP[:20]}", GHP[20:]
    assert not is_sensitive(scan(first)) and not is_sensitive(scan(second))
    findings = scan_with_previous(second, first)
    assert [f.kind for f in findings] == ["github_token"]
    assert (findings[0].start, findings[0].end) == (0, len(second))
    assert "password" in {f.kind for f in scan_with_previous("Tr0ub4dor&3", "my password is")}
    assert not is_sensitive(scan_with_previous("thanks!", "my password is"))


def test_a_finding_complete_in_the_previous_message_is_not_carried_into_the_next() -> None:
    # Glued, "…@acme-corp.io" + "Compare …" reads as one longer address: not a split secret.
    assert not is_sensitive(scan_with_previous("Compare PostgreSQL and MySQL", "cc jane.doe@acme-corp.io"))
