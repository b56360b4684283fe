"""A coordinator imports a legislature's Popolo file and finds its people in the directory.

The import runs on a real Celery worker, so the page really polls its progress region
until the job is done.
"""

import pytest
from playwright.sync_api import Page, expect

from advocacy.models import ImportJob
from contacts.models import Person
from tests.contacts.popolo_files import BURUNDI_2015

pytestmark = pytest.mark.integration


@pytest.fixture
def shared_media(tmp_path, settings, monkeypatch):
    """One media folder for the live server, which stores the upload, and the worker, which
    reads it: the worker is another process and takes it from its environment."""
    media = tmp_path / "media"
    settings.MEDIA_ROOT = media
    monkeypatch.setenv("MEDIA_ROOT", str(media))
    return media


def test_coordinator_uploads_previews_imports_and_finds_the_people(
    page: Page, coordinator, sign_in, shared_media, celery_worker
):
    sign_in(page.context, coordinator)
    page.goto("/directory/transfer/")

    form = page.get_by_role("region", name="Import a file")
    form.get_by_label("File").set_input_files(BURUNDI_2015)
    form.get_by_label("Country").select_option(label="Burundi")
    form.get_by_role("button", name="Preview").click()

    # The preview says what would happen; nothing is imported yet.
    expect(page.get_by_role("heading", level=1)).to_have_text("Import of ep-popolo-v1.0.json")
    preview = page.get_by_role("region", name="What the import will do")
    expect(preview.get_by_role("row", name="People")).to_contain_text("227")
    assert Person.objects.count() == 0

    page.get_by_role("button", name="Import now").click()

    progress = page.locator("#import-progress")
    expect(progress.get_by_role("heading")).to_have_text("Done", timeout=60_000)
    expect(progress).to_contain_text("created 484, updated 0, unchanged 0, errors 0")
    expect(page.locator("#import-bar")).to_have_attribute("value", "100")
    assert ImportJob.objects.get().status == ImportJob.Status.DONE
    # htmx swapped the region in place: the confirmation message of the page load is still
    # there, so the page was not reloaded.
    expect(page.get_by_role("status")).to_contain_text("The import has started.")

    progress.get_by_role("link", name="Go to the directory").click()
    page.goto("/directory/?q=banyikwa")
    expect(page.get_by_text("BANYIKWA Adolphe")).to_be_visible()
