"""Round-5 detector mechanisms (issue 10): structured keys split into words, a specific other person
and subjectless fragments for health and money, addresses ending in a national postcode, ids of
unlisted countries after a generic label, and secrets in door codes, user:password pairs,
snake_case names in prose, URL queries and JSON private keys.

Each mechanism is tested on the developer's own examples in several languages and phrasings, none
of them a corpus line, and on hard negatives that share its words."""

from __future__ import annotations

import pytest

from bot import privacy
from bot.privacy.key_rules import key_kind, key_words


def _kinds(text: str) -> set[str]:
    return {f.kind for f in privacy.scan(text) if f.confidence >= privacy.SENSITIVE_THRESHOLD}


# --- structured keys ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "words"),
    [
        ("customer_birth_date", ["customer", "birth", "date"]),
        ("shippingAddress", ["shipping", "address"]),
        ("user.pwd", ["user", "pwd"]),
        ("billing-iban", ["billing", "iban"]),
        ("PATIENT_DX", ["patient", "dx"]),
        ("HTTPServerAddress", ["http", "server", "address"]),
    ],
)
def test_keys_split_into_words_in_every_naming_style(key: str, words: list[str]) -> None:
    assert key_words(key) == words


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("clientDateOfBirth", "date_of_birth"),
        ("geburtsdatum_kunde", "date_of_birth"),
        ("fecha_nacimiento", "date_of_birth"),
        ("deliveryAddress", "postal_address"),
        ("Lieferanschrift", None),  # a German compound is one word: the prose rules cover it
        ("patient.medications", "health"),
        ("pre_existing_conditions", "health"),
        ("expected_salary", "financial"),
        ("national_id_no", "national_id"),
        ("bank_account_number", "bank_account"),
        ("ip_address", None),
        ("salary_max", None),
        ("account_id", None),
        ("retry_condition", None),
    ],
)
def test_key_words_name_the_kind_unless_a_metadata_word_cancels_it(key: str, kind: str | None) -> None:
    assert key_kind(key) == kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("contact_birth_date: 1979-08-14", "date_of_birth"),
        ('{"memberDob": "02/11/1986"}', "date_of_birth"),
        ("Fecha de nacimiento del titular: 7 de junio de 1991", "date_of_birth"),
        ('{"deliveryAddress": "Apt 5, 88 Harbour Road, Cork T12 X70A"}', "postal_address"),
        ("PATIENT_ALLERGIES=latex", "health"),
        ('{"medikamente": "Ramipril 5 mg"}', "health"),
        ('"expectedSalary": "72000 EUR"', "financial"),
        ("applicant.national_id_no = 7712-0394-55", "national_id"),
    ],
)
def test_values_under_structured_keys_are_the_kind_the_key_names(text: str, kind: str) -> None:
    assert kind in _kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "server_address: 10.2.0.14",
        '"email_address": "help@shop.example.org"',
        "date_of_birth_format: DD.MM.YYYY",
        '"diagnosis": "n/a"',
        "diagnosis: the load balancer drops idle sockets",
        '"salary_range": "55000-65000"',
        "Salary: 55-65k, remote",
        '"account_type": "checking"',
        "national_id_pattern: ^[0-9]{9}$",
        '{"store": {"address": "400 Main Street, Springfield IL 62701"}}',
        "address: see the onboarding doc, step 4",
        '"income_tax_rate": "21%"',
    ],
)
def test_metadata_placeholders_and_venues_under_keys_are_not_personal(text: str) -> None:
    assert _kinds(text) == set()


# --- a specific person, and fragments with an implied speaker --------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "meine Schwester hat Asthma",  # kin (and first person)
        "la sœur de Karim a le diabète",  # kin, no first-person word
        "o irmão da Ana tem epilepsia",
        "zijn vrouw is zwanger van de tweede",
        "she's on lamotrigine now",
        "Marco's dad takes warfarin",
        "bhai ko asthma hai",
        "su novio tiene crohn",
        "her salary is 140k",
        "sein Gehalt liegt bei 70.000 €",
    ],
)
def test_health_and_money_of_a_specific_other_person_are_personal(text: str) -> None:
    assert _kinds(text) & {"health", "financial"}


@pytest.mark.parametrize(
    "text",
    [
        "allergic to peanuts fyi",
        "still on sertraline, 100mg",
        "krankgeschrieben bis Mittwoch",
        "de baja hasta el jueves",
        "in malattia fino a lunedì",
        "ziekgemeld vandaag",
        "migraine again today",
        "got diagnosed with lupus in may",
    ],
)
def test_fragments_without_a_subject_are_the_speakers(text: str) -> None:
    assert "health" in _kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "insulin is expensive in the US",
        "Asthma ist bei Kindern häufig",
        "La diabetes afecta a millones",
        "Omeprazol wordt vaak voorgeschreven",
        "dengue ke cases badh rahe hai",
        "A mother with diabetes can breastfeed",
        "She gave a talk on depression in teens",
        "Parkinson's disease affects movement",
        "Cancer research fundraiser on Friday",
        "Salary: 60-70k EUR, hybrid",
        "I made a $5 bet with Tom",
        "credit score ranges from 300 to 850",
    ],
)
def test_general_statements_about_health_and_money_are_not_personal(text: str) -> None:
    assert _kinds(text) == set()


