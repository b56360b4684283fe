"""A real Celery worker makes the brief's PDF after an edit, through Redis."""

import time

import pytest

from meetings import briefs
from meetings.models import Brief
from tests.advocacy.pdfs import pdf_words
from tests.meetings.briefs_world import build_world

pytestmark = pytest.mark.integration


def test_a_worker_makes_and_keeps_the_pdf_after_an_edit(organisation, campaigner, celery_worker):
    world = build_world(organisation, campaigner)
    brief = briefs.brief_start(meeting=world.meeting, language="en", created_by=campaigner)

    briefs.brief_update(brief=brief, content={**brief.content, "ask": "Vote for the bill"})

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        brief = Brief.objects.get(pk=brief.pk)
        if briefs.brief_is_current(brief):
            break
        time.sleep(0.2)
    assert briefs.brief_is_current(brief), "".join(celery_worker.log)
    try:
        # The worker shares the media folder with the web processes, as in production.
        with brief.pdf.open("rb") as kept:
            assert "Vote for the bill" in pdf_words(kept.read())
    finally:
        brief.pdf.storage.delete(brief.pdf.name)
