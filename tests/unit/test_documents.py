"""Document extraction: each format's text, title and locations; clear errors for what can't be read."""

from __future__ import annotations

import io
import zipfile

import pytest

from bot.documents import (
    BrokenDocument,
    DocumentTooLarge,
    Limits,
    UnsupportedDocument,
    extract,
)
from tests.fakes.documents import make_docx, make_pdf

MARKDOWN = b"""---
title: Team handbook
---
# Handbook

Welcome.

## Holidays

You get 30 days.

```python
# not a heading
x = 1
```

Travel
------

Book trains.
"""


def test_markdown_sections_follow_headings_with_lines_and_front_matter_title():
    doc = extract(MARKDOWN, "handbook.md")
    assert doc.kind == "markdown"
    assert doc.title == "Team handbook"
    headings = [s.heading for s in doc.sections]
    assert headings == [("Handbook",), ("Handbook", "Holidays"), ("Handbook", "Travel")]
    holidays = doc.sections[1]
    assert holidays.line == 8 and "30 days" in holidays.text and "# not a heading" in holidays.text
    assert doc.sections[2].line == 17
    assert "title:" not in doc.text


def test_restructuredtext_levels_follow_first_use_of_each_adornment():
    text = b"=====\nGuide\n=====\n\nIntro.\n\nInstall\n-------\n\npip install.\n\nLinux\n~~~~~\n\napt.\n\nUse\n---\n\nRun.\n"
    doc = extract(text, "guide.rst")
    assert doc.kind == "rst" and doc.title == "Guide"
    assert [s.heading for s in doc.sections] == [
        ("Guide",),
        ("Guide", "Install"),
        ("Guide", "Install", "Linux"),
        ("Guide", "Use"),
    ]
    assert doc.sections[2].line == 12


def test_html_drops_scripts_and_keeps_headings_and_tables():
    page = b"""<html><head><title>Ops page</title><style>p{}</style></head><body>
<script>var secret = 1;</script>
<h1>Runbook</h1><p>Restart the   service.</p>
<h2>Contacts</h2><table><tr><td>Ann</td><td>on call</td></tr></table>
</body></html>"""
    doc = extract(page, "ops.html")
    assert doc.kind == "html" and doc.title == "Ops page"
    assert "var secret" not in doc.text and "p{}" not in doc.text
    assert doc.sections[0].heading == ("Runbook",) and "Restart the service." in doc.sections[0].text
    assert doc.sections[1].heading == ("Runbook", "Contacts") and "Ann | on call" in doc.sections[1].text
    assert doc.sections[1].line == 4


def test_pdf_pages_are_sections_numbered_from_one_and_empty_pages_are_noted():
    data = make_pdf(["Refund policy\nRefunds take 14 days.", "", "Shipping takes 3 days."], title="Policies")
    doc = extract(data, "policies.pdf", "application/pdf")
    assert doc.kind == "pdf" and doc.title == "Policies"
    assert [s.page for s in doc.sections] == [1, 3]
    assert "Refunds take 14 days." in doc.sections[0].text
    assert doc.notes == ("1 of 3 pages have no text (images or scans): page 2",)


def test_pdf_is_recognised_by_its_bytes_whatever_its_name():
    assert extract(make_pdf(["hello"]), "upload.bin").kind == "pdf"


def test_docx_headings_paragraphs_and_tables_in_order():
    data = make_docx(
        [
            ("h1", "Onboarding"),
            ("p", "Day one: laptop."),
            ("h2", "Accounts"),
            ("table", [["Tool", "Owner"], ["VPN", "IT"]]),
        ],
        title="Onboarding guide",
    )
    doc = extract(data, "onboarding.docx")
    assert doc.kind == "docx" and doc.title == "Onboarding guide"
    assert [s.heading for s in doc.sections] == [("Onboarding",), ("Onboarding", "Accounts")]
    assert "| VPN | IT |" in doc.sections[1].text


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("data.csv", b"a,b\n1,2\n", "csv"),
        ("main.py", b"def f():\n    return 1\n", "code"),
        ("notes", b"just words\n", "text"),
        ("latin.txt", "café".encode("cp1252"), "text"),
    ],
)
def test_text_like_files_are_read_as_text(name, data, kind):
    doc = extract(data, name)
    assert doc.kind == kind and doc.sections[0].line == 1
    expected = "café" if name == "latin.txt" else data.decode().strip()
    assert doc.text.strip() == expected


def test_one_line_json_is_reindented_so_it_can_be_chunked():
    data = ('{"items": [' + ",".join(f'{{"id": {i}, "name": "item {i}"}}' for i in range(30)) + "]}").encode()
    doc = extract(data, "items.json")
    assert doc.kind == "json" and doc.text.count("\n") > 30 and '"item 29"' in doc.text


def test_long_text_is_cut_at_the_limit_and_says_so():
    doc = extract(b"word " * 1000, "long.txt", limits=Limits(max_chars=100))
    assert doc.truncated and doc.chars == 100 and "first 100 characters" in doc.notes[0]


def test_too_many_bytes_is_refused_before_reading():
    with pytest.raises(DocumentTooLarge, match=r"big\.pdf is 0\.0 MB; documents up to 0\.0 MB"):
        extract(make_pdf(["x"]), "big.pdf", limits=Limits(max_bytes=10))


@pytest.mark.parametrize(
    ("name", "mime", "data", "message"),
    [
        ("photo.png", "image/png", b"\x89PNG\r\n\x1a\n\x00\x00", "image files have no text"),
        ("sheet.xlsx", None, b"PK\x03\x04\x00\x00xl/", "export the sheet as CSV"),
        ("blob.bin", "application/octet-stream", b"\x00\x01\x02\x03" * 50, "isn't text"),
    ],
)
def test_unsupported_files_get_a_reason(name, mime, data, message):
    with pytest.raises(UnsupportedDocument, match=message):
        extract(data, name, mime)


def test_a_damaged_pdf_is_broken_not_a_crash():
    with pytest.raises(BrokenDocument, match="damaged"):
        extract(b"%PDF-1.4\n garbage without objects", "bad.pdf")


def test_a_pdf_without_text_says_it_may_be_scanned():
    with pytest.raises(BrokenDocument, match="no text layer"):
        extract(make_pdf(["", ""]), "scan.pdf")


def test_a_damaged_docx_is_broken():
    with pytest.raises(BrokenDocument, match="damaged"):
        extract(b"PK\x03\x04word/ not really a zip", "x.docx")


def test_a_docx_that_unpacks_huge_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", b"<a/>" + b" " * 5_000_000)
    with pytest.raises(DocumentTooLarge, match="unpacks to 5 MB"):
        extract(out.getvalue(), "bomb.docx", limits=Limits(max_unpacked_bytes=1_000_000))
