"""Off the record stays off the record.

The app records *that* a part of a meeting was off the record, roughly how long and where in
the notes, never what was said: no model has a field for it, and the write-up asks for no
more. Internal pages show a neutral marker; shared pages, reports, feeds, the dossier and
every PDF leave even that out.
"""

import datetime as dt
import subprocess

import pytest
from django.db import models
from django.urls import reverse

from advocacy.models import Visibility
from campaigns.models import CalendarFeed
from meetings import briefs, services
from meetings.models import (
    ChecklistItem,
    Commitment,
    FollowUp,
    Meeting,
    OffRecordSegment,
)
from tests.meetings.factories import AttendeeFactory, MeetingFactory

# Fields that take text, per model of the app. A new one must be added here, after asking
# whether what is said off the record could end up in it.
TEXT_FIELDS = {
    Meeting: {
        "title",
        "time_zone",
        "location",
        "online_url",
        "objective",
        "objective_detail",
        "ask",
        "questions",
        "notes",
        "summary",
        "kind",
        "status",
        "visibility",
    },
    Commitment: {"by", "text"},
    FollowUp: {"title", "note"},
    ChecklistItem: {"text"},
    OffRecordSegment: set(),
}
TEXT_TYPES = (models.CharField, models.TextField, models.JSONField, models.BinaryField)
MARKER = "off the record"


def text_fields(model) -> set[str]:
    return {
        field.name
        for field in model._meta.get_fields()
        if field.concrete and isinstance(field, (*TEXT_TYPES, models.FileField))
    }


@pytest.mark.parametrize("model", list(TEXT_FIELDS))
def test_no_field_could_hold_what_was_said_off_the_record(model):
    assert text_fields(model) == TEXT_FIELDS[model]


def test_a_segment_keeps_only_where_how_long_and_who():
    names = {field.name for field in OffRecordSegment._meta.concrete_fields}
    assert names == {
        "id",
        "meeting",
        "after_paragraph",
        "approx_minutes",
        "recorded_by",
        "created_at",
    }


