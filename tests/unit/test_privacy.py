"""bot.privacy: what counts as a secret or personal data, and what must not."""

from __future__ import annotations

import itertools
import json
import random
import string
import time
from pathlib import Path

import pytest

from bot.privacy import Finding, describe, is_sensitive, redact, scan

CORPUS = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "privacy_corpus.jsonl"

_rng = random.Random(7)


def fake(n: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    """A random-looking token body. Built at run time so no literal token sits in the repo."""
    return "".join(_rng.choice(alphabet) for _ in range(n))


UPPER = string.ascii_uppercase + string.digits
HEX = "0123456789abcdef"

AWS_ID = "AKIA" + fake(16, UPPER)
AWS_SECRET = fake(40, string.ascii_letters + string.digits + "/+")
GHP = "ghp_" + fake(36)
GITHUB_PAT = "github_pat_" + fake(22) + "_" + fake(59)
GLPAT = "glpat-" + fake(20)
XOXB = f"xoxb-{fake(12, string.digits)}-{fake(13, string.digits)}-{fake(24)}"
XAPP = f"xapp-1-A{fake(10, UPPER)}-{fake(13, string.digits)}-{fake(64, HEX)}"
SLACK_HOOK = f"https://hooks.slack.com/services/T{fake(8, UPPER)}/B{fake(10, UPPER)}/{fake(24)}"
OPENAI = "sk-proj-" + fake(48)
ANTHROPIC = "sk-ant-api03-" + fake(90)
STRIPE = "sk_" + "live_" + fake(32)
GOOGLE = "AIza" + fake(35)
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"  # {"alg":"HS256","typ":"JWT"}
    ".eyJzdWIiOiJ1XzEyMyIsInJvbGUiOiJhZG1pbiJ9." + fake(43)  # {"sub":"u_123","role":"admin"}
)
PEM_BODY = "\n".join(fake(64, string.ascii_letters + string.digits + "+/") for _ in range(4))
RSA_KEY = f"-----BEGIN RSA PRIVATE KEY-----\n{PEM_BODY}\n-----END RSA PRIVATE KEY-----"
OPENSSH_KEY = f"-----BEGIN OPENSSH PRIVATE KEY-----\n{PEM_BODY}\n-----END OPENSSH PRIVATE KEY-----"
HEX32 = fake(32, HEX)
TOKEN24 = fake(24)


# (message, kind, the exact text the finding must cover)
POSITIVES = [
    (f"boto3 fails with key {AWS_ID}, why?", "aws_access_key", AWS_ID),
    (f"aws_secret_access_key = {AWS_SECRET}", "aws_secret_key", AWS_SECRET),
    (f"my token {GHP} stopped working", "github_token", GHP),
    (f'curl -H "Authorization: token {GITHUB_PAT}" https://api.github.com', "github_token", GITHUB_PAT),
    (f"git clone https://oauth2:{GLPAT}@gitlab.com/acme/infra.git", "gitlab_token", GLPAT),
    (f"SLACK_BOT_TOKEN={XOXB}", "slack_token", XOXB),
    (f"socket mode app token: {XAPP}", "slack_token", XAPP),
    (f"post alerts to {SLACK_HOOK} please", "slack_webhook", SLACK_HOOK),
    (f'client = OpenAI(api_key="{OPENAI}")', "openai_key", OPENAI),
    (f"ANTHROPIC_API_KEY={ANTHROPIC}", "anthropic_key", ANTHROPIC),
    (f"stripe.api_key = '{STRIPE}'", "stripe_key", STRIPE),
    (f"maps key: {GOOGLE}", "google_api_key", GOOGLE),
    (f"my key:\n{RSA_KEY}\nwhy does nginx reject it?", "private_key", RSA_KEY),
    (f"{OPENSSH_KEY}", "private_key", OPENSSH_KEY),
    (f"why does the API reject {JWT}?", "jwt", JWT),
    (f"Authorization: Bearer {TOKEN24}", "bearer_token", TOKEN24),
    ("DATABASE_URL=postgres://app:S3cr3tPa55@db.prod.internal:5432/orders", "url_credentials", "S3cr3tPa55"),
    ("my password is hunter2", "password", "hunter2"),
    ("the wifi password for the office is Tr0ub4dor&3.", "password", "Tr0ub4dor&3"),
    ("pw: 8hJ#kq2LmX", "password", "8hJ#kq2LmX"),
    ("POSTGRES_PASSWORD=s3cr3t-Pr0d", "password", "s3cr3t-Pr0d"),
    ('{"username": "ops", "password": "Qz7!mK2pLx"}', "password", "Qz7!mK2pLx"),
    ("database:\n  password: changeme\n", "password", "changeme"),  # weak is still a password
    ("mysql -uroot -pS3cret! shop", "password", "S3cret!"),
    (f"API_KEY={HEX32}", "generic_secret", HEX32),
    (f"curl -H 'X-Api-Key: {TOKEN24}' https://api.acme.dev", "generic_secret", TOKEN24),
    (f"./sync --token {TOKEN24} --dry-run", "generic_secret", TOKEN24),
    (f"here's my key {HEX32} for the weather API", "generic_secret", HEX32),
    ("reach me at jane.doe@acme-corp.io", "email", "jane.doe@acme-corp.io"),
    ("call me at (415) 555-2671 when you land", "phone", "(415) 555-2671"),
    ("the London office is +44 20 7123 4567", "phone", "+44 20 7123 4567"),
    ("card 4526 0181 5908 3012 was declined", "payment_card", "4526 0181 5908 3012"),
    ("amex 3799 603082 46287", "payment_card", "3799 603082 46287"),
    ("charged twice on 6011194821993511", "payment_card", "6011194821993511"),
    ("wire it to DE33 2024 4418 5218 6726 42 please", "iban", "DE33 2024 4418 5218 6726 42"),
    ("IBAN GB85LOYD48782606870709", "iban", "GB85LOYD48782606870709"),
    ("my SSN is 536-22-1234", "us_ssn", "536-22-1234"),
    ("social security number 536 22 1234", "us_ssn", "536 22 1234"),
]


