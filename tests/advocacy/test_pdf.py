"""The one PDF module: fonts for Latin, Vietnamese and Arabic, right-to-left layout, labels in
the document's language, fitting into a number of pages, no network, and downloads."""

import re
import socket
import subprocess
import threading

import pytest
from django.conf import settings

from advocacy import pdf
from tests.advocacy.pdfs import pdf_fonts, pdf_pages, pdf_text, pdf_words

VIETNAMESE = "Bộ Ngoại giao Việt Nam ủng hộ Công ước về bom, đạn chùm"
ARABIC = "ندعو الحكومة إلى التصديق على الاتفاقية"

PAGE = """{% extends "pdf/base.html" %}{% load pdf %}{% block content %}
<h1 class="document-title">{{ title }}</h1>
{% for paragraph in paragraphs %}
<p><span dir="{{ paragraph|direction }}">{{ paragraph }}</span></p>
{% endfor %}
<p class="date">{{ date|date:"DATE_FORMAT" }}</p>
{% endblock %}"""


@pytest.fixture
def page_template(tmp_path, settings):
    """A document template of the tests' own, beside the project's templates."""
    (tmp_path / "test_document.html").write_text(PAGE)
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}
    ]
    return "test_document.html"


def _render(template, *paragraphs, language="en", max_pages=None, **context):
    context = {"title": "Document", "paragraphs": paragraphs, **context}
    return pdf.render_pdf(template, context, language=language, max_pages=max_pages)


def test_vietnamese_and_arabic_text_come_back_as_the_same_characters(page_template):
    rendered = _render(page_template, VIETNAMESE, ARABIC)

    words = pdf_words(rendered.pdf)
    assert VIETNAMESE in words
    # pdftotext gives Arabic in logical (reading) order: the letters as typed, shaped or not.
    assert ARABIC in words


def test_it_embeds_the_noto_fonts_the_project_installs(page_template):
    rendered = _render(page_template, VIETNAMESE, ARABIC, language="ar")

    fonts = pdf_fonts(rendered.pdf)
    assert "Noto-Sans" in {font.removesuffix("-Bold") for font in fonts}
    assert "Noto-Naskh-Arabic" in {font.removesuffix("-Bold") for font in fonts}


def _word_boxes(pdf_bytes: bytes) -> tuple[float, list[tuple[float, str]]]:
    html = subprocess.run(
        ["pdftotext", "-bbox", "-", "-"], input=pdf_bytes, capture_output=True, check=True
    ).stdout.decode()
    width = float(re.search(r'<page width="([\d.]+)"', html).group(1))
    words = re.findall(r'<word xMin="([\d.]+)"[^>]*>([^<]+)</word>', html)
    return width, [(float(x), word) for x, word in words]


def test_an_arabic_document_runs_from_the_right(page_template):
    # -bbox lists words in visual order, so the Arabic word is found by its letters.
    width, words = _word_boxes(_render(page_template, "مرحبا", language="ar").pdf)
    x = next(x for x, word in words if sorted(word) == sorted("مرحبا"))
    assert x > width * 0.75

    width, words = _word_boxes(_render(page_template, "Hello", language="en").pdf)
    x = next(x for x, word in words if word == "Hello")
    assert x < width * 0.25


def test_an_english_sentence_in_an_arabic_document_keeps_its_full_stop_at_its_end(
    page_template,
):
    rendered = _render(page_template, "The ministry leads.", language="ar")

    assert "The ministry leads." in pdf_words(rendered.pdf)


def test_fixed_labels_and_dates_follow_the_document_language(page_template):
    import datetime as dt

    rendered = _render(page_template, "x", language="fr", date=dt.date(2026, 11, 23))

    assert "23 novembre 2026" in pdf_words(rendered.pdf)


def test_short_content_stays_in_normal_type(page_template):
    rendered = _render(page_template, *["A short paragraph."] * 5, max_pages=2)

    assert (rendered.fit, rendered.pages) == ("normal", 1)
    assert pdf_pages(rendered.pdf) == 1


def test_content_a_little_too_long_is_set_in_compact_type_and_kept_whole(page_template):
    paragraphs = [f"Paragraph {n} of a document that runs a little long." for n in range(80)]
    rendered = _render(page_template, *paragraphs, max_pages=2)

    assert rendered.fit == "compact"
    assert pdf_pages(rendered.pdf) == 2
    assert "Paragraph 79 of a document" in pdf_words(rendered.pdf)


