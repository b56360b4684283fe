"""Reading PDFs back in tests, with poppler's pdftotext, pdfinfo and pdffonts."""

import re
import subprocess

# pdftotext wraps right-to-left runs in embedding marks; the text between them is in logical
# (reading) order, which is what the tests compare.
BIDI_MARKS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _poppler(*command: str, pdf: bytes) -> str:
    """Run a poppler tool on the PDF given on standard input ("-")."""
    return subprocess.run(
        command, input=pdf, capture_output=True, check=True, timeout=60
    ).stdout.decode()


def pdf_text(pdf: bytes, *, page: int | None = None) -> str:
    """The text of the whole document, or of one page (counted from 1), without bidi marks."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    text = _poppler("pdftotext", "-enc", "UTF-8", *pages, "-", "-", pdf=pdf)
    return BIDI_MARKS.sub("", text)


def pdf_words(pdf: bytes, **kwargs) -> str:
    """The text with every run of white space as one space: lines wrap where the layout says."""
    return " ".join(pdf_text(pdf, **kwargs).split())


def pdf_pages(pdf: bytes) -> int:
    info = _poppler("pdfinfo", "-", pdf=pdf)
    return int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE).group(1))


def pdf_fonts(pdf: bytes) -> set[str]:
    """Names of the fonts embedded, without the subset prefix: {"Noto-Sans", ...}."""
    lines = _poppler("pdffonts", "-", pdf=pdf).splitlines()[2:]
    return {line.split()[0].partition("+")[2] or line.split()[0] for line in lines if line}
