"""Visibility per meeting, and the outcome report shared with the coalition: its shared
parts only, never notes, questions, the checklist, private notes or off-record parts."""

import pytest
from django.urls import reverse

from advocacy.models import AuditEvent, Visibility
from meetings import services
from meetings.models import Commitment, FollowUp


@pytest.fixture
def written_up(meeting, campaigner, minister):
    meeting.notes = "Private-notes-Alpha"
    meeting.questions = "Private-question-Bravo"
    meeting.summary = "Shared-outcome-Charlie"
    meeting.objective = "change_position"
    meeting.objective_detail = "Shared-objective-Delta"
    meeting.save()
    Commitment.objects.create(meeting=meeting, by="them", text="Shared-commitment-Echo")
    FollowUp.objects.create(
        meeting=meeting,
        organisation=meeting.organisation,
        owner=campaigner,
        title="Shared-follow-up-Foxtrot",
        note="Private-follow-up-note-Golf",
    )
    services.stance_record(
        meeting=meeting,
        person=minister,
        stance="supportive",
        user=campaigner,
        note="Private-stance-note-Hotel",
    )
    services.off_record_mark(meeting=meeting, user=campaigner, approx_minutes=5)
    return meeting


SHARED = [
    "Shared-outcome-Charlie",
    "Shared-objective-Delta",
    "Shared-commitment-Echo",
    "Shared-follow-up-Foxtrot",
    "Amina Diallo</bdi>: Supportive",
]
PRIVATE = [
    "Private-notes-Alpha",
    "Private-question-Bravo",
    "Private-follow-up-note-Golf",
    "Private-stance-note-Hotel",
    "off the record",
    "Prep checklist",
    "Background dossier",
]


def report_url(meeting):
    return reverse("meetings:report", args=[meeting.pk])


def assert_shared_view(html: str) -> None:
    for text in SHARED:
        assert text in html, text
    for text in PRIVATE:
        assert text not in html, text


def test_the_organisation_sees_everything(campaigner_client, written_up):
    html = campaigner_client.get(written_up.get_absolute_url()).content.decode()

    for text in [*SHARED, "Private-notes-Alpha", "Private-question-Bravo", "Prep checklist"]:
        assert text in html, text


def test_a_coalition_partner_gets_the_shared_view_of_a_coalition_meeting(
    client, coalition_partner, written_up
):
    written_up.visibility = Visibility.COALITION
    written_up.save()
    client.force_login(coalition_partner)

    response = client.get(written_up.get_absolute_url())

    assert response.status_code == 200
    assert_shared_view(response.content.decode())
    assert "dossier" not in response.context


def test_an_organisation_meeting_is_hidden_from_partners_until_its_report_is_shared(
    client, campaigner, coalition_partner, written_up
):
    client.force_login(coalition_partner)
    assert client.get(written_up.get_absolute_url()).status_code == 404
    assert client.get(report_url(written_up)).status_code == 404

    services.meeting_share(meeting=written_up, user=campaigner, shared=True)

    response = client.get(report_url(written_up))
    assert response.status_code == 200
    assert_shared_view(response.content.decode())
    assert client.get(written_up.get_absolute_url()).status_code == 404


def test_sharing_from_the_page_is_recorded_and_can_be_undone(
    campaigner_client, client, coalition_partner, written_up
):
    share = reverse("meetings:share", args=[written_up.pk])

    campaigner_client.post(share, {"shared": "1"})

    written_up.refresh_from_db()
    assert written_up.shared_report_at is not None
    assert AuditEvent.objects.filter(
        target_id=str(written_up.pk), detail__shared_report=True
    ).exists()
    campaigner_client.post(share, {"shared": "0"})
    written_up.refresh_from_db()
    assert written_up.shared_report_at is None
    client.force_login(coalition_partner)
    assert client.get(report_url(written_up)).status_code == 404


def test_a_shared_report_stays_inside_the_coalition(outsider_client, campaigner, written_up):
    services.meeting_share(meeting=written_up, user=campaigner, shared=True)

    assert outsider_client.get(report_url(written_up)).status_code == 404


def test_a_viewer_reads_but_cannot_share(client, viewer, written_up):
    client.force_login(viewer)

    assert client.get(written_up.get_absolute_url()).status_code == 200
    response = client.post(reverse("meetings:share", args=[written_up.pk]), {"shared": "1"})

    assert response.status_code == 403
    written_up.refresh_from_db()
    assert written_up.shared_report_at is None


def test_a_private_meeting_is_its_authors_alone(client, coordinator, written_up):
    written_up.visibility = Visibility.PRIVATE
    written_up.save()
    client.force_login(coordinator)

    assert client.get(written_up.get_absolute_url()).status_code == 404
    assert (
        client.get(reverse("meetings:list") + "?when=upcoming").context["page"].paginator.count == 0
    )


def test_the_report_previews_for_the_organisation_before_sharing(campaigner_client, written_up):
    response = campaigner_client.get(report_url(written_up))

    assert "not shared: this is how the report would read" in response.content.decode()
    assert_shared_view(response.content.decode())
