"""Reading rendered pages in tests."""

from html.parser import HTMLParser


class _RootAttributes(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.attributes: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html" and not self.attributes:
            self.attributes = {name: value or "" for name, value in attrs}


def html_tag(content: str) -> dict[str, str]:
    """The attributes of the page's <html> element, e.g. {"lang": "fr", "dir": "ltr"}."""
    parser = _RootAttributes()
    parser.feed(content)
    return parser.attributes
