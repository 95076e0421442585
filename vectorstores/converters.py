"""Documents people have — PDF, Word, HTML, Markdown, plain text — as JSON documents to ingest.

Each file becomes one document::

    {"title": "…", "source": "handbook.pdf", "format": "pdf",
     "sections": [{"heading": "Returns" | null, "page": 3 | null, "text": "…"}, …]}

PDF: one section per page (pypdf, pure Python, maintained); a PDF whose pages hold no text (a scan)
is refused with "no text found". Word (.docx, python-docx): a section per heading, tables read row
by row. Markdown (markdown-it-py): a section per heading. HTML: trafilatura extracts the page's main
text — without navigation, footers and other boilerplate — as Markdown, split like Markdown. Plain
text: one section. Chunks then carry the ``page`` and/or ``section`` they come from in their
metadata (``citation_for``), for citations.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

FORMATS = {
    ".pdf": "pdf",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".txt": "text",
}
_SECTION_PATH = re.compile(r"^sections\[(\d+)\]")


class ConversionError(ValueError):
    """The file cannot be read as its format, or holds no text."""


def format_of(name: str) -> str | None:
    return FORMATS.get(Path(name).suffix.lower())


def convert(name: str, data: bytes, *, kind: str | None = None) -> dict[str, Any]:
    """``name``'s content as a document; ``kind`` overrides the format its extension says."""
    kind = kind or format_of(name)
    if kind not in _CONVERTERS:
        raise ConversionError(f"{name}: not a supported document type ({', '.join(sorted(FORMATS))}).")
    try:
        title, sections = _CONVERTERS[kind](data)
    except ConversionError:
        raise
    except Exception as exc:  # every library has its own errors for a damaged file
        raise ConversionError(f"{name}: this {kind} file could not be read ({type(exc).__name__}).") from None
    sections = [s for s in sections if s["text"].strip()]
    if not sections:
        hint = " A scanned PDF needs text recognition (OCR) first." if kind == "pdf" else ""
        raise ConversionError(f"{name}: no text found.{hint}")
    return {
        "title": title or Path(name).stem,
        "source": Path(name).name,
        "format": kind,
        "sections": sections,
    }


def _section(text: str, *, heading: str | None = None, page: int | None = None) -> dict[str, Any]:
    return {
        "heading": heading,
        "page": page,
        "text": re.sub(r"[ \t]+", " ", text.replace("\x00", "")).strip(),
    }


def _pdf(data: bytes) -> tuple[str | None, list[dict[str, Any]]]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    title = None
    if reader.metadata is not None and reader.metadata.title:
        title = str(reader.metadata.title).strip() or None
    return title, [
        _section(page.extract_text() or "", page=n) for n, page in enumerate(reader.pages, start=1)
    ]


def _docx(data: bytes) -> tuple[str | None, list[dict[str, Any]]]:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = docx.Document(io.BytesIO(data))
    title = (document.core_properties.title or "").strip() or None
    sections = [_section("")]
    for block in document.iter_inner_content():
        if isinstance(block, Paragraph):
            style = (block.style.name if block.style is not None else "") or ""
            if style == "Title" and not title:
                title = block.text.strip() or None
            elif style.startswith("Heading") and block.text.strip():
                sections.append(_section("", heading=block.text.strip()))
            elif block.text.strip():
                sections[-1]["text"] += ("\n" if sections[-1]["text"] else "") + block.text.strip()
        elif isinstance(block, Table):
            for row in block.rows:
                cells = [cell.text.strip() for cell in row.cells]
                line = " | ".join(dict.fromkeys(c for c in cells if c))  # merged cells repeat
                if line:
                    sections[-1]["text"] += ("\n" if sections[-1]["text"] else "") + line
    return title, sections


def _markdown(data: bytes) -> tuple[str | None, list[dict[str, Any]]]:
    return markdown_sections(data.decode("utf-8", errors="replace"))


def markdown_sections(source: str) -> tuple[str | None, list[dict[str, Any]]]:
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(source)
    title = None
    sections = [_section("")]
    in_heading = None
    for token in tokens:
        if token.type == "heading_open":
            in_heading = token.tag
        elif token.type == "inline" and in_heading:
            text = token.content.strip()
            if in_heading == "h1" and title is None:
                title = text
            sections.append(_section("", heading=text))
        elif token.type == "heading_close":
            in_heading = None
        elif token.type in ("inline", "code_block", "fence") and token.content.strip():
            sections[-1]["text"] += ("\n" if sections[-1]["text"] else "") + token.content.strip()
    return title, sections


def _html(data: bytes) -> tuple[str | None, list[dict[str, Any]]]:
    import trafilatura

    html = data.decode("utf-8", errors="replace")
    text = trafilatura.extract(html, output_format="markdown", include_tables=True, include_comments=False)
    metadata = trafilatura.extract_metadata(html)
    title, sections = markdown_sections(text or "")
    return (metadata.title if metadata is not None and metadata.title else title), sections


def _text(data: bytes) -> tuple[str | None, list[dict[str, Any]]]:
    return None, [_section(data.decode("utf-8", errors="replace"))]


_CONVERTERS = {"pdf": _pdf, "docx": _docx, "markdown": _markdown, "html": _html, "text": _text}


def citation_for(document: Any, source: dict[str, Any]) -> dict[str, Any]:
    """Where a chunk comes from, for a document with ``sections: [{heading, page, text}]`` (as
    converted files are): ``page`` and ``section`` of its first section, and ``pages`` /
    ``sections`` when its lines span several."""
    if not isinstance(document, dict) or not isinstance(document.get("sections"), list):
        return {}
    pages: list[int] = []
    headings: list[str] = []
    for path in source:
        match = _SECTION_PATH.match(path)
        if match is None or int(match.group(1)) >= len(document["sections"]):
            continue
        section = document["sections"][int(match.group(1))]
        if not isinstance(section, dict):
            continue
        page, heading = section.get("page"), section.get("heading")
        if isinstance(page, int) and page not in pages:
            pages.append(page)
        if isinstance(heading, str) and heading and heading not in headings:
            headings.append(heading)
    citation: dict[str, Any] = {}
    if pages:
        citation["page"] = pages[0]
        if len(pages) > 1:
            citation["pages"] = pages
    if headings:
        citation["section"] = headings[0]
        if len(headings) > 1:
            citation["sections"] = headings
    return citation
