"""Tokens of services whose keys carry a documented prefix (Telegram, Hugging Face, DigitalOcean, …).

One row per format: (prefix hint, pattern). The prefix is the strong signal; the body must look
random (``_looks_random``), which rejects fillers such as ``hf_xxxxxxxx…``. Each pattern starts
with a literal so re can skip ahead to it; the rule is skipped on text without its hint. The
formats form one rule group: a single gate regex finds where any of them can start, so ordinary
text costs one pass instead of a hint test and a search per format.
"""

from __future__ import annotations

import re

from bot.privacy.common import _looks_random, _prefixed
from bot.privacy.rule import Rule, _rx

_B = r"(?![\w-])"  # the token ends here

# (hint, pattern with a ``body`` group); formats from each vendor's documentation.
_FORMATS: tuple[tuple[str, str], ...] = (
    ("hf_", r"h(?<!\w.)f_(?P<body>[A-Za-z0-9]{30,40})" + _B),  # Hugging Face
    ("_v1_", r"d(?<!\w.)o[por]_v1_(?P<body>[a-f0-9]{64})" + _B),  # DigitalOcean
    ("shp", r"s(?<!\w.)hp(?:at|ca|pa|ss)_(?P<body>[a-fA-F0-9]{32})" + _B),  # Shopify
    ("ntn_", r"n(?<!\w.)tn_(?P<body>[A-Za-z0-9]{40,50})" + _B),  # Notion
    ("secret_", r"s(?<!\w.)ecret_(?P<body>[A-Za-z0-9]{43})" + _B),  # Notion (older)
    ("hvs.", r"h(?<!\w.)v[sbr]\.(?P<body>[A-Za-z0-9_-]{24,})" + _B),  # HashiCorp Vault
    ("glsa_", r"g(?<!\w.)lsa_(?P<body>[A-Za-z0-9]{32}_[a-fA-F0-9]{8})" + _B),  # Grafana service account
    ("glc_", r"g(?<!\w.)lc_(?P<body>[A-Za-z0-9+/]{32,}={0,2})"),  # Grafana Cloud
    ("lin_api_", r"l(?<!\w.)in_api_(?P<body>[A-Za-z0-9]{40})" + _B),  # Linear
    ("pmak-", r"P(?<!\w.)MAK-(?P<body>[a-f0-9]{24}-[a-f0-9]{34})" + _B),  # Postman
    ("dapi", r"d(?<!\w.)api(?P<body>[a-f0-9]{32})(?:-\d)?" + _B),  # Databricks
    ("gsk_", r"g(?<!\w.)sk_(?P<body>[A-Za-z0-9]{48,})" + _B),  # Groq
    ("sk-or-", r"s(?<!\w.)k-or-v1-(?P<body>[a-f0-9]{64})" + _B),  # OpenRouter
    ("r8_", r"r(?<!\w.)8_(?P<body>[A-Za-z0-9]{37})" + _B),  # Replicate
    ("age-secret-key-", r"A(?<!\w.)GE-SECRET-KEY-1(?P<body>[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})" + _B),
    ("atatt", r"A(?<!\w.)TATT3(?P<body>[A-Za-z0-9_=-]{150,})"),  # Atlassian API token
    ("atbb", r"A(?<!\w.)TBB(?P<body>[A-Za-z0-9_=.-]{32,})" + _B),  # Bitbucket app password
    ("key-", r"k(?<!\w.)ey-(?P<body>[a-f0-9]{32})" + _B),  # Mailgun (older)
    ("hrku-", r"H(?<!\w.)RKU-(?P<body>[A-Za-z0-9_-]{60})" + _B),  # Heroku
    ("dp.", r"d(?<!\w.)p\.(?:st|ct|sa|scim|audit|pt)\.(?P<body>[A-Za-z0-9_-]{40,})"),  # Doppler
    ("sntry", r"s(?<!\w.)ntry[su]_(?P<body>[A-Za-z0-9+/=_]{60,})"),  # Sentry
    ("pscale_", r"p(?<!\w.)scale_(?:tkn|pw|oauth)_(?P<body>[A-Za-z0-9_.-]{32,})"),  # PlanetScale
    ("sbp_", r"s(?<!\w.)bp_(?P<body>[a-f0-9]{40})" + _B),  # Supabase
    ("pul-", r"p(?<!\w.)ul-(?P<body>[a-f0-9]{40})" + _B),  # Pulumi
    ("sq0", r"s(?<!\w.)q0(?:atp|csp)-(?P<body>[A-Za-z0-9_-]{22,43})" + _B),  # Square
    ("figd_", r"f(?<!\w.)igd_(?P<body>[A-Za-z0-9_-]{40,})"),  # Figma
    ("fo1_", r"f(?<!\w.)o1_(?P<body>[A-Za-z0-9_-]{43})" + _B),  # Fly.io
    ("nfp_", r"n(?<!\w.)fp_(?P<body>[A-Za-z0-9]{36})" + _B),  # Netlify
    ("pplx-", r"p(?<!\w.)plx-(?P<body>[A-Za-z0-9]{48})" + _B),  # Perplexity
    ("xai-", r"x(?<!\w.)ai-(?P<body>[A-Za-z0-9]{70,90})" + _B),  # xAI
    ("tskey-", r"t(?<!\w.)skey-(?:auth|api|client)-(?P<body>[A-Za-z0-9]{8,}-[A-Za-z0-9]{16,})" + _B),  # Tailscale
    ("cfpat-", r"C(?<!\w.)FPAT-(?P<body>[A-Za-z0-9_-]{43})" + _B),  # Contentful
    ("dckr_pat_", r"d(?<!\w.)ckr_pat_(?P<body>[A-Za-z0-9_-]{27})" + _B),  # Docker Hub
    ("nrak-", r"N(?<!\w.)RAK-(?P<body>[A-Z0-9]{27})" + _B),  # New Relic
    ("rubygems_", r"r(?<!\w.)ubygems_(?P<body>[a-f0-9]{48})" + _B),
    ("pcsk_", r"p(?<!\w.)csk_(?P<body>[A-Za-z0-9_]{50,})" + _B),  # Pinecone
    ("lsv2_", r"l(?<!\w.)sv2_(?:pt|sk)_(?P<body>[a-f0-9]{32}_[a-f0-9]{10})" + _B),  # LangSmith
    ("ya29.", r"y(?<!\w.)a29\.(?P<body>[A-Za-z0-9_-]{50,})"),  # Google OAuth access token
    ("1//0", r"1(?<!\w.)//0(?P<body>[A-Za-z0-9_-]{40,})"),  # Google OAuth refresh token
    ("eaa", r"E(?<!\w.)AA[A-Z][A-Za-z0-9]*(?P<body>[A-Za-z0-9]{90,})" + _B),  # Facebook / Meta
    ("ltai", r"L(?<!\w.)TAI(?P<body>[A-Za-z0-9]{20})" + _B),  # Alibaba Cloud
    ("akid", r"A(?<!\w.)KID(?P<body>[A-Za-z0-9]{32})" + _B),  # Tencent Cloud
    ("whsec_", r"w(?<!\w.)hsec_(?P<body>[A-Za-z0-9+/=]{32,})"),  # Stripe / Svix webhook secret
    ("xkeysib-", r"x(?<!\w.)keysib-(?P<body>[a-f0-9]{64}-[A-Za-z0-9]{16})" + _B),  # Brevo
    ("re_", r"r(?<!\w.)e_(?P<body>[A-Za-z0-9]{8}_[A-Za-z0-9]{20,})" + _B),  # Resend
    ("sk-lf-", r"s(?<!\w.)k-lf-(?P<body>[a-f0-9-]{36})" + _B),  # Langfuse
    ("bkua_", r"b(?<!\w.)kua_(?P<body>[a-f0-9]{40})" + _B),  # Buildkite
    ("oy2", r"o(?<!\w.)y2(?P<body>[a-z0-9]{43})" + _B),  # NuGet
    ("glptt-", r"g(?<!\w.)lptt-(?P<body>[a-f0-9]{40})" + _B),  # GitLab trigger token
    ("sk.ey", r"s(?<!\w.)k\.eyJ(?P<body>[A-Za-z0-9_-]{50,}\.[A-Za-z0-9_-]{20,})"),  # Mapbox secret token
)


