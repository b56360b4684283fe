"""The brief, pack and report pages and downloads: who may do what, and what comes back."""

import pytest
from django.urls import reverse

from advocacy.models import AuditEvent, Visibility
from meetings import briefs
from meetings.models import Brief
from tests.advocacy.pdfs import pdf_text, pdf_words
from tests.meetings.briefs_world import ARABIC_ASK, ASK, MESSAGES_AR, OFF_RECORD, build_world


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def world(organisation, campaigner):
    return build_world(organisation, campaigner)


@pytest.fixture
def brief(world, campaigner):
    return briefs.brief_start(meeting=world.meeting, language="en", created_by=campaigner)


def _edit_data(**changes) -> dict:
    data = {
        "title": "Join the ban",
        "ask": "Sign the treaty at the next ceremony",
        "messages": "Second message\nFirst message",
        "facts": "112 states are party | UN Treaty Collection | https://treaties.un.org/",
        "hook": "Your ministry leads on disarmament.",
        "contact": "Home Org\ninfo@home.example.org",
    }
    return {**data, **changes}


def test_the_brief_page_offers_to_start_a_brief(client, campaigner, world):
    client.force_login(campaigner)

    response = client.get(reverse("meetings:brief", args=[world.meeting.pk]))

    assert response.status_code == 200
    assert reverse("meetings:brief_create", args=[world.meeting.pk]) in response.content.decode()
    assert reverse("meetings:pack_pdf", args=[world.meeting.pk]) in response.content.decode()


def test_starting_a_brief_in_arabic_opens_it_for_editing(client, campaigner, world):
    client.force_login(campaigner)

    response = client.post(
        reverse("meetings:brief_create", args=[world.meeting.pk]), {"language": "ar"}
    )

    brief = Brief.objects.get(meeting=world.meeting)
    assert response.url == reverse("meetings:brief_update", args=[brief.pk])
    assert (brief.kind, brief.language) == (Brief.Kind.LEAVE_BEHIND, "ar")
    assert brief.content["messages"] == MESSAGES_AR
    page = client.get(response.url).content.decode()
    assert 'lang="ar"' in page
    assert MESSAGES_AR[0] in page


def test_saving_an_edit_keeps_the_content_and_makes_the_pdf(
    client, campaigner, brief, django_capture_on_commit_callbacks
):
    client.force_login(campaigner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("meetings:brief_update", args=[brief.pk]), _edit_data())

    assert response.status_code == 302
    brief.refresh_from_db()
    assert brief.content["ask"] == "Sign the treaty at the next ceremony"
    assert brief.content["messages"] == ["Second message", "First message"]
    assert briefs.brief_is_current(brief)
    with brief.pdf.open("rb") as kept:
        text = pdf_words(kept.read())
    assert text.index("Second message") < text.index("First message")


def test_an_invalid_edit_is_shown_again_and_changes_nothing(client, campaigner, brief):
    client.force_login(campaigner)

    response = client.post(
        reverse("meetings:brief_update", args=[brief.pk]),
        _edit_data(facts="A fact | A source | not a link"),
    )

    assert response.status_code == 400
    assert "Line 1" in response.content.decode()
    brief.refresh_from_db()
    assert brief.content["ask"] == ASK


def test_starting_again_brings_back_the_campaign_content(
    client, campaigner, brief, django_capture_on_commit_callbacks
):
    brief.content = {**brief.content, "ask": "Something else", "messages": []}
    brief.save()
    client.force_login(campaigner)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("meetings:brief_update", args=[brief.pk]), {"reset": "1"})

    brief.refresh_from_db()
    assert brief.content["ask"] == ASK
    assert len(brief.content["messages"]) == 4


