"""Every PDF the app makes: leave-behind briefs, meeting packs, reports, and letters later.

WeasyPrint lays out a template from templates/pdf/ with the one print stylesheet,
static/css/print.css. Fonts are found by family name through fontconfig: Debian's
fonts-noto-core (installed by bin/ensure-system-deps and the Dockerfile) gives Noto Sans for
Latin and Vietnamese and Noto Naskh Arabic, shaped by HarfBuzz.

Rendering never touches the network: the URL fetcher serves static files from disk and refuses
everything else, so a document cannot make the worker fetch an address a user typed.
"""

from __future__ import annotations

import logging
import mimetypes
import posixpath
import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit
from urllib.request import url2pathname

import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.utils import translation
from django.utils.text import slugify
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

STYLESHEET = "css/print.css"

# WeasyPrint logs each step of every document at INFO: noise in the worker's log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


class RefusedURL(ValueError):
    """A document asked for something that is not one of our static files."""


def _static_roots() -> list[Path]:
    roots = [Path(settings.STATIC_ROOT), *(Path(str(d)) for d in settings.STATICFILES_DIRS)]
    return [root.resolve() for root in roots]


def _static_file(relative: str) -> Path:
    """The file a static path names, or RefusedURL; never a file outside the static roots."""
    relative = posixpath.normpath(unquote(relative)).lstrip("/")
    if relative.startswith("..") or not relative:
        raise RefusedURL(relative)
    found = finders.find(relative)
    if found:
        return Path(found)
    candidate = (Path(settings.STATIC_ROOT) / relative).resolve()
    if candidate.is_file() and Path(settings.STATIC_ROOT).resolve() in candidate.parents:
        return candidate
    raise RefusedURL(relative)


class StaticOnlyFetcher(URLFetcher):
    """Static files from disk, by their /static/ address or a file: URL inside a static folder;
    inline data: URLs; nothing else."""

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme == "data":
            return super().fetch(url, headers)
        if parts.scheme == "file":
            path = Path(url2pathname(parts.path)).resolve()
            if not any(root in path.parents for root in _static_roots()) or not path.is_file():
                raise RefusedURL(url)
        elif parts.scheme in ("http", "https") and _is_ours(parts.netloc, parts.path):
            path = _static_file(parts.path.removeprefix(_static_prefix()))
        else:
            raise RefusedURL(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path.as_uri(), body=path.read_bytes(), headers={"Content-Type": content_type}
        )


def _static_prefix() -> str:
    return urlsplit(static("")).path


def _is_ours(netloc: str, path: str) -> bool:
    return netloc == urlsplit(settings.SITE_URL).netloc and path.startswith(_static_prefix())


@cache
def _stylesheet(path: str, modified: float) -> weasyprint.CSS:
    # Parsed once per process (and again when the file changes): it is a good part of the time
    # a one-page brief takes.
    return weasyprint.CSS(filename=path, url_fetcher=StaticOnlyFetcher())


def stylesheet() -> weasyprint.CSS:
    path = _static_file(STYLESHEET)
    return _stylesheet(str(path), path.stat().st_mtime)


_thread = threading.local()


def font_config() -> FontConfiguration:
    """One per thread, kept: Pango's font map keeps the faces it has loaded, and loading them
    again is half the time of a brief. Not shared across threads, as Pango's font maps are not
    safe to share."""
    if not hasattr(_thread, "font_config"):
        _thread.font_config = FontConfiguration()
    return _thread.font_config


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int
    # How the content was fitted into max_pages: "normal", "compact" (smaller type) or
    # "truncated" (still too long in compact type: the pages after max_pages were dropped).
    fit: str


def document(template_name: str, context: dict, language: str) -> weasyprint.Document:
    """A template laid out in the given language, before it is written as a PDF."""
    with translation.override(language):
        html = render_to_string(template_name, context)
    return weasyprint.HTML(
        string=html, base_url=settings.SITE_URL + "/", url_fetcher=StaticOnlyFetcher()
    ).render(stylesheets=[stylesheet()], font_config=font_config())


def render_pdf(
    template_name: str, context: dict, *, language: str, max_pages: int | None = None
) -> Rendered:
    """Lay out a template in the given language (labels, dates, direction) as a PDF.

    With max_pages, content that runs over is set again in compact type (the template gets
    `compact`); if it still runs over, only the first max_pages pages are kept.
    """
    laid_out = document(template_name, {**context, "compact": False}, language)
    fit = "normal"
    if max_pages and len(laid_out.pages) > max_pages:
        laid_out = document(template_name, {**context, "compact": True}, language)
        fit = "compact"
        if len(laid_out.pages) > max_pages:
            laid_out = laid_out.copy(laid_out.pages[:max_pages])
            fit = "truncated"
    return Rendered(pdf=laid_out.write_pdf(), pages=len(laid_out.pages), fit=fit)


def split_at_anchors(laid_out: weasyprint.Document, prefix: str) -> dict[str, bytes]:
    """One PDF per part of a document laid out in one run: each part starts on the page of
    the first anchor named `prefix<key>` and runs to the next; by key."""
    starts: dict[str, int] = {}
    for number, page in enumerate(laid_out.pages):
        for anchor in page.anchors:
            if anchor.startswith(prefix):
                starts.setdefault(anchor.removeprefix(prefix), number)
    order = sorted((start, key) for key, start in starts.items())
    parts: dict[str, bytes] = {}
    for index, (start, key) in enumerate(order):
        end = order[index + 1][0] if index + 1 < len(order) else len(laid_out.pages)
        parts[key] = laid_out.copy(laid_out.pages[start:end]).write_pdf()
    return parts


def text_direction(text: str) -> str:
    """ "rtl" when the text starts (its first letter of a definite direction) in Arabic or
    Hebrew script, else "ltr". WeasyPrint does not implement dir="auto", and an English fact
    in an Arabic brief, or a phone number, must still read left to right."""
    for character in text:
        kind = unicodedata.bidirectional(character)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return "ltr"


def pdf_filename(*parts: str, extension: str = "pdf") -> str:
    """A download name from its parts: ("brief", "2026-11-23", "Hon. Jane Doe", "en") gives
    "brief-2026-11-23-hon-jane-doe-en.pdf" (or ".csv" with `extension="csv"`). Letters of
    any script are kept."""
    slugs = [slugify(part, allow_unicode=True) for part in parts]
    return "-".join(slug for slug in slugs if slug) + "." + extension


def _ascii_filename(filename: str) -> str:
    decomposed = unicodedata.normalize("NFKD", filename).encode("ascii", "ignore").decode()
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", decomposed)
    stem, dot, extension = safe.rpartition(".")
    stem = re.sub(r"-{2,}", "-", stem).strip("-.") or "document"
    return f"{stem}{dot}{extension}" if dot else stem


def attachment_header(filename: str) -> str:
    """Content-Disposition for a download: an ASCII name every client reads, plus the full
    name as RFC 6266's filename* when it has other letters (Arabic, Vietnamese...)."""
    fallback = _ascii_filename(filename)
    header = f'attachment; filename="{fallback}"'
    if fallback != filename:
        header += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return header


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = attachment_header(filename)
    response["Content-Length"] = str(len(pdf))
    # Briefs and packs hold what an organisation noted: no shared cache may keep a copy.
    response["Cache-Control"] = "private, no-store"
    return response
