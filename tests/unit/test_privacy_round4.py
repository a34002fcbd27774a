"""Round-4 detector additions: more validated national ids, PINs, multilingual health and money
terms, verb-final and public-figure birth sentences, bare address labels, framework keys.

Examples here are the developer's own (values generated with python-stdnum), not the r4/r5 corpora."""

from __future__ import annotations

import pytest

from bot import privacy


def _kinds(text: str) -> set[str]:
    return {f.kind for f in privacy.scan(text) if f.confidence >= privacy.SENSITIVE_THRESHOLD}


@pytest.mark.parametrize(
    "text",
    [
        "ITIN 983-87-5689 for the tax return",
        "Rijksregisternummer: 63051819937",
        "my PPSN is 8508076K",
        "chinese id 110101197707032591",
        "CUIT 27-29189573-0",
        "RUT: 10.626.520-8",
        "SA ID number 7403285913082",
        "UTR: 3424075665",
        "personnummer 890101-4079",
        "CNP 1530417394469",
        "TC kimlik no 71452135312",
        "AMKA: 06117786845",
        "AHV-Nummer 756.4112.8348.90",
        "Sozialversicherungsnummer 7728180990",
        "henkilötunnus 241253-703H",
    ],
)
def test_validated_ids_of_more_countries_are_found_after_their_label(text: str) -> None:
    assert "national_id" in _kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "ITIN 983-65-5689 for the tax return",  # group 65 is not an ITIN range
        "CUIT 27-29189573-1",  # wrong check digit
        "RUT: 10.626.520-9",
        "CNP 1530417394460",
        "the utr field holds 10 digits",
        "run 12345678-9 times",
        "personnummer format is YYMMDD-NNNN",
    ],
)
def test_ids_that_do_not_validate_or_have_no_value_are_not_reported(text: str) -> None:
    assert "national_id" not in _kinds(text)


@pytest.mark.parametrize(
    "text",
    ["my PIN is 4821", "the PIN for the garage is 7306#", "ATM pin 5519 hai, kisi ko mat bolna", "Geheimzahl: 2684"],
)
def test_a_pin_after_its_label_is_a_password(text: str) -> None:
    assert "password" in _kinds(text)


@pytest.mark.parametrize(
    "text",
    ["pin numpy to 1.26.4", "pin 0000 is the factory default", "pinned the message", "pincode 560001, Bengaluru"],
)
def test_pins_that_are_versions_or_defaults_are_not(text: str) -> None:
    assert "password" not in _kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "soy alérgico a la penicilina",
        "I'm allergic to peanuts and penicillin",
        "je suis en arrêt maladie cette semaine",
        "sono in malattia, ho la polmonite",
        "ich bin krankgeschrieben, Lungenentzündung",
        "mujhe malaria ho gaya",
        "estou com bronquite e tomo levotiroxina",
        "prendo la levotiroxina 50 mcg",
    ],
)
def test_first_person_health_in_several_languages(text: str) -> None:
    assert "health" in _kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "pneumonia is a common complication of flu",
        "la polmonite colpisce soprattutto gli anziani",
        "allergic reactions are listed in section 4 of the leaflet",
    ],
)
def test_general_health_facts_are_not(text: str) -> None:
    assert "health" not in _kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "I earn 5.5k a month after tax",
        "meri CTC 24 LPA hai",
        "Mein Nettogehalt ist 3.100 € im Monat",
        "I owe my landlord $2,300 in back rent",
    ],
)
def test_first_person_money(text: str) -> None:
    assert "financial" in _kinds(text)


def test_verb_final_birth_date_of_the_speaker() -> None:
    assert "date_of_birth" in _kinds("ich bin am 4. März 1988 geboren")
    assert "date_of_birth" in _kinds("ik ben op 12 mei 1990 geboren")


@pytest.mark.parametrize(
    "text",
    [
        "Albert Camus est né le 7 novembre 1913",
        "Maria Montessori è nata il 31 agosto 1870",
        "Vincent van Gogh werd geboren op 30 maart 1853",
        "Lata Mangeshkar ka janam 28 September 1929 ko hua",
        "Thomas Mann wurde am 6. Juni 1875 in Lübeck geboren",
    ],
)
def test_a_named_persons_birth_date_told_as_a_fact_is_not_personal_data(text: str) -> None:
    assert "date_of_birth" not in _kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "indirizzo: Via Roma 12, 10121 Torino",
        "endereço: Rua Augusta, 1500, apto 3, São Paulo - SP, 01304-001",
        "address: 221B Baker Street, London NW1 6XE",
    ],
)
def test_an_address_after_a_bare_form_label(text: str) -> None:
    assert "postal_address" in _kinds(text)


def test_a_bare_address_label_without_an_address_is_nothing() -> None:
    assert _kinds("address: see the wiki, page 12") == set()


@pytest.mark.parametrize(
    "text",
    [
        "app.config['SECRET_KEY'] = 'c4f22f184f414aa3d04aa1521578606a'",
        'ENV["API_TOKEN"] = "V22e5kw6flz3q6kAVzsGZpbik7Cq6kcLZvalIJqi"',
        "APP_KEY=base64:q1X9v3kq0Zl7Yd1nC2pQe8sR5tU4wX6yA0bC3dE5fG7=",
        "VAULT_TOKEN=hv.st.V22e5kw6flz3q6kAVzsGZpbik7Cq6kcLZvalIJqi",
    ],
)
def test_subscript_base64_and_dotted_key_assignments(text: str) -> None:
    assert privacy.is_sensitive(privacy.scan(text))


@pytest.mark.parametrize(
    "text",
    [
        '{"msg":"cache miss","key":"session:0b7e1a52-3c4d-4e5f-8a9b-0c1d2e3f4a5b"}',
        "key = rust_openssl.hpke.MLKEM768PrivateKey",
        "the sample token eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwia"
        "WF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c from jwt.io",
    ],
)
def test_namespaced_ids_module_paths_and_the_jwt_io_example_are_not_secrets(text: str) -> None:
    assert not privacy.is_sensitive(privacy.scan(text))