def test_the_download_is_the_brief_as_a_named_pdf(client, campaigner, brief):
    client.force_login(campaigner)

    response = client.get(reverse("meetings:brief_download", args=[brief.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="brief-2026-11-23-hon-jane-doe-en.pdf"'
    )
    assert ASK in pdf_words(response.content)
    # Made on download since nothing had made it yet, and kept.
    brief.refresh_from_db()
    assert briefs.brief_is_current(brief)


def test_a_download_after_an_edit_has_the_edit(client, campaigner, brief):
    briefs.brief_render(brief=brief)
    brief.refresh_from_db()
    brief.content = {**brief.content, "ask": ARABIC_ASK}
    brief.save()  # no worker has run since
    client.force_login(campaigner)

    response = client.get(reverse("meetings:brief_download", args=[brief.pk]))

    assert ARABIC_ASK in pdf_words(response.content)


def test_a_pdf_missing_from_storage_is_made_again(client, campaigner, brief):
    briefs.brief_render(brief=brief)
    brief.refresh_from_db()
    brief.pdf.storage.delete(brief.pdf.name)
    client.force_login(campaigner)

    response = client.get(reverse("meetings:brief_download", args=[brief.pk]))

    assert ASK in pdf_words(response.content)
    brief.refresh_from_db()
    assert brief.pdf.storage.exists(brief.pdf.name)


def test_a_download_during_an_edit_gets_the_newest_content(client, campaigner, brief, monkeypatch):
    render = briefs.brief_pdf
    edits = []

    def render_while_someone_edits(rendering):
        result = render(rendering)
        if not edits:
            edited = Brief.objects.get(pk=brief.pk)
            edited.content = {**edited.content, "ask": "The newest ask"}
            edited.save()
            edits.append(edited)
        return result

    monkeypatch.setattr(briefs, "brief_pdf", render_while_someone_edits)
    client.force_login(campaigner)

    response = client.get(reverse("meetings:brief_download", args=[brief.pk]))

    assert "The newest ask" in pdf_words(response.content)


def test_a_viewer_downloads_but_does_not_edit(client, viewer, world, brief):
    client.force_login(viewer)

    assert client.get(reverse("meetings:brief_download", args=[brief.pk])).status_code == 200
    assert client.get(reverse("meetings:brief_update", args=[brief.pk])).status_code == 403
    create = reverse("meetings:brief_create", args=[world.meeting.pk])
    assert client.post(create, {"language": "fr"}).status_code == 403
    assert not Brief.objects.filter(language="fr").exists()


def test_outsiders_find_nothing(client, outsider, world, brief):
    client.force_login(outsider)
    meeting = world.meeting.pk
    urls = [
        reverse("meetings:brief", args=[meeting]),
        reverse("meetings:brief_update", args=[brief.pk]),
        reverse("meetings:brief_download", args=[brief.pk]),
        reverse("meetings:pack_pdf", args=[meeting]),
        reverse("meetings:report_pdf", args=[meeting]),
    ]

    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("meetings:brief_create", args=[meeting])).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).exists()


def test_signed_out_visitors_are_sent_to_sign_in(client, world, brief):
    response = client.get(reverse("meetings:brief_download", args=[brief.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_pack_download_is_confidential_and_recorded(client, campaigner, world):
    client.force_login(campaigner)

    response = client.get(reverse("meetings:pack_pdf", args=[world.meeting.pk]))

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="meeting-pack-2026-11-23-hon-jane-doe.pdf"'
    )
    assert "CONFIDENTIAL" in pdf_text(response.content)
    assert "Who drafts the bill?" in pdf_words(response.content)
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED)
    assert (event.actor, event.organisation) == (campaigner, world.organisation)
    assert event.target_id == str(world.meeting.pk)
    assert event.detail == {"document": "meeting_pack", "format": "pdf"}


def test_the_report_download_has_the_outcome_and_no_notes_and_is_recorded(
    client, campaigner, world
):
    client.force_login(campaigner)

    response = client.get(reverse("meetings:report_pdf", args=[world.meeting.pk]))

    text = pdf_words(response.content)
    assert "She will raise the bill in cabinet next month." in text
    assert OFF_RECORD not in text
    assert response["Content-Disposition"] == (
        'attachment; filename="meeting-report-2026-11-23-hon-jane-doe.pdf"'
    )
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED)
    assert event.detail == {"document": "meeting_report", "format": "pdf"}


def test_a_coalition_partner_gets_a_shared_report_but_never_the_pack(
    client, coalition_partner, world
):
    from django.utils import timezone

    world.meeting.visibility = Visibility.COALITION
    world.meeting.shared_report_at = timezone.now()
    world.meeting.save()
    client.force_login(coalition_partner)

    report = client.get(reverse("meetings:report_pdf", args=[world.meeting.pk]))
    pack = client.get(reverse("meetings:pack_pdf", args=[world.meeting.pk]))

    assert report.status_code == 200
    assert OFF_RECORD not in pdf_words(report.content)
    assert pack.status_code == 404
    assert client.get(reverse("meetings:brief", args=[world.meeting.pk])).status_code == 404


def test_downloads_only_answer_get(client, campaigner, world, brief):
    client.force_login(campaigner)

    assert client.post(reverse("meetings:pack_pdf", args=[world.meeting.pk])).status_code == 405
    assert client.post(reverse("meetings:brief_download", args=[brief.pk])).status_code == 405


def test_the_meeting_page_links_to_the_brief_and_the_documents(client, campaigner, world):
    client.force_login(campaigner)

    page = client.get(world.meeting.get_absolute_url()).content.decode()

    for name in ("meetings:brief", "meetings:pack_pdf", "meetings:report_pdf"):
        assert reverse(name, args=[world.meeting.pk]) in page
