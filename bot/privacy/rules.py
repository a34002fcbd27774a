"""The rule table: (kind, regex, validator), the first place to look when a kind is missed or over-reported."""

from __future__ import annotations

import re

from bot.privacy import addresses, context_rules, ids, key_rules, service_tokens, token_shape
from bot.privacy.cards import _check_card
from bot.privacy.common import _at_word_start, _looks_random, _not_example, _prefixed
from bot.privacy.personal_rules import (
    _STREET_TYPES,
    _check_address,
    _check_email,
    _check_first_person,
    _check_iban,
    _check_nino,
    _check_phone,
    _check_ssn,
)
from bot.privacy.rule import Rule, _ci, _rx, _rx_ci
from bot.privacy.secret_rules import (
    _check_aws_secret,
    _check_bearer,
    _check_jwt,
    _check_login_pair,
    _check_password_assignment,
    _check_password_value,
    _check_private_key,
    _check_prose_password,
    _check_prose_secret,
    _check_secret_assignment,
    _check_url_password,
)


def _assignment(name_words: str) -> re.Pattern[str]:
    """``name = value`` where the name contains one of ``name_words``: code, .env, JSON, YAML,
    shell ``export``, HTTP headers (``X-Api-Key: v``) and CLI flags (``--token v``).

    The match starts at the keyword rather than at the start of the name so that re can use
    its fast first-character search; ``_assigned_value`` recovers the full name."""
    return _rx_ci(
        name_words,
        r"""(?P<tail>[\w.-]*)["']?\]?  # config['SECRET_KEY'] = …
            (?:(?P<op>[ \t]*(?::=|=>|=|:)[ \t]*)|(?P<space>[ \t]+))  # not across lines: "if pwd:\n"
            (?:(?P<qc>["'`])(?P<q>[^"'`\n]{1,200})(?P=qc)
              # a bare word followed by ":" or "=" is the next name ("credentials: secret_key_base: v")
              |(?P<bare>(?>[^\s"'`,;<>)}\]]{0,199}[^\s"'`,;<>)}\].:?])(?![:=])))""",
    )


