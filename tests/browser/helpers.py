"""Small helpers shared by the browser tests."""

import re
from email.message import EmailMessage

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}


def link_in(message: EmailMessage, path_pattern: str) -> str:
    """The first URL in an email's plain-text body whose path matches the pattern."""
    body = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(rf"https?://[^/\s]+{path_pattern}\S*", body)
    assert match, f"no link matching {path_pattern!r} in:\n{body}"
    return match.group(0)
