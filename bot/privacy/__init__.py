"""Find secrets and personal data in a chat message, so the router can keep it local.

Privacy decides before complexity: a turn with any finding of confidence >= 0.5 must never
leave the machine. The detector is pure and fast (no I/O, regexes compiled at import) so it
can run on every turn and on every piece of context before it is sent anywhere.

How it works. ``RULES`` is a table of (kind, regex, validator): each regex finds candidates
cheaply; each validator rejects what only looks like a hit (placeholders, checksums that do not
add up, low-entropy words) and returns a confidence, sometimes with the span of a value it found
after a context word. ``scan`` resolves overlaps by keeping the more confident finding. Modules:
``rule`` (the Rule type, fast-regex helpers), ``rules`` (the table), ``secret_rules`` and
``service_tokens`` (credentials), ``personal_rules`` (cards, IBANs, SSN/NINO, e-mail, phones),
``ids`` (national ids and bank accounts, checked with python-stdnum), ``context_rules`` and
``lexicon`` (multilingual context words: passwords, keys, health, money), ``birth_rules`` (dates
of birth), ``person`` (whose data a sentence is about), ``key_rules`` (personal data under
structured keys), ``addresses``, ``examples`` (published examples), ``disguise``, ``normalise``, ``keywords``,
``scanner``.

Policy decisions worth knowing:

* Context words are in English, German, French, Spanish, Portuguese, Dutch, Italian and romanised
  Hindi, and as JSON/YAML keys and form labels (``"dni":``, ``date_of_birth:``, ``Lieferadresse:``).
  Password and key words also in Nordic languages, Polish, Czech, Hungarian, Romanian, Turkish,
  Russian, Ukrainian, Greek, Hebrew, Arabic, Hindi (Devanagari), Japanese, Chinese and Korean; in
  unspaced scripts a word starts anywhere and the value ends at the next CJK character.
* Tokens of services without a rule of their own are found by shape (``token_shape``): a short
  lowercase vendor prefix, a separator and a long random body (30+ characters, 20+ after "token"/"key").
* National ids (Spanish DNI/NIE, Brazilian CPF, Dutch BSN, German Steuer-ID, French NIR, Indian
  Aadhaar and PAN, UK NHS and UTR, Canadian SIN, Australian TFN, Italian codice fiscale, Portuguese
  NIF, Polish PESEL, US ITIN, Belgian national number, Irish PPS, Chinese resident id, Argentine
  CUIT/CUIL, Chilean RUT, South African id, Swedish/Norwegian personnummer, Danish CPR, Finnish
  HETU, Romanian CNP, Turkish TC kimlik, Greek AMKA, Swiss AHV, Austrian SV-Nummer, Mexican CURP,
  Korean RRN) count only after a word that names them *and* when python-stdnum validates them;
  a generic "ID number"/"Ausweis"/"documento" tries every checksum. Passport numbers (no public
  checksum) need their label and a plausible shape. US SSN and UK NINO keep their own rules.
* Structured keys in any naming style (``customer_birth_date``, ``shippingAddress``, ``PATIENT_DX``,
  ``"Fecha de nacimiento del titular":``) are split into words and looked up in multilingual field
  tables (``key_rules``); the value is that kind when it has the kind's shape (a date, a street with
  a number, an id shape, digits) and is not a placeholder or "none"; ``_id``, ``_type``, ``_max``,
  ``ip_address`` and the like are metadata. A health field's free text counts only under a
  machine's key (quoted, compound, upper-case); a salary only under one too ("Salary: 60-70k" heads
  a job advert).
* After a generic id label ("national id", "ID no.", "documento", "Personalausweisnummer") an id of
  a country without a checksum entry counts by shape (6-20 characters, 5+ digits, not a date, not
  after "ticket"/"order"/"customer"/"invoice"…); a number shaped like a *named* id whose check digit
  fails still does not ("aadhaar … fails the checksum").
* A PIN ("PIN 4821", "UPI pin … hai", "Geheimzahl: …", "digicode c'est 3580B", "gate code 9012") is a
  password: 4-8 digits (and an optional final letter or #) right after its label, not a version
  ("pin numpy to 1.26"), not all one digit and not a run ("1234"). A ``user:password`` token after a
  login word, ``client_secret is …`` (a snake_case secret name in prose), a URL query value
  (``?token=…&…``) and a PEM key inside JSON (escaped newlines) are secrets.
* Bank accounts other than IBAN need an account word and a bank cue in the message (a valid ABA
  routing number, sort code, BSB, IFSC, transit, BLZ, "bank", "wire", "Überweisung", …).
* Published test and example values are never sensitive (``examples``): payment test cards, the
  ISO/bank example IBANs, the jwt.io token, vendors' documented keys (AWS, Stripe, Mailgun,
  Telegram, Slack, GitHub), example SSN/BSN/NHS/DNI/CPF numbers, reserved fictional phone ranges
  (NANP 555-01xx, Ofcom drama, ACMA, ARCEP); freephone and premium-rate numbers are a business's.
* Stripe test-mode *secret* and restricted keys are secrets (they open the test account's data);
  publishable keys are not. Weak passwords stated as passwords are still passwords.
* Dates of birth: after a label (``DOB``, ``Geburtsdatum``, ``fecha de nacimiento``, JSON keys)
  always; in a story ("X was born on …", "nació el …") only with the speaker or their family in the
  sentence: a named person's birth date told as a fact is not the speaker's data.
* Health and money: a health term (conditions, tests, therapy, allergies, sick leave, ~100
  medicines) or a dose, or a money word (salary, earn, owe, debt, balance, CTC, credit score) with an
  amount (currency, "k", "LPA", "lakh", "netto", "mil"), in a sentence about a person (``person``):
  the speaker (a first-person word or verb form: "bin", "soy", "tive", "guadagno"), a specific other
  person (a kinship word not after "a"/"every", a pronoun as the detail's subject, a possessive right
  before it or before "wife"/"Mann"/"femme", "Priya's"), or nobody named in a fragment with the
  speaker implied ("allergic to X btw", "on sertraline since March", "krankgeschrieben bis Freitag":
  the detail opens the sentence or follows only fillers and verbs of taking/being, and the next words
  are not those of a general statement, "is", "betrifft", "wordt", "ke cases"). Money needs a person
  word (a job advert's "Salary: 60-70k" is not a fragment). General statements are not personal.
* Addresses: a street with a house number (number-first or street-first, with the postcode and
  city formats of the supported countries), or any line with a house number ("H.No. 42", "Flat 3",
  "84/92"), a capitalised name and a postcode at its end (Indian PIN, UK, US ZIP+4, Brazilian CEP,
  Dutch, Portuguese, Polish, five digits and a city) or after a Japanese 〒, next to a personal cue
  ("my address", "I live", "ship/send it to", "my new place", "Lieferadresse:", ``"shipping_address":``;
  before the address, or after it: "…, c'est chez moi", "— mi casa") or right after a person's name
  ("Anna Kowalski, 27 Birchwood Avenue"); not near an office, museum, store, venue or conference word.
* Disguises: zero-width/bidi characters and look-alike letters are normalised; base64 is decoded
  two levels deep; percent-encoded runs, characters separated by spaces or punctuation and
  spelled-out e-mail addresses ("jane dot doe at gmail dot com", "[at]", "arroba") are undone and
  rescanned; ``scan_with_previous`` joins the same person's previous message, so a token pasted in
  two halves (or "my password is" / "Tr0ub4dor&3") is found in the second message.
* Role mailboxes (support@, noreply@, …) are reported below the threshold; reserved example
  domains are skipped. UK NINO needs a label or NINO spacing; a bare ``AB123456C`` is a part number.

Known gaps (honest list): in languages other than the eight above only passwords and keys are
understood (no dates of birth, health, money, ids or addresses: Cyrillic, CJK, Arabic … text with
those is missed); national phone formats without a trunk 0 and without a phone word
(Spanish "642 89 34 93", Indian "90351 26787", Brazilian "(31) 91540-9752") are not phones;
addresses with no personal cue and no name right before them are not reported, nor addresses
without a house number; health stated without a listed term ("I've been feeling low since the
surgery") or in a language not listed is missed, and a sentence that mentions a listed condition
next to "I"/"my" or a kinship word is reported even when it states a general fact ("my doctor says
diabetes is common"); a third-person detail is found only through a kinship word, a pronoun right
before the detail, a possessive or "Name's" ("Priya takes insulin", a bare name, is missed); a
fragment is judged by its first words, so a topic line that opens with a condition and carries a
time word ("Migraine clinic opens today") is reported; a public figure's birth date
is told apart only by the name shape (a capitalised name, then "was"/"est"/"è"/"werd"/"ka"… before
the birth word), so "Kate was born on 3 May 1990" is not reported; a key in a language or a
compound the field tables do not list (``Lieferanschrift``, ``kundenGeburtstag`` is fine but
``gebDat`` is not) is not understood, nor a key named only by "id"/"acc" (left to the id labels);
an id with a wrong check digit after its own name ("aadhaar …") is not an id (after a generic
label it is); a card number outside the known issuer ranges is not a card; ids and
accounts are only found after their label (a bare valid CPF is not); passwords stated with no cue
at all ("it's Tr0ub4dor&3") are missed; a secret split over three or more messages, or over two
people's messages, is missed, and at the ``redact`` level the first half of a split secret stays
in the history unredacted (only the message that completes it is marked); in one text each
context word is examined at its first 256 places only (``keywords.MAX_WORD_STARTS``).

Speed (``benchmarks/privacy_detection.py``; goals: p99 ≤ 0.5 ms per KB on 4 KB windows, ≤ 0.15 ms
per short message). One Aho-Corasick pass (pyahocorasick) over hint words and a digit check picks the
rules that can match at all (``scanner._plan``), and the rules with no context word (cards, IBANs,
SSNs, NINOs, phones, token shapes) run only when substring tests on the text's byte shape say they
can match (``shape_gate``); one more over the lowercased text finds where the
word rules can start (``keywords._word_starts``), and only there is a rule's regex tried;
patterns start with a literal or a character class so re can skip ahead (``rule._ci``), the few
that cannot are tried only around an anchor they must contain (``Rule.anchor``); pure ASCII skips
normalisation; phone candidates are validated last and not under a stronger finding, national
number lengths skip parses that cannot fit, and each reading is memoised; the hint and word passes and a few
patterns that would start with a lookbehind or an optional group are spelled to start with a
character class, so re skips ahead (``rule.first_char_trie``; each is tested against its plain form
in tests/unit/test_privacy_speed.py). The ~50 prefixed service-token formats are one rule group
(``Rule.members``): one gate regex finds where any can start and only those formats are tried there;
percent-encoded runs are searched only from the start of a piece (the plain pattern was quadratic).
"""

from bot.privacy.common import KIND_LABELS, PERSONAL_KINDS, SENSITIVE_THRESHOLD, Finding, shannon_entropy
from bot.privacy.personal_rules import NATIONAL_PHONE_REGIONS
from bot.privacy.rules import RULES, Rule
from bot.privacy.scanner import (
    MAX_BASE64_DEPTH,
    borderline,
    clear_caches,
    describe,
    is_sensitive,
    redact,
    scan,
    scan_with_previous,
)

__all__ = [
    "KIND_LABELS",
    "MAX_BASE64_DEPTH",
    "NATIONAL_PHONE_REGIONS",
    "PERSONAL_KINDS",
    "RULES",
    "SENSITIVE_THRESHOLD",
    "Finding",
    "borderline",
    "Rule",
    "clear_caches",
    "describe",
    "is_sensitive",
    "redact",
    "scan",
    "scan_with_previous",
    "shannon_entropy",
]
