"""Readable text from what a server sent: pure (bytes and a content type in, text out), no I/O.

HTML goes through trafilatura (main text without menus, footers and ads; tables kept), falling back to
all of the page's text when trafilatura finds no main part. Plain text, Markdown, CSV, JSON and XML are
returned as they are. Anything else (images, PDFs, archives) is refused with a message naming the type.
"""

from __future__ import annotations

from dataclasses import dataclass

HTML_TYPES = ("text/html", "application/xhtml+xml")
TEXT_TYPES = ("text/plain", "text/markdown", "text/csv", "text/xml", "application/json", "application/xml")


class NotReadable(ValueError):
    """The body is not a web page or text (an image, a PDF…); the message names its type."""


@dataclass(frozen=True)
class PageText:
    text: str
    title: str = ""
    kind: str = "html"  # html | text


def media_kind(content_type: str, body: bytes) -> str:
    """'html', 'text' or 'other' from the Content-Type (its media type only), sniffing when it is missing."""
    media = content_type.split(";", 1)[0].strip().lower()
    if media in HTML_TYPES:
        return "html"
    if media in TEXT_TYPES or media.endswith(("+json", "+xml")) or media.startswith("text/"):
        return "text"
    if media and media != "application/octet-stream":
        return "other"
    head = body[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html", b"<head", b"<body")):
        return "html"
    if b"\x00" in body[:4096]:
        return "other"
    try:
        body[:4096].decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < 4090:  # not just a character cut at the sample's end
            return "other"
    return "text"


def decode(body: bytes, charset: str | None) -> str:
    try:
        return body.decode(charset or "utf-8", errors="replace")
    except LookupError:  # an unknown charset name from the server
        return body.decode("utf-8", errors="replace")


def readable_text(body: bytes, content_type: str, charset: str | None) -> PageText:
    kind = media_kind(content_type, body)
    if kind == "other":
        media = content_type.split(";", 1)[0].strip() or "binary data"
        raise NotReadable(
            f"this is {media} ({len(body):,} bytes read), not a web page or text; fetch_url reads only those"
        )
    if kind == "text":
        return PageText(decode(body, charset).strip(), kind="text")
    return _html_text(decode(body, charset) if charset else body)


def _html_text(html: str | bytes) -> PageText:
    import trafilatura  # imported on first use: it loads lxml and language data (~0.3 s)

    document = trafilatura.load_html(html)
    if document is None:
        return PageText("")
    metadata = trafilatura.extract_metadata(document)
    title = (metadata.title if metadata else None) or ""
    text = trafilatura.extract(
        document, output_format="markdown", include_tables=True, include_comments=False, favor_recall=True
    )
    if not text:  # no main part found (a short page, a list of links): all of its text then
        text = trafilatura.html2txt(document)
    return PageText((text or "").strip(), title=title.strip())
