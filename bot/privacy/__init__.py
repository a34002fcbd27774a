"""Find secrets and personal data in a chat message, so the router can keep it local.

Privacy decides before complexity: a turn with any finding of confidence >= 0.5 must never
leave the machine. The detector is pure and fast (no I/O, regexes compiled at import) so it
can run on every turn and on every piece of context before it is sent anywhere.

How it works (modules: ``common``, ``secret_rules``, ``personal_rules``, ``rules``, ``scanner``):
``RULES`` is a table of (kind, regex, validator). Each regex finds candidates
cheaply; each validator rejects what only looks like a hit (placeholders, documented example
values, checksums that do not add up, low-entropy words) and returns a confidence. ``scan``
then resolves overlaps by keeping the more confident finding.

Policy decisions worth knowing:

* Placeholders are not secrets: ``sk-...``, ``<YOUR_TOKEN>``, ``${DB_PASSWORD}``, ``****``,
  ``xxxx``, ``your-api-key-here``, values containing "example"/"placeholder"/"redacted", and
  the bare words "password"/"secret"/"token" used as values (as in ``user:password@host``).
* AWS's documented example credentials (``AKIAIOSFODNN7EXAMPLE``, ``wJalrXUtnFEMI/...EXAMPLEKEY``)
  and the famous never-issued SSNs 123-45-6789 / 078-05-1120 are treated as examples.
* Weak passwords are still passwords: ``changeme``, ``hunter2`` or ``postgres`` stated as a
  password are reported. We cannot tell a default that is still in use from a template, and
  keeping a turn local by mistake is cheap while leaking a credential is not.
* Test payment cards (4111 1111 1111 1111) are Luhn-valid card numbers and are reported:
  the detector judges format, not whether an account exists.
* Role mailboxes (support@, noreply@, ...) are reported with low confidence (not sensitive):
  they identify an organisation, not a person. Reserved example domains are skipped.
* Stripe *test* keys are not reported; only live keys grant access to real money and data.
* Text is normalised before matching (``bot.privacy.normalise``): zero-width, soft-hyphen and bidi
  characters are dropped and Cyrillic/Greek/fullwidth look-alikes mapped to ASCII, so a token
  with a hidden character is still found; spans are mapped back and cover the original text.
* Base64 runs that decode to printable text are scanned once more (one level deep) and reported
  over the whole run with the inner kind (Kubernetes secrets, ``echo … | base64 -d``).
* Personal data needs a person: a date is a date of birth only after "born", "DOB", "date of
  birth" or "birthday"; a street address only after "I live at", "my address is", "ship it to"
  and the like; health and money details only in first-person forms ("I was diagnosed with",
  "my salary is"). An office address or a release date is not reported.
* A UK NINO is sensitive after "NI"/"NINO"/"national insurance" or when spaced like one
  (``AB 12 34 56 C``); a bare ``AB123456C`` is reported below the threshold (part numbers).
* Phone numbers: +international and US formats always; after a trunk 0 the national formats of
  ``NATIONAL_PHONE_REGIONS`` too. A bare digit run is a phone only after "call", "mobile", …
* ``login admin / X`` and ``user root pass X`` pairs report X, unless X is a lowercase word
  ("login page / settings").

Known gaps: addresses without a street type or written in lowercase, non-English context words
for personal data, passwords stated without any cue ("it's Tr0ub4dor&3"), base64 nested twice,
secrets split across messages, and free-text health or money details that no rule can pin down.
Cost is linear in the text. Speed (``benchmarks/privacy_detection.py``; goal p99 ≤ 0.5 ms per KB):
one pass over the rules' hint words and a digit check picks the rules that can match at all
(``scanner._plan``); every pattern starts with a literal or a character class so re can skip
ahead (``rules._ci`` for case-insensitive keywords), and the few that cannot are tried only around
a literal they must contain (``Rule.anchor``); pure ASCII skips normalisation; phone candidates
are validated last, and not where a stronger finding already covers them, because each costs a
``phonenumbers`` parse and validation (~20-50 µs, memoised per number).
"""

from bot.privacy.common import KIND_LABELS, PERSONAL_KINDS, SENSITIVE_THRESHOLD, Finding, shannon_entropy
from bot.privacy.personal_rules import NATIONAL_PHONE_REGIONS
from bot.privacy.rules import RULES, Rule
from bot.privacy.scanner import (
    MAX_BASE64_DEPTH,
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
    "Rule",
    "clear_caches",
    "describe",
    "is_sensitive",
    "redact",
    "scan",
    "scan_with_previous",
    "shannon_entropy",
]