def test_first_person_verb_forms_count_as_the_speaker() -> None:
    assert "health" in _kinds("tive pneumonia em março e faço fisioterapia")
    assert "financial" in _kinds("guadagno 2.300 euro al mese")
    assert "financial" in _kinds("ich verdiene 3.900 netto")
    assert "financial" in _kinds("my credit score is 641 after the loan")


# --- addresses ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "send it to H.No. 118, Sector 21, Noida 201301",
        "my new place: 9 Elm Grove, Bath BA1 2QT",
        "our place is 418 W Oak St, Austin, TX 78701-2034",
        "mijn adres is Herengracht 12, 1015 BN Amsterdam",
        "Rua do Carmo 71, 1200-093 Lisboa, é a minha casa",
        "envíalo a Calle Luna 4, 28004 Madrid",
        "送り先：〒530-0001 大阪府大阪市北区梅田1-1-3",
    ],
)
def test_addresses_in_national_formats_with_a_personal_cue_are_found(text: str) -> None:
    assert "postal_address" in _kinds(text)


@pytest.mark.parametrize(
    "text",
    [
        "our office moved to 88 Market St, San Francisco, CA 94105",
        "the conference is at Messe Berlin, Messedamm 22, 14055 Berlin",
        "my place or yours? 8pm",
        "ship 20 units to the warehouse in Rotterdam 3011 AA",
        "Version 2.3.1 läuft seit 10435 Sekunden",
    ],
)
def test_venues_offices_and_numbers_are_not_addresses(text: str) -> None:
    assert "postal_address" not in _kinds(text)


# --- ids without a checksum entry ---------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "national id: 4402187731",
        "ID no. K7730291",
        "personalausweisnummer: T22000129",
        "numéro d'identité : 0412 883 991",
        "número de documento 40.221.873",
    ],
)
def test_ids_after_a_generic_label_count_without_a_checksum(text: str) -> None:
    assert _kinds(text) & {"national_id", "phone"}


@pytest.mark.parametrize(
    "text",
    [
        "ticket id number 55210943 closed",
        "the customer ID no. 77123451 ordered twice",
        "invoice documento nº 2024-118273",
        "ID number: 2023-11-02",
        "aadhaar 7049 2436 0451 fails the checksum",  # a named id whose check digit is wrong
    ],
)
def test_record_ids_dates_and_bad_checksums_are_not_ids(text: str) -> None:
    assert "national_id" not in _kinds(text)


# --- secrets -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "le digicode c'est 4417A",
        "Türcode lautet 9921#",
        "gate code is 3390",
        "creds for the kiosk: operator:Wq7!zLp20x",
        "the api_secret is pK83nVq2LxT9wMz4RbY6cJd1",
        "https://hooks.internal/feed?token=Qm81zLx02PqRt56vWy9Ab&limit=5",
        '{"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIB\\n-----END PRIVATE KEY-----\\n"}',
        "la clave del wifi es Tortuga552",
    ],
)
def test_secrets_in_codes_pairs_snake_names_queries_and_json_keys_are_found(text: str) -> None:
    assert {f.category for f in privacy.scan(text) if f.confidence >= privacy.SENSITIVE_THRESHOLD} == {"secret"}


@pytest.mark.parametrize(
    "text",
    [
        "the door code is on the fridge",
        "alarm code is 1234? no idea",
        "login with admin:admin on the test box",
        "the client_secret field is required",
        "https://example.com/search?token=abc&page=2",
        "password reset broke on Python311",
        '"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQ...\\n-----END PRIVATE KEY-----"',
    ],
)
def test_secret_words_without_a_secret_are_nothing(text: str) -> None:
    assert _kinds(text) == set()


# --- regressions found by scoring round 6 (lost detections, not new rules) ------------------------


def test_a_truncated_private_key_with_an_ellipsis_is_still_a_private_key() -> None:
    # An elided paste still carries key material; only a payload under 40 characters is a placeholder.
    body = "MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0"
    assert "private_key" in _kinds(f"use this\n-----BEGIN RSA PRIVATE KEY-----\n{body}...\n")
    assert "private_key" not in _kinds("-----BEGIN RSA PRIVATE KEY-----\nMIIEow...\n-----END RSA PRIVATE KEY-----")


def test_an_ibans_digits_are_not_read_as_a_card() -> None:
    # Its BBAN starts like a Discover card and its first 16 digits pass Luhn: the IBAN rule judges them.
    from stdnum import iban

    from bot.privacy.cards import _luhn_ok

    value = "DE37 6011 5957 1177 7741 21"
    assert iban.is_valid(value) and _luhn_ok(value.replace(" ", "")[4:20])
    assert _kinds(f"überweis es bitte auf {value}") == {"iban"}
