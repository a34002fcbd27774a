"""DOCX with python-docx (maintained): paragraphs and tables in order; Heading styles make sections."""

from __future__ import annotations

import io
import re
import zipfile

from bot.documents.model import BrokenDocument, DocumentTooLarge, Limits, Section

HEADING_STYLE = re.compile(r"^(?:heading|überschrift|titre|título|titolo)\s*(\d)$", re.IGNORECASE)


def docx(data: bytes, limits: Limits) -> tuple[str, list[Section], list[str]]:
    _check_unpacked_size(data, limits)
    import docx as python_docx
    from docx.table import Table

    try:
        document = python_docx.Document(io.BytesIO(data))
    except (KeyError, ValueError, zipfile.BadZipFile, OSError) as error:
        raise BrokenDocument("this Word file is damaged or not a .docx; try saving it again") from error
    except Exception as error:  # lxml and python-docx raise their own kinds on malformed parts
        raise BrokenDocument("this Word file could not be read; try saving it again as .docx") from error
    sections: list[Section] = []
    path: list[tuple[int, str]] = []
    lines: list[str] = []
    title = ""

    def flush() -> None:
        text = "\n".join(lines).strip()
        if text:
            sections.append(Section(text=text, heading=tuple(h for _, h in path)))
        lines.clear()

    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(_table_rows(block))
            continue
        text = block.text.strip()
        style = block.style.name if block.style is not None else ""
        level = _heading_level(style)
        if level and text:
            flush()
            while path and path[-1][0] >= level:
                path.pop()
            path.append((level, text))
            lines.append(text)
        elif style == "Title" and text:
            title = title or text
            lines.append(text)
        elif text:
            lines.append(text)
    flush()
    title = (document.core_properties.title or "").strip() or title
    return title or next((s.heading[0] for s in sections if s.heading), ""), sections, []


def _heading_level(style: str) -> int:
    match = HEADING_STYLE.match(style.strip())
    return int(match.group(1)) if match else 0


def _table_rows(table: object) -> list[str]:
    rows = []
    for row in table.rows:  # type: ignore[attr-defined]
        cells: list[str] = []
        for cell in row.cells:
            text = " ".join(cell.text.split())
            if not cells or cells[-1] != text:  # merged cells repeat their text
                cells.append(text)
        if any(cells):
            rows.append("| " + " | ".join(cells) + " |")
    return rows


def _check_unpacked_size(data: bytes, limits: Limits) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise BrokenDocument("this Word file is damaged or not a .docx; try saving it again") from error
    if unpacked > limits.max_unpacked_bytes:
        raise DocumentTooLarge(
            f"this Word file unpacks to {unpacked // 1_000_000} MB; the limit is {limits.max_unpacked_bytes // 1_000_000} MB"
        )