@pytest.mark.parametrize(("text", "kind", "value"), POSITIVES, ids=[p[1] for p in POSITIVES])
def test_positive_kind_and_span(text: str, kind: str, value: str) -> None:
    findings = scan(text)
    assert is_sensitive(findings)
    spans = [(f.kind, text[f.start : f.end]) for f in findings]
    assert (kind, value) in spans


NEGATIVES = [
    "key points from today's meeting: ship on Friday",
    "can you explain the token economy idea?",
    "reset your password in the portal",
    "what is a good password policy?",
    "my password is expired and the reset link fails",
    "the password must be at least 12 characters long",
    "set OPENAI_API_KEY=sk-... in your .env",
    "Authorization: Bearer <YOUR_TOKEN>",
    "password: ${DB_PASSWORD}",
    "DB_PASSWORD=****",
    "api_key: xxxx-xxxx-xxxx-xxxx",
    "OPENAI_API_KEY=your-api-key-here",
    "export GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
    "export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
    "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    'api_key = os.environ["OPENAI_API_KEY"]',
    "password = request.form['password']",
    "secret_key = settings.SECRET_KEY",
    "def login(user: str, password: str) -> Token:",
    "if not password:\n    raise ValueError('password required')",
    "DATABASE_URL=postgres://user:password@localhost:5432/app",
    "max_tokens: 4096",
    "idempotency_key: 7c9e6679-7425-40de-944b-e07fc1f90ae7",
    "request 3f2b8c9e-4d1a-4b7e-9c2f-8a6d5e4b3c21 failed",
    "reverted in 9fceb02d0ae598e95dc970b74767f19372d61af8",
    "sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "upgrade from 1.2.3 to 2.10.0",
    "order #12345678 never arrived",
    "my order number is 4155552671",
    "the release is planned for 2024-06-14",
    "we sold 1234567 units",
    "INT_MAX is 2147483647",
    "ping 192.168.1.100 and 10.0.0.12",
    "send a test mail to bob@example.com or ops@staging.test",
    "questions? write to support@stripe.com",
    "4111 1111 1111 1112 fails Luhn",
    "IBAN DE89 3704 0044 0532 0130 01",
    "is 123-45-6789 a valid SSN format?",
    "the serial is 987-65-4321",
    "-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----",
    "STRIPE_PUBLISHABLE_KEY=pk_live_51Hx8KqL2mN9pR4tV7wY0bC3dE5fG",
    "eyJhbGciOi... is how every JWT starts",
    "the token expired at 12:30",
]


@pytest.mark.parametrize("text", NEGATIVES)
def test_negative_not_sensitive(text: str) -> None:
    findings = scan(text)
    assert not is_sensitive(findings), [(f.kind, text[f.start : f.end]) for f in findings]


def test_redact_replaces_only_the_secret() -> None:
    text = "DATABASE_URL=postgres://app:S3cr3tPa55@db.internal:5432/orders, ping jane@acme.io"
    assert redact(text, scan(text)) == (
        "DATABASE_URL=postgres://app:[REDACTED:url_credentials]@db.internal:5432/orders, ping [REDACTED:email]"
    )


