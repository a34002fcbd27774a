"""Markdown (as models write it) → Slack mrkdwn, and Slack's text back to plain text. Pure.

Pages are split by adapters/common/pages.py.

Converted: fenced and inline code (left untouched inside), **bold**/__bold__, *italic*/_italic_,
~~strike~~, [links](url), images (as links), headings (bold lines), bullet and numbered lists,
block quotes, horizontal rules and tables (kept as a code block so columns stay aligned).
Slack's control characters &, < and > are escaped outside links.
"""

from __future__ import annotations

import re

FENCE = re.compile(r"^\s*(```|~~~)")
_INLINE_CODE = re.compile(r"(`+)(.+?)\1")
_LINK = re.compile(r"!?\[([^\]\n]*)\]\((\S+?)(?:\s+\"[^\"]*\")?\)")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_BOLD_ITALIC = re.compile(r"\*\*\*(?=\S)(.+?)(?<=\S)\*\*\*")
_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_ITALIC_STAR = re.compile(r"(?<![\*\w])\*(?=[^\s*])(.+?)(?<=[^\s*])\*(?![\*\w])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^(\s*)[-*+]\s+(\[[ xX]\]\s+)?(.*)$")
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_PLACEHOLDER = "\x00{}\x00"


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_mrkdwn(markdown: str) -> str:
    """Convert a Markdown answer to mrkdwn. Unclosed code fences (mid-stream) are closed."""
    out: list[str] = []
    lines = markdown.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = FENCE.match(line)
        if fence:
            block, i = _code_block(lines, i, fence.group(1))
            out.append(block)
            continue
        if _TABLE_ROW.match(line):
            rows = []
            while i < len(lines) and _TABLE_ROW.match(lines[i]):
                rows.append(lines[i].strip())
                i += 1
            kept = [escape(r) for r in rows if not re.fullmatch(r"[\s|:-]+", r)]
            out.append("```\n" + "\n".join(kept) + "\n```")
            continue
        out.append(_line(line))
        i += 1
    return "\n".join(out)


def _code_block(lines: list[str], start: int, marker: str) -> tuple[str, int]:
    body: list[str] = []
    i = start + 1
    while i < len(lines):
        if lines[i].strip().startswith(marker):
            return "```\n" + "\n".join(body) + "\n```", i + 1
        body.append(escape(lines[i]))  # Slack reads &, < and > even inside code
        i += 1
    return "```\n" + "\n".join(body) + "\n```", i


def _line(line: str) -> str:
    if _RULE.match(line):
        return "──────────"
    heading = _HEADING.match(line)
    if heading:
        return f"*{_inline(heading.group(1)).strip('*')}*"
    quote = re.match(r"^\s*>\s?(.*)$", line)
    if quote:
        return "> " + _inline(quote.group(1))
    bullet = _BULLET.match(line)
    if bullet:
        indent, box, rest = bullet.groups()
        mark = ("☑ " if box.strip()[1] in "xX" else "☐ ") if box else ""
        return f"{'    ' * (len(indent) // 2)}• {mark}{_inline(rest)}"
    numbered = re.match(r"^(\s*)(\d+)[.)]\s+(.*)$", line)
    if numbered:
        indent, number, rest = numbered.groups()
        return f"{'    ' * (len(indent) // 2)}{number}. {_inline(rest)}"
    return _inline(line)


def _inline(text: str) -> str:
    """Inline formatting; code spans and links are protected from the other rules."""
    saved: list[str] = []

    def keep(value: str) -> str:
        saved.append(value)
        return _PLACEHOLDER.format(len(saved) - 1)

    text = _INLINE_CODE.sub(lambda m: keep(f"`{escape(m.group(2).strip())}`"), text)
    text = _LINK.sub(lambda m: keep(_link(m.group(2), m.group(1))), text)
    text = _AUTOLINK.sub(lambda m: keep(f"<{m.group(1)}>"), text)
    text = escape(text)
    text = _BOLD_ITALIC.sub(lambda m: keep(f"*_{m.group(1)}_*"), text)
    text = _ITALIC_STAR.sub(lambda m: f"_{m.group(1)}_", text)
    text = _BOLD.sub(lambda m: keep(f"*{m.group(2)}*"), text)
    text = _STRIKE.sub(lambda m: f"~{m.group(1)}~", text)
    return re.sub("\x00(\\d+)\x00", lambda m: saved[int(m.group(1))], text)


def _link(url: str, label: str) -> str:
    url = url.replace("|", "%7C").replace(">", "%3E")
    label = escape(label.replace("|", "¦"))
    return f"<{url}|{label}>" if label and label != url else f"<{url}>"


# --- incoming -------------------------------------------------------------------

_ENTITY = re.compile(r"<([@#!])?([^>|]+)(?:\|([^>]*))?>")


def from_slack(text: str, names: dict[str, str] | None = None) -> str:
    """A Slack message as plain text for the model: mentions by name, links as URLs, entities decoded."""
    names = names or {}

    def entity(m: re.Match[str]) -> str:
        sigil, target, label = m.group(1), m.group(2), m.group(3)
        if sigil == "@":
            return "@" + (label or names.get(target) or target)
        if sigil == "#":
            return "#" + (label or target)
        if sigil == "!":
            return label if label and label.startswith("@") else "@" + (label or target.split("^")[0])
        url = target.removeprefix("mailto:")
        return f"{label} ({url})" if label and label != url else url

    text = _ENTITY.sub(entity, text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def mentioned_users(text: str) -> list[str]:
    return re.findall(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>", text)