def _telegram(m: re.Match[str]) -> float | None:
    return 0.95 if _looks_random(m.group("body"), min_distinct=12) else None


_HEAD = re.compile(r"(.)\(\?<!\\w\.\)")  # every format starts "X(?<!\w.)": a letter at a word start


def _gate(patterns: list[str]) -> re.Pattern[str]:
    """A regex matching one character wherever one of ``patterns`` can start: a first letter at a
    word start, followed by the pattern's prefix (up to the body). It consumes only that letter,
    from a class re can skip ahead to, so finditer sees every start; the prefixes are grouped by
    first letter in a look-behind (the spelling of ``rule.first_char_trie``)."""
    rests: dict[str, list[str]] = {}
    for pattern in patterns:
        head = _HEAD.match(pattern)
        assert head is not None, pattern
        rests.setdefault(head.group(1), []).append(pattern[head.end() : pattern.index("(?P<body>")])
    prefixes = "|".join(f"{re.escape(first)}(?:{'|'.join(rest)})" for first, rest in rests.items())
    firsts = "".join(re.escape(first) for first in rests)
    return _rx(f"[{firsts}](?<!\\w.)(?<=(?={prefixes}).)")


_MEMBERS = tuple(Rule("service_token", _rx(pattern), _prefixed(0.95), hints=(hint,)) for hint, pattern in _FORMATS)

RULES: tuple[Rule, ...] = (
    # Skipped, like its members were, on text holding none of their hints (most chat messages).
    Rule(
        "service_token",
        _gate([p for _, p in _FORMATS]),
        _prefixed(0.95),
        hints=tuple(h for h, _ in _FORMATS),
        members=_MEMBERS,
    ),
    # Telegram bot token: the bot's numeric id, ":", then 35 characters (they start "AA" today).
    Rule(
        "service_token",
        _rx(r"\d(?<![\w:].)\d{7,10}:(?P<body>[A-Za-z0-9_-]{35})(?![\w-])"),
        _telegram,
        digit=True,
        anchor=":",
        offset=(8, 11),
    ),
    # Stripe secret and restricted keys, live and test mode: a test key still opens the test
    # account's data and settings. Publishable keys (pk_) are public by design.
    Rule(
        "stripe_key",
        _rx(r"[sr](?<!\w.)k_(?:live|test)_(?P<body>[A-Za-z0-9]{20,})\b"),
        _prefixed(0.95),
        hints=("k_live_", "k_test_"),
    ),
)