def pdf_text(data: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return result.stdout.decode()


@pytest.fixture
def shared_meeting(meeting):
    """Visible to the coalition, with its report shared."""
    meeting.visibility = Visibility.COALITION
    meeting.save()
    return meeting


def _seed_every_field(meeting, campaigner, minister) -> dict[str, str]:
    """A unique phrase in every text field of the meeting and its rows."""
    seeds = {
        name: f"seed-{name.replace('_', '-')}"
        for name in ("title", "location", "objective_detail", "ask", "questions", "summary")
    }
    for name, value in seeds.items():
        setattr(meeting, name, value)
    meeting.notes = "seed-notes-one\nseed-notes-two"
    meeting.save()
    Commitment.objects.create(meeting=meeting, by="them", text="seed-commitment", person=minister)
    FollowUp.objects.create(
        meeting=meeting,
        organisation=meeting.organisation,
        owner=campaigner,
        title="seed-follow-up",
        note="seed-follow-up-note",
    )
    return seeds


def test_the_marker_shows_internally_and_nowhere_else(
    client, campaigner, coalition_partner, shared_meeting, minister
):
    seeds = _seed_every_field(shared_meeting, campaigner, minister)
    services.off_record_mark(meeting=shared_meeting, user=campaigner, approx_minutes=17)
    services.meeting_share(meeting=shared_meeting, user=campaigner, shared=True)

    client.force_login(campaigner)
    internal = client.get(shared_meeting.get_absolute_url()).content.decode()
    notes_end = internal.index("seed-notes-two")
    marker = internal.index("A part of the meeting was off the record (about 17 minutes).")
    assert marker > notes_end  # placed where the notes had got to
    assert internal.count("A part of the meeting was off the record") == 1

    client.force_login(coalition_partner)
    outputs = {
        "partner's page": client.get(shared_meeting.get_absolute_url()).content.decode(),
        "shared report": client.get(
            reverse("meetings:report", args=[shared_meeting.pk])
        ).content.decode(),
        "dossier": str(services.dossier(shared_meeting, campaigner)),
        "feed": client.get(
            CalendarFeed.objects.create(
                owner=campaigner, token=CalendarFeed.new_token()
            ).get_absolute_url()
        ).content.decode(),
        "report PDF": pdf_text(briefs.report_pdf(shared_meeting, "en")[0]),
    }
    for name, text in outputs.items():
        assert MARKER not in text.lower(), name
        assert "17 minutes" not in text, name
        assert "seed-notes" not in text, name
    # The checks read real content: the shared parts are there.
    assert seeds["summary"] in outputs["shared report"]
    assert seeds["summary"] in outputs["partner's page"]
    assert seeds["summary"] in outputs["report PDF"]
    assert seeds["ask"] in outputs["dossier"]
    assert seeds["title"] in outputs["feed"]


PHRASE = "Quartz-Heron-Tamarind said off the record"


def test_what_is_typed_after_an_off_record_marker_never_leaves_the_organisation(
    client, campaigner, coalition_partner, shared_meeting, minister, organisation, campaign
):
    """A campaigner marks an off-the-record part, then types the next paragraph straight
    away (as someone who forgot to stop would). That paragraph is notes: it reaches no
    shared page, report, feed, dossier or PDF."""
    client.force_login(campaigner)
    write_up = reverse("meetings:write_up", args=[shared_meeting.pk])
    data = {
        **_no_rows("commitments"),
        **_no_rows("follow_ups"),
        "notes": "The minister opened with the budget.",
        "summary": "Supportive in principle.",
        "off_record_minutes": "10",
        "action": "off_record",
    }
    response = client.post(write_up, data)
    assert response.url == write_up + "?marked=1#id_notes"
    marked = client.get(write_up + "?marked=1")
    notes = marked.context["form"]["notes"].value()
    assert notes == "The minister opened with the budget.\n"
    client.post(write_up, {**data, "notes": notes + PHRASE, "action": "save", "finished": "on"})
    client.post(reverse("meetings:share", args=[shared_meeting.pk]), {"shared": "1"})
    shared_meeting.refresh_from_db()
    assert shared_meeting.status == Meeting.Status.WRITTEN_UP
    segment = shared_meeting.off_record.get()
    assert (segment.after_paragraph, segment.approx_minutes) == (1, 10)

    # Internally the marker stands between the two paragraphs.
    internal = client.get(shared_meeting.get_absolute_url()).content.decode()
    first, marker = internal.index("opened with the budget"), internal.index("about 10 minutes")
    assert first < marker < internal.index(PHRASE)

    later = MeetingFactory(
        organisation=organisation, created_by=campaigner, campaign=campaign, title="Second round"
    )
    later.starts_at = shared_meeting.starts_at + dt.timedelta(days=30)
    later.save()
    AttendeeFactory(meeting=later, person=minister)
    brief = briefs.brief_start(meeting=later, language="en", created_by=campaigner)
    briefs.brief_render(brief=brief)
    brief.refresh_from_db()
    feed = CalendarFeed.objects.create(owner=campaigner, token=CalendarFeed.new_token())
    client.force_login(coalition_partner)
    outputs = {
        "partner's page": client.get(shared_meeting.get_absolute_url()).content.decode(),
        "shared report": client.get(
            reverse("meetings:report", args=[shared_meeting.pk])
        ).content.decode(),
        "feed": client.get(feed.get_absolute_url()).content.decode(),
        "dossier of the meeting": str(services.dossier(shared_meeting, campaigner)),
        "dossier of the next meeting": str(services.dossier(later, campaigner)),
        "report PDF": pdf_text(briefs.report_pdf(shared_meeting, "en")[0]),
        "pack PDF of the next meeting": pdf_text(briefs.pack_pdf(later, campaigner, "en")[0]),
        "brief PDF of the next meeting": pdf_text(brief.pdf.read()),
    }
    for name, text in outputs.items():
        assert PHRASE not in text, name
        assert "Quartz-Heron" not in text, name
    # Not vacuous: each output holds the meeting's shared content.
    assert "Supportive in principle." in outputs["shared report"]
    assert "Supportive in principle." in outputs["dossier of the next meeting"]
    assert "Supportive in principle." in outputs["partner's page"]
    assert shared_meeting.title in outputs["feed"]


def _no_rows(prefix: str) -> dict:
    """An empty formset, as a page with no rows would post it."""
    return {
        f"{prefix}-TOTAL_FORMS": "0",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