def test_redact_without_findings_is_identity() -> None:
    assert redact("nothing here", []) == "nothing here"


def test_redact_skips_overlapping_spans() -> None:
    text = "abcdefgh"
    findings = [Finding("email", "personal", 0, 4, 0.9), Finding("phone", "personal", 2, 6, 0.9)]
    assert redact(text, findings) == "[REDACTED:email]efgh"


@pytest.mark.parametrize(("text", "kind", "value"), POSITIVES, ids=[p[1] for p in POSITIVES])
def test_describe_and_redact_never_leak_the_value(text: str, kind: str, value: str) -> None:
    findings = scan(text)
    assert value not in describe(findings)
    assert value not in redact(text, findings)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"key {AWS_ID}, mail me at jane@acme.io", "a secret (AWS access key) and an e-mail address"),
        ("call (415) 555-2671 or +44 20 7123 4567", "2 phone numbers"),
        (f"{GHP} and password: Qz7!mK2pLx", "2 secrets (GitHub token, password)"),
        ("IBAN DE33 2024 4418 5218 6726 42, SSN 536-22-1234", "an IBAN and a US social security number"),
        ("hello there", "nothing sensitive"),
    ],
)
def test_describe(text: str, expected: str) -> None:
    assert describe(scan(text)) == expected


def test_findings_are_sorted_non_overlapping_and_categorised() -> None:
    text = f"{GHP} jane@acme.io {AWS_ID} card 4526 0181 5908 3012 token={GHP}"
    findings = scan(text)
    assert [f.start for f in findings] == sorted(f.start for f in findings)
    assert all(a.end <= b.start for a, b in itertools.pairwise(findings))
    assert {f.kind: f.category for f in findings} == {
        "github_token": "secret",
        "email": "personal",
        "aws_access_key": "secret",
        "payment_card": "personal",
    }
    assert all(0.0 <= f.confidence <= 1.0 for f in findings)


def test_overlap_keeps_the_more_specific_finding() -> None:
    # Both the assignment rule and the GitHub rule match the value; the GitHub one is surer.
    findings = scan(f"export GITHUB_TOKEN={GHP}")
    assert [f.kind for f in findings] == ["github_token"]


def test_role_mailbox_is_reported_but_not_sensitive() -> None:
    findings = scan("write to support@stripe.com")
    assert [f.kind for f in findings] == ["email"]
    assert not is_sensitive(findings)


def test_is_sensitive_threshold() -> None:
    assert is_sensitive([Finding("email", "personal", 0, 1, 0.5)])
    assert not is_sensitive([Finding("email", "personal", 0, 1, 0.49)])
    assert not is_sensitive([])


def _corpus() -> list[dict]:
    with CORPUS.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def test_corpus_precision_and_recall_gate() -> None:
    rows = _corpus()
    assert len(rows) >= 120
    tp = fp = fn = 0
    for row in rows:
        flagged = is_sensitive(scan(row["text"]))
        tp += flagged and row["sensitive"]
        fp += flagged and not row["sensitive"]
        fn += not flagged and row["sensitive"]
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert precision >= 0.95, f"precision {precision:.3f}"
    assert recall >= 0.95, f"recall {recall:.3f}"


def test_scan_is_fast_on_ordinary_text() -> None:
    para = (
        "Hi team, we shipped 2.4.1 on 2024-03-12 and latency dropped 35%. Key points: the token "
        "budget is 4096 and order #12345678 was refunded. Reset your password in the portal. "
        "See commit 9fceb02d0ae598e95dc970b74767f19372d61af8. Thanks!\n"
    )
    text = (para * 50)[:10_240]
    scan(text)  # warm up
    best = min(_timed(scan, text) for _ in range(5))
    assert best < 0.015, f"{best * 1e3:.1f} ms for 10 KB"  # ~1.5 ms locally; slack for slow CI


@pytest.mark.parametrize(
    "text",
    ["1" * 20_000, "1 " * 10_000, "a@" * 10_000, "key=" * 5_000, "password is " * 2_000, "curl -u " * 3_000]
    + ["mysql " * 3_000 + "-p", "--token " * 3_000, "eyJ" * 7_000, "-----BEGIN PRIVATE KEY-----" * 500],
    ids=lambda t: repr(t[:12]),
)
def test_scan_has_no_pathological_slowdown(text: str) -> None:
    assert _timed(scan, text) < 0.1  # each is ~1-10 ms; catastrophic backtracking would be seconds


def _timed(fn, arg) -> float:
    start = time.thread_time()
    fn(arg)
    return time.thread_time() - start