# Speed: ``X(?<!\w.)`` is a word boundary checked *after* the first character. Unlike a leading
# ``\b`` it lets re skip ahead with its fast first-character search, which makes most rules
# nearly free on text that does not contain their prefix. For the same reason case-insensitive
# keywords are written with ``_ci``/``_rx_ci`` rather than a leading ``(?i)``, and patterns that
# must start with a broad class (e-mail, URL) carry an ``anchor``. ``hints`` and ``digit`` let the
# scanner skip a rule on text that cannot match it; they must be necessary for a match.
RULES: tuple[Rule, ...] = (
    Rule("aws_access_key", _rx(r"A(?<!\w.)(?:KIA|SIA)[0-9A-Z]{16}\b"), _not_example(0.95), hints=("akia", "asia")),
    Rule(
        "aws_secret_key",
        _rx_ci(
            "aws_?secret_?(?:access_?)?key|secret_?access_?key",
            r"""["']?\s*(?:=|:|=>)\s*["']?
                (?P<value>[A-Za-z0-9/+=]{40})(?![A-Za-z0-9/+=])""",
        ),
        _check_aws_secret,
        groups=("value",),
        hints=("secret",),
    ),
    Rule(
        "github_token",
        _rx(r"g(?<!\w.)(?:h[pousr]_(?P<body>[A-Za-z0-9]{36,251})|ithub_pat_(?P<pat>[A-Za-z0-9_]{60,}))\b"),
        lambda m: 0.98 if _looks_random(m.group("body") or m.group("pat")) else None,
        hints=("gh", "github_pat_"),
    ),
    Rule("gitlab_token", _rx(r"g(?<!\w.)lpat-(?P<body>[A-Za-z0-9_-]{20,})"), _prefixed(0.98), hints=("glpat-",)),
    Rule(
        "slack_token",
        _rx(r"x(?<!\w.)(?:ox[abposer](?:\.xox[bp])?-|app-)(?P<body>[A-Za-z0-9-]{10,})"),
        _prefixed(0.98),
        hints=("xox", "xapp-"),
    ),
    Rule(
        "slack_webhook",
        _rx(r"https?://hooks\.slack\.com/(?:services|workflows|triggers)/(?P<body>[A-Za-z0-9_/]{20,})"),
        _prefixed(0.97),
        hints=("hooks.slack.com",),
    ),
    Rule(
        "discord_webhook",
        _rx(r"https?://(?:\w+\.)?discord(?:app)?\.com/api/webhooks/\d{15,20}/(?P<body>[A-Za-z0-9_-]{40,})"),
        _prefixed(0.97),
        hints=("/api/webhooks/",),
    ),
    Rule(
        "discord_token",
        _rx(r"[MNO](?<!\w.)[A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.(?P<body>[A-Za-z0-9_-]{27,40})\b"),
        _prefixed(0.9),
        hints=(".",),
    ),
    Rule("anthropic_key", _rx(r"s(?<!\w.)k-ant-(?P<body>[A-Za-z0-9_-]{20,})"), _prefixed(0.98), hints=("sk-ant-",)),
    Rule(
        "openai_key",
        _rx(r"s(?<!\w.)k-(?!ant-|or-v1-)(?:proj-|svcacct-|admin-)?(?P<body>[A-Za-z0-9_-]{20,})"),
        _prefixed(0.95),
        hints=("sk-",),
    ),
    Rule("google_api_key", _rx(r"A(?<!\w.)Iza(?P<body>[0-9A-Za-z_-]{35})(?![\w-])"), _prefixed(0.95), hints=("aiza",)),
    Rule(
        "azure_credential",
        _rx_ci("AccountKey|SharedAccessKey", r"=(?P<body>[A-Za-z0-9+/]{40,100}={0,2})"),
        _prefixed(0.95),
        groups=("body",),
        hints=("accountkey=", "sharedaccesskey="),
    ),
    Rule(  # a SAS token's signature
        "azure_credential",
        _rx_ci(r"s(?<!\w.)ig", r"=(?P<body>[A-Za-z0-9%+/]{40,100}(?:%3D|=){0,2})"),
        _prefixed(0.95),
        groups=("body",),
        hints=("sig=",),
    ),
    # Entra ID (Azure AD) client secrets: 3 chars, a digit, "Q~", then 31-34 chars.
    Rule(
        "azure_credential",
        _rx(r"(?<![\w~.-])(?P<body>[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34})(?![\w~.-])"),
        _prefixed(0.9),
        hints=("q~",),
        digit=True,
        anchor="Q~",
        offset=(4, 4),
    ),
    Rule("gcp_credential", _rx(r"G(?<!\w.)OCSPX-(?P<body>[A-Za-z0-9_-]{28})\b"), _prefixed(0.97), hints=("gocspx-",)),
    Rule("twilio_key", _rx(r"S(?<!\w.)K(?P<body>[0-9a-f]{32})\b"), _prefixed(0.9), hints=("sk",)),
    Rule(
        "sendgrid_key",
        _rx(r"S(?<!\w.)G\.(?P<body>[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})\b"),
        _prefixed(0.98),
        hints=("sg.",),
    ),
    Rule("npm_token", _rx(r"n(?<!\w.)pm_(?P<body>[A-Za-z0-9]{36})\b"), _prefixed(0.98), hints=("npm_",)),
    Rule(
        "pypi_token",
        _rx(r"p(?<!\w.)ypi-(?P<body>AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,})"),
        _prefixed(0.98),
        hints=("pypi-",),
    ),
    Rule(
        "private_key",
        _rx(
            r"""-----BEGIN[ ](?:RSA[ ]|EC[ ]|DSA[ ]|OPENSSH[ ]|ENCRYPTED[ ]|PGP[ ])?PRIVATE[ ]KEY(?:[ ]BLOCK)?-----
                (?P<body>[\s\S]*?)
                (?:-----END[ ][A-Z ]*PRIVATE[ ]KEY(?:[ ]BLOCK)?-----|\Z)"""
        ),
        _check_private_key,
        hints=("private key",),
    ),
    Rule(
        "jwt",
        _rx(r"(?P<header>e(?<!\w.)[wy][A-Za-z0-9_-]{8,})\.e[wy][A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"),
        _check_jwt,
        hints=("ey",),
    ),
    Rule(
        "bearer_token",
        _rx_ci(
            r"""a(?<!\w.)uthorization["']?\s*[:=]\s*["']?(?:bearer|basic|token|bot)|b(?<!\w.)earer""",
            r"""\s+(?P<value>[A-Za-z0-9._~+/-]{16,}=*)""",
        ),
        _check_bearer,
        groups=("value",),
        hints=("bearer", "authorization"),
    ),
    Rule(
        "url_credentials",
        _rx(r"\b[a-zA-Z][a-zA-Z0-9+.-]{1,15}://[^\s:/@]{0,64}:(?P<password>[^\s@/]{1,128})@(?P<host>[\w.-]+)"),
        _check_url_password,
        groups=("password",),
        hints=("://",),
        anchor="://",  # after a scheme of 2 to 16 characters
        offset=(2, 16),
    ),
    # "my password is X", "the wifi password for the office is X"
    Rule(
        "password",
        _rx_ci(
            "password|passwd|passphrase|passcode|pass|pwd|pw",  # word start: see validator
            r"""(?:\s+(?:for|to|of|on|at)(?:\s+[\w@.'-]+){1,4}?)?
                \s+(?:is|was)(?:\s+(?:now|still|just|actually))?\s*:?\s+
                (?P<quote>["'`])?(?P<value>[^\s"'`]*[^\s"'`.,;:?)])""",
        ),
        _check_prose_password,
        groups=("value",),
        hints=("pass", "pw"),
    ),
    # Command lines that take a password as a short flag: mysql -pX, redis-cli -a X,
    # docker login -p X, sshpass -p X, curl -u user:X.
    Rule(
        "password",
        _rx(
            r"""(?:m(?<!\w.)ysql\w*[^\n]{0,200}?[ ]-p(?=[^\s-])         # mysql: -pSECRET, never "-p SECRET"
                |s(?<!\w.)shpass[^\n]{0,200}?[ ]-[pa][ ]+            # one command per alternative: each
                |d(?<!\w.)ocker[ ]login[^\n]{0,200}?[ ]-[pa][ ]+      # starts with a letter, so re can
                |p(?<!\w.)odman[ ]login[^\n]{0,200}?[ ]-[pa][ ]+      # skip ahead to those letters
                |r(?<!\w.)edis-cli[^\n]{0,200}?[ ]-[pa][ ]+
                |c(?<!\w.)url[^\n]{0,200}?[ ](?:-u|--user)[ ]+[^\s:]{1,64}:)
                ["']?(?P<value>[^\s"']+)"""
        ),
        lambda m: _check_password_value(m.group("value"), quoted=True),
        groups=("value",),
        hints=("mysql", "sshpass", "login", "redis-cli", "curl"),
    ),
    # "login is admin / Sup3rS3cret!", "creds: deploy:Tr0ub4dor", "user root pass toor"
    Rule(
        "password",
        _rx_ci(
            "login|logins|creds|credentials|user(?:name)?|account",  # no \b (speed): see _at_word_start
            r"""(?:[ ]+(?:for|on|to|of)(?:[ ]+[\w.-]+){1,3}?)?(?:[ ]+(?:is|are|was))?[ ]*[:=]?[ ]*
                (?P<user>[\w.@+-]{1,64})(?:[ ]+/[ ]+|[ ]+(?:pass(?:word)?|pw|pwd)[ ]*[:=]?[ ]*)
                (?P<value>[^\s"'`]*[^\s"'`.,;:?)])""",
        ),
        _at_word_start(_check_login_pair),
        groups=("value",),
        hints=("login", "cred", "user", "account"),
    ),
    # name = value in code, config, .env, JSON, YAML, shell, CLI flags and headers.
    Rule(
        "password",
        _assignment(r"pass(?:w(?:or)?d|phrase)?|pwd|pw"),
        _check_password_assignment,
        groups=("q", "bare"),
        hints=("pass", "pw"),
    ),
    Rule(
        "generic_secret",
        _assignment(r"key|token|secret|credentials?"),
        _check_secret_assignment,
        groups=("q", "bare"),
        hints=("key", "token", "secret", "credential"),
    ),
    # "my api key is 9c1f…", "here's the token 3fA9…": a secret named in prose, no = or :.
    Rule(
        "generic_secret",
        _rx_ci(
            "key|token|secret",  # no \b (speed): the validator checks the word start
            r"""(?:[ ]+(?:is|was))?[ ]+["'`]?(?P<value>[A-Za-z0-9_\-+/=.~]{15,199}[A-Za-z0-9_\-+/=~])""",
        ),
        _check_prose_secret,
        groups=("value",),
        hints=("key", "token", "secret"),
    ),
    Rule(
        "payment_card",
        _rx(r"\d(?<![\w.+-].)(?:[ -]?\d){12,18}(?![\w.-]?\d)"),
        _check_card,
        digit=True,
        gate="card",
    ),
    Rule(
        "iban",
        _rx(r"[A-Z](?<!\w.)[A-Z]\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,3})?\b"),
        _check_iban,
        digit=True,
        gate="iban",
    ),
    Rule(
        "us_ssn",
        _rx(r"(?P<ssn>\d(?<![\w-].)\d\d-\d\d-\d{4})(?![\w-])(?P<ctx>)"),
        _check_ssn,
        digit=True,
        gate="ssn",
    ),
    # Without dashes an SSN is just nine digits, so only right after "SSN"/"social security".
    Rule(
        "us_ssn",
        _rx(
            "(?P<ctx>"
            + _ci(r"s(?<!\w.)sn|s(?<!\w.)ocial[ ]security(?:[ ]number|[ ]no\.?)?|s(?<!\w.)ocial")
            + r""")(?i:(?:[ ]+(?:is|was))?[ ]*[:#]?[ ]*(?P<ssn>\d{3}(?P<sep>[ ]?)\d{2}(?P=sep)\d{4})(?![\w-]))"""
        ),
        _check_ssn,
        groups=("ssn",),
        hints=("ssn", "social"),
        digit=True,
    ),
    Rule(
        "email",
        _rx(
            r"""(?<![\w.%+-])(?P<local>[A-Za-z0-9][A-Za-z0-9._%+-]{0,63})@
                (?P<domain>[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.)+[A-Za-z]{2,24})\b"""
        ),
        _check_email,
        hints=("@",),
        anchor="@",  # the local part is at most 64 characters; neither part contains "@"
        reach=64,
    ),
    Rule(
        "phone",
        # Reads as: not after [\w@#$€£.,/+-], then (\+\d{1,3}[ .-]?)? (\(\d{1,4}\)[ .-]?)? BODY, where
        # BODY is \d{7,15} | \d{1,6}([ .-]\d{1,8}){1,5} (a separator is required: no backtracking
        # blow-up). It is spelled out per first character ("+", "(" or a digit) so that the match
        # starts with a character class and re can skip ahead to it.
        _rx(
            r"""[+(\d](?<![\w@#$€£.,/+-].)
                (?:(?<=\+)\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?(?:\d{7,15}|\d{1,6}(?:[ .-]\d{1,8}){1,5})
                  |(?<=\()\d{1,4}\)[ .-]?(?:\d{7,15}|\d{1,6}(?:[ .-]\d{1,8}){1,5})
                  |(?<=\d)(?:\d{6,14}|\d{0,5}(?:[ .-]\d{1,8}){1,5}))
                (?![\w.-]?\d)"""
        ),
        _check_phone,
        digit=True,
        gate="phone",
    ),
    Rule(
        "uk_nino",
        _rx(
            r"""(?P<prefix>[A-CEGHJ-PR-TW-Z](?<![\w-].)[A-CEGHJ-NPR-TW-Z])[ ]?\d{2}[ ]?\d{2}[ ]?\d{2}[ ]?[A-D]
                (?![\w-])"""
        ),
        _check_nino,
        digit=True,
        gate="nino",
    ),
    # A postal address tied to a person: "I live at 42 Elm Street, Springfield", "ship it to 9 Rue ..."
    # The regex finds the address itself (it starts with a digit: few places to try); the validator
    # looks for the words that tie it to a person just before it.
    Rule(
        "postal_address",
        _rx(
            r"""\d(?<![\w-].)\d{0,4}[a-zA-Z]?,?[ ]+(?:[A-Z][\w'.-]*[ ]+){1,4}(?i:"""
            + _STREET_TYPES
            + r""")\b\.?(?:,?[ ]+(?i:apt|flat|unit|suite)\.?[ ]*\w+)?(?:,[ ]*[A-Z][a-z'.-]+(?:[ ]+[A-Z][a-z'.-]+){0,3})?
                (?:,?[ ]+(?:[A-Z]{2}[ ]+)?\d{5}(?:-\d{4})?|,?[ ]+[A-Z]{1,2}\d[A-Z\d]?[ ]?\d[A-Z]{2})?"""
        ),
        _check_address,
        # Necessary substrings of the context words (the verbs are followed by a space).
        hints=("live", "moved ", "stay", "reside", "address", "ship ", "send ", "deliver ", "mail ", "post "),
        digit=True,
    ),
    # First-person health and money details that a rule can recognise.
    Rule(
        "health",
        _rx_ci(
            r"""I(?:'ve|[ ]have|[ ]was|[ ]am|'m|[ ]got)?[ ]+(?:been[ ]+|just[ ]+|recently[ ]+)?diagnosed[ ]+with
                |my[ ]+(?:diagnosis|hiv[ ]+status|blood[ ]+type|medication|prescription)[ ]+(?:is|was|says)""",
            r"[ ]+(?P<value>[A-Za-z][\w' -]{2,40}[\w])",
        ),
        _at_word_start(_check_first_person),
        groups=("value",),
        hints=("diagnos", "my hiv", "my blood", "my medication", "my prescription"),
    ),
    Rule(
        "financial",
        _rx_ci(
            "my",
            r"""[ ]+(?:annual[ ]+|monthly[ ]+|yearly[ ]+|net[ ]+|gross[ ]+)?(?:salary|income|pay|debt|net[ ]+worth
                |credit[ ]+score|mortgage|savings|bank[ ]+balance|account[ ]+balance)
                [ ]+(?:is|was|of|are)[ ]+(?:about[ ]+|around[ ]+|only[ ]+|now[ ]+)?(?P<value>[$€£]?[ ]?\d[\d,.]*[ ]?[kKmM]?\b)""",
        ),
        _at_word_start(_check_first_person),
        groups=("value",),
        hints=("my ",),
        digit=True,
    ),
)

# Rules in their own modules: prefixed service tokens and Stripe keys, validated national ids and
# bank accounts, multilingual context rules, structured addresses.
RULES += service_tokens.RULES + token_shape.RULES + ids.RULES + context_rules.RULES + addresses.RULES + key_rules.RULES

# Kind-specific rules beat the catch-all ones when confidences tie.
_PRIORITY: dict[str, int] = {}
for _i, _rule in enumerate(RULES):
    _PRIORITY.setdefault(_rule.kind, _i)


def _span(rule: Rule, m: re.Match[str]) -> tuple[int, int]:
    return next(m.span(g) for g in rule.groups if m.group(g) is not None)
