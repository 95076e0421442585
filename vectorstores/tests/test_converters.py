"""PDF, Word, HTML and Markdown files read as documents with sections, pages and headings."""

from __future__ import annotations

import pytest

from vectorstores.converters import ConversionError, convert
from vectorstores.tests import documents as files


def test_a_pdf_is_a_document_with_a_section_per_page():
    document = convert(
        "handbook.pdf",
        files.pdf(
            ["Returns are accepted for thirty days.", "Shipping takes five days."], title="Shop handbook"
        ),
    )

    assert document["title"] == "Shop handbook"
    assert document["format"] == "pdf"
    assert [(s["page"], s["text"]) for s in document["sections"]] == [
        (1, "Returns are accepted for thirty days."),
        (2, "Shipping takes five days."),
    ]


def test_a_pdf_without_text_says_so():
    with pytest.raises(ConversionError, match=r"no text found\. A scanned PDF needs text recognition"):
        convert("scan.pdf", files.pdf([""]))


def test_a_damaged_file_is_a_clear_error_not_a_crash():
    with pytest.raises(ConversionError, match="could not be read"):
        convert("broken.docx", b"PK\x03\x04 not really a zip")
    with pytest.raises(ConversionError, match="could not be read"):
        convert("broken.pdf", b"%PDF-1.4 garbage")


def test_a_word_file_has_a_section_per_heading_and_its_tables():
    data = files.docx(
        "Travel policy",
        [
            ("Trains", ["Book second class for trips under four hours."]),
            ("Hotels", ["Up to 150 euros a night."]),
        ],
        table=[["City", "Limit"], ["Paris", "180 euros"]],
    )

    document = convert("travel.docx", data)

    assert document["title"] == "Travel policy"
    assert [(s["heading"], s["text"]) for s in document["sections"]] == [
        ("Trains", "Book second class for trips under four hours."),
        ("Hotels", "Up to 150 euros a night.\nCity | Limit\nParis | 180 euros"),
    ]


def test_a_web_page_keeps_its_main_text_and_headings_without_navigation_or_footer():
    document = convert("returns.html", files.HTML.encode())

    assert document["title"] == "Returns and refunds"
    text = " ".join(s["text"] for s in document["sections"])
    assert "within thirty days" in text
    assert "free of charge" in text
    assert "Copyright" not in text
    assert "Contact us" not in text
    assert "Damaged items" in [s["heading"] for s in document["sections"]]


def test_markdown_is_split_at_its_headings():
    document = convert("onboarding.md", files.MARKDOWN.encode())

    assert document["title"] == "Onboarding guide"
    assert [s["heading"] for s in document["sections"]] == ["Onboarding guide", "Laptop", "Badges"]


def test_a_long_pdf_page_is_cited_by_its_own_page():
    from vectorstores.converters import citation_for

    document = convert("big.pdf", files.pdf(["First page.", "Second page.", "Third page."]))

    assert citation_for(document, {"sections[1].text": "…"}) == {"page": 2}
    assert citation_for(document, {"sections[1].page": 2, "sections[2].text": "…"}) == {
        "page": 2,
        "pages": [2, 3],
    }
    assert citation_for({"sections": "not a list"}, {"sections[0].text": "…"}) == {}