def test_content_far_too_long_is_cut_to_the_page_limit(page_template):
    paragraphs = [f"Paragraph {n} of a document that runs far too long." for n in range(400)]
    rendered = _render(page_template, *paragraphs, max_pages=2)

    assert rendered.fit == "truncated"
    assert pdf_pages(rendered.pdf) == 2
    assert "Paragraph 0 of a document" in pdf_words(rendered.pdf)
    assert "Paragraph 399 of" not in pdf_words(rendered.pdf)


def test_every_page_carries_the_title_and_its_number(page_template):
    paragraphs = [f"Paragraph {n} of a long document." for n in range(120)]
    rendered = _render(page_template, *paragraphs, title="Meeting pack")

    pages = pdf_pages(rendered.pdf)
    assert pages > 1
    for number in range(1, pages + 1):
        text = pdf_words(rendered.pdf, page=number)
        assert "Meeting pack" in text
        assert re.search(rf"\b{number} ?/ ?{pages}\b", text)


# No network


def test_the_fetcher_serves_static_files_from_disk():
    fetcher = pdf.StaticOnlyFetcher()

    response = fetcher.fetch(f"{settings.SITE_URL}/static/css/print.css")

    assert b"@page" in response.read()
    assert response.content_type == "text/css"


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/logo.png",
        "http://169.254.169.254/latest/meta-data/",
        "ftp://example.org/file",
        "file:///etc/passwd",
        f"{settings.SITE_URL}/static/../advocacy/settings.py",
        f"{settings.SITE_URL}/static/%2e%2e/%2e%2e/advocacy/settings.py",
        f"{settings.SITE_URL}/admin/",
    ],
)
def test_the_fetcher_refuses_everything_else(url):
    with pytest.raises(pdf.RefusedURL):
        pdf.StaticOnlyFetcher().fetch(url)


def test_a_document_naming_outside_addresses_renders_without_touching_the_network(
    tmp_path, settings, monkeypatch
):
    attempts = []
    original_connect = socket.socket.connect

    def connect(self, address):
        attempts.append(address)
        return original_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", lambda *args, **kwargs: attempts.append(args))
    (tmp_path / "outside.html").write_text(
        '{% extends "pdf/base.html" %}{% block content %}'
        '<img src="http://169.254.169.254/latest/meta-data/">'
        '<p style="background: url(https://example.org/track.png)">Still rendered</p>'
        "{% endblock %}"
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}
    ]

    rendered = pdf.render_pdf("outside.html", {}, language="en")

    assert "Still rendered" in pdf_text(rendered.pdf)
    assert attempts == []


# Downloads


def test_file_names_are_slugs_of_their_parts():
    name = pdf.pdf_filename("brief", "2026-11-23", "Hon. Jane Doe", "en")

    assert name == "brief-2026-11-23-hon-jane-doe-en.pdf"


def test_an_ascii_file_name_is_given_as_is():
    header = pdf.attachment_header("brief-2026-11-23-hon-jane-doe-en.pdf")

    assert header == 'attachment; filename="brief-2026-11-23-hon-jane-doe-en.pdf"'


def test_other_letters_come_as_rfc_6266_filename_star_with_an_ascii_fallback():
    name = pdf.pdf_filename("brief", "2026-11-23", "Nguyễn Thị Ánh", "vi")

    header = pdf.attachment_header(name)

    assert header.startswith('attachment; filename="brief-2026-11-23-nguyen-thi-anh-vi.pdf"; ')
    assert "filename*=UTF-8''brief-2026-11-23-nguy%E1%BB%85n-th%E1%BB%8B-%C3%A1nh-vi.pdf" in header


def test_an_arabic_name_keeps_an_ascii_fallback_without_it():
    name = pdf.pdf_filename("brief", "2026-11-23", "سعادة السفيرة", "ar")

    header = pdf.attachment_header(name)

    assert 'filename="brief-2026-11-23-ar.pdf"' in header
    assert "filename*=UTF-8''brief-2026-11-23-%D8%B3" in header


def test_the_response_is_a_pdf_download():
    response = pdf.pdf_response(b"%PDF-1.7 ...", "report.pdf")

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="report.pdf"'
    assert response["Content-Length"] == "12"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("Hello", "ltr"),
        ("مرحبا", "rtl"),
        ("  «مرحبا» and more", "rtl"),
        ("+44 20 7946 0000", "ltr"),
        ("2026 — שלום", "rtl"),
        ("", "ltr"),
    ],
)
def test_text_direction_is_that_of_the_first_letter(text, direction):
    assert pdf.text_direction(text) == direction


def test_the_font_configuration_is_kept_per_thread():
    mine = pdf.font_config()
    assert pdf.font_config() is mine
    other = []
    thread = threading.Thread(target=lambda: other.append(pdf.font_config()))
    thread.start()
    thread.join()
    assert other and other[0] is not mine
