"""A campaigner on a phone prepares the leave-behind brief from the meeting page, edits it,
makes the PDF, downloads it and finds the ask in it."""

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from meetings.models import Brief
from tests.advocacy.pdfs import pdf_pages, pdf_words
from tests.meetings.briefs_world import MESSAGES_EN, build_world

NEW_ASK = "Sign the convention before the review conference"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _fits_the_screen(phone: Page) -> None:
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= phone.viewport_size["width"], f"the page is {width}px wide"


def test_a_campaigner_edits_the_brief_and_downloads_it_on_a_phone(
    phone: Page, organisation, campaigner, sign_in, live_server
):
    world = build_world(organisation, campaigner)
    sign_in(phone.context, campaigner)

    phone.goto(live_server.url + world.meeting.get_absolute_url())
    phone.get_by_role("link", name="Leave-behind brief").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Leave-behind brief")
    phone.get_by_label("Language of the brief").select_option("en")
    phone.get_by_role("button", name="Start the brief").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Edit the brief in English")
    _fits_the_screen(phone)
    ask = phone.get_by_label("The ask")
    expect(ask).to_have_value(world.meeting.ask)
    ask.fill(NEW_ASK)
    # The last message first, and the second one dropped.
    messages = [MESSAGES_EN[3], MESSAGES_EN[0], MESSAGES_EN[2]]
    phone.get_by_label("Key messages").fill("\n".join(messages))
    phone.get_by_role("button", name="Save and make the PDF").click()

    expect(phone.get_by_role("status")).to_contain_text("Its PDF is ready to download")
    _fits_the_screen(phone)
    with phone.expect_download() as download_info:
        phone.get_by_role("link", name="Download the brief in English (PDF)").click()
    download = download_info.value

    assert download.suggested_filename == "brief-2026-11-23-hon-jane-doe-en.pdf"
    pdf = Path(download.path()).read_bytes()
    text = pdf_words(pdf)
    assert NEW_ASK in text
    assert text.index(MESSAGES_EN[3]) < text.index(MESSAGES_EN[0]) < text.index(MESSAGES_EN[2])
    assert MESSAGES_EN[1] not in text
    assert pdf_pages(pdf) == 1
    brief = Brief.objects.get(meeting=world.meeting)
    assert brief.content["ask"] == NEW_ASK
    assert brief.pdf
