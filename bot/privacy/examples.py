"""Published test and example values: never sensitive, whatever rule finds them.

Documentation, tutorials and test suites repeat a small set of values (payment test cards, the
ISO and banks' example IBANs, the jwt.io token, vendors' documented keys, reserved fictional phone
ranges). People paste them while asking how something works; they identify no one and open
nothing. Compared after removing spaces, dashes and dots, so every written form matches.
"""

from __future__ import annotations

import re

import phonenumbers

_SEPARATORS = re.compile(r"[\s.-]")

KNOWN_EXAMPLES: frozenset[str] = frozenset(
    _SEPARATORS.sub("", v).upper()
    for v in (
        # Payment test cards (Stripe, Braintree, Adyen, PayPal, Checkout.com documentation).
        *["4242424242424242", "4000056655665556", "4111111111111111", "4012888888881881", "4222222222222"],
        *["4000002760003184", "4000002500003155", "4000000000003220", "4000000000009995", "4000000000000002"],
        *["4005519200000004", "4009348888881881", "4917610000000000", "4988080000000000", "4444333322221111"],
        *["4000000000000077", "4000000000000093", "4000000000000341", "4000000000000010", "4000000000000028"],
        *["5555555555554444", "2223003122003222", "5200828282828210", "5105105105105100", "5431111111111111"],
        *["5454545454545454", "5500000000000004", "2221000000000009", "5425233430109903", "2223000048410010"],
        *["378282246310005", "371449635398431", "340000000000009", "370000000000002", "6011111111111117"],
        *["6011000990139424", "6011000400000000", "3056930009020004", "36227206271667", "30569309025904"],
        *["38520000023237", "3566002020360505", "3530111333300000", "6200000000000005", "6304000000000000"],
        # Example IBANs (ISO 13616, SWIFT registry, bank and Wikipedia examples).
        *["GB82WEST12345698765432", "GB29NWBK60161331926819", "GB33BUKB20201555555555"],
        *["DE89370400440532013000", "DE75512108001245126199", "DE02120300000000202051"],
        *["FR1420041010050500013M02606", "FR7630006000011234567890189", "NL91ABNA0417164300"],
        *["ES9121000418450200051332", "ES7921000813610123456789", "BE68539007547034", "BE71096123456769"],
        *["IT60X0542811101000000123456", "CH9300762011623852957", "AT611904300234573201"],
        *[
            "PT50000201231234567890154",
            "LU280019400644750000",
            "IE29AIBK93115212345678",
            "PL61109010140000071219812874",
        ],
        # The jwt.io example token (its signature is enough to recognise it).
        "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
        # Vendors' documented example keys.
        "AKIAIOSFODNN7EXAMPLE",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
        "sk_test_BQokikJOvBiI2HlWgH4olfQ2",
        "sk_test_26PHem9AhJZvU623DfE1x4sd",
        "pk_test_TYooMQauvdEDq54NiTphI7jx",
        "key-3ax6xnjp29jd6fds4gc373sgvjxteol0",
        "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11",
        "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy",
        "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
        # Example personal numbers from official documentation.
        "123-45-6789",
        "078-05-1120",
        "QQ123456C",
        "123456782",  # the BSN of Dutch documentation
        "943 476 5919",  # NHS Digital's example
        "12345678Z",  # Spain's DNI example
        "111.444.777-35",  # the CPF of many tutorials
    )
)


def is_known_example(value: str) -> bool:
    compact = _SEPARATORS.sub("", value).upper()
    if compact in KNOWN_EXAMPLES:
        return True
    return any(compact.endswith(suffix) for suffix in _EXAMPLE_SUFFIXES if len(compact) > len(suffix))


# A JWT is reported over the whole token; its example signature ends it.
_EXAMPLE_SUFFIXES = ("SFLKXWRJSMEKKF2QT4FWPMEJF36POK6YJV_ADQSSW5C",)


def is_fictional_phone(number: phonenumbers.PhoneNumber) -> bool:
    """Numbers reserved for films, books and documentation (NANP 555-01xx, Ofcom, ACMA, ARCEP)."""
    nsn = phonenumbers.national_significant_number(number)
    code = number.country_code
    if code == 1:
        return nsn[3:6] == "555" and nsn[6:8] == "01"
    if code == 44:
        return nsn.startswith(_UK_DRAMA)
    if code == 61:
        return nsn.startswith(("491570", "491571", "491572", "491573", "491574", "491575", "491576", "491577"))
    if code == 33:
        return nsn.startswith(("19900", "26191", "35301", "46571", "53649", "63998", "97740"))
    return False


_UK_DRAMA = (
    "7700900",
    "1632960",
    "2079460",
    "1134960",
    "1144960",
    "1154960",
    "1164960",
    "1174960",
    "1184960",
    "1214960",
    "1314960",
    "1414960",
    "1514960",
    "1614960",
    "2896496",
    "2920180",
    "1914980",
    "8081570",
    "9098790",
    "3069990",
)
