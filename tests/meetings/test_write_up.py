"""The full write-up of a formal meeting: notes, outcome, commitments, follow-ups, stance
updates with the meeting as evidence; logging moves relationships' last contact forward."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Relationship, Reminder
from contacts.models import StanceAssessment
from meetings.models import Commitment, FollowUp, Meeting
from tests import factories
from tests.meetings.factories import CommitmentFactory


def formset(prefix: str, rows: list[dict], initial: int = 0, extra_blank: int = 0) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows) + extra_blank),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"{prefix}-{index}-{name}"] = value
    return data


def write_up_data(*, commitments=(), follow_ups=(), finished=True, stances=None, **fields) -> dict:
    data = {
        "notes": "The minister opened with the budget.\nShe asked for the victim figures.",
        "summary": "Supportive in principle; wants the figures before cabinet.",
        "off_record_minutes": "",
        "action": "save",
        **formset("commitments", list(commitments)),
        **formset("follow_ups", list(follow_ups)),
        **{f"stance-stance_{pk}": value for pk, value in (stances or {}).items()},
    }
    if finished:
        data["finished"] = "on"
    data.update(fields)
    return data


def url(meeting):
    return reverse("meetings:write_up", args=[meeting.pk])


def test_the_write_up_page_offers_a_stance_for_each_person(campaigner_client, meeting, minister):
    response = campaigner_client.get(url(meeting))

    assert response.status_code == 200
    assert f"stance-stance_{minister.pk}" in response.content.decode()


def test_a_finished_write_up_saves_everything(campaigner_client, campaigner, meeting, minister):
    data = write_up_data(
        commitments=[
            {"by": "them", "text": "Raise it at cabinet", "person": minister.pk, "due_on": ""},
            {"by": "us", "text": "Send the victim figures", "person": "", "due_on": "2027-04-01"},
        ],
        follow_ups=[
            {"title": "Send the figures", "owner": campaigner.pk, "due_on": "2027-04-01"},
        ],
    )

    response = campaigner_client.post(url(meeting), data)

    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.WRITTEN_UP
    assert meeting.summary.startswith("Supportive in principle")
    assert meeting.notes.startswith("The minister opened")
    them, us = Commitment.objects.order_by("by").filter(meeting=meeting)
    assert (them.by, them.text, them.person) == ("them", "Raise it at cabinet", minister)
    assert (us.by, us.due_on) == ("us", dt.date(2027, 4, 1))
    follow_up = FollowUp.objects.get()
    assert (follow_up.owner, follow_up.organisation, follow_up.meeting) == (
        campaigner,
        meeting.organisation,
        meeting,
    )
    assert follow_up.created_by == campaigner


def test_a_draft_makes_the_meeting_held(campaigner_client, meeting):
    campaigner_client.post(url(meeting), write_up_data(finished=False))

    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.HELD


def test_blank_rows_are_left_out(campaigner_client, campaigner, meeting):
    # As a browser sends them: the owner's select keeps its default, the rest is empty.
    blank_follow_up = {"title": "", "owner": campaigner.pk, "due_on": "", "note": ""}
    blank_commitment = {"by": "", "text": "", "person": "", "due_on": "", "done_on": ""}
    data = write_up_data(
        follow_ups=[blank_follow_up, blank_follow_up],
        commitments=[blank_commitment, blank_commitment],
    )

    response = campaigner_client.post(url(meeting), data)

    assert response.status_code == 302
    assert not FollowUp.objects.exists()
    assert not Commitment.objects.exists()


def test_a_stance_update_is_assessed_with_the_meeting_as_evidence(
    campaigner_client, campaigner, meeting, minister
):
    campaigner_client.post(url(meeting), write_up_data(stances={minister.pk: "supportive"}))

    assessment = StanceAssessment.objects.get()
    assert (assessment.person, assessment.stance) == (minister, "supportive")
    assert assessment.evidence == StanceAssessment.Evidence.MEETING
    assert assessment.evidence_object == f"meetings.meeting:{meeting.pk}"
    assert assessment.organisation == meeting.organisation
    assert assessment.campaign == meeting.campaign
    assert assessment.created_by == campaigner
    assert assessment.visibility == meeting.visibility


def test_no_change_records_no_stance(campaigner_client, meeting, minister):
    campaigner_client.post(url(meeting), write_up_data(stances={minister.pk: ""}))

    assert not StanceAssessment.objects.exists()


def test_a_meeting_without_campaign_offers_no_stance(campaigner_client, meeting, minister):
    meeting.campaign = None
    meeting.save()

    response = campaigner_client.get(url(meeting))

    assert f"stance_{minister.pk}" not in response.content.decode()


def test_logging_moves_last_contact_for_the_organisations_relationships(
    campaigner_client, campaigner, coordinator, outsider, meeting, minister
):
    meeting.starts_at = timezone.now() - dt.timedelta(days=2)
    meeting.save()
    long_ago = timezone.localdate() - dt.timedelta(days=100)
    mine = Relationship.objects.create(owner=campaigner, person=minister, last_contact_on=long_ago)
    colleague = Relationship.objects.create(owner=coordinator, person=minister)
    theirs = Relationship.objects.create(owner=outsider, person=minister, last_contact_on=long_ago)

    campaigner_client.post(url(meeting), write_up_data())

    day = meeting.local_date
    assert Relationship.objects.get(pk=mine.pk).last_contact_on == day
    assert Relationship.objects.get(pk=colleague.pk).last_contact_on == day
    assert Relationship.objects.get(pk=theirs.pk).last_contact_on == long_ago


def test_a_later_contact_is_not_moved_back(campaigner_client, campaigner, meeting, minister):
    meeting.starts_at = timezone.now() - dt.timedelta(days=20)
    meeting.save()
    recent = timezone.localdate() - dt.timedelta(days=1)
    relationship = Relationship.objects.create(
        owner=campaigner, person=minister, last_contact_on=recent
    )

    campaigner_client.post(url(meeting), write_up_data())

    assert Relationship.objects.get(pk=relationship.pk).last_contact_on == recent


def test_logging_cancels_the_quiet_reminder_of_the_old_period(
    campaigner_client, campaigner, meeting, minister
):
    meeting.starts_at = timezone.now() - dt.timedelta(hours=3)
    meeting.save()
    old = timezone.localdate() - dt.timedelta(days=90)
    relationship = Relationship.objects.create(
        owner=campaigner, person=minister, cadence_days=30, last_contact_on=old
    )
    quiet = Reminder.objects.create(
        recipient=campaigner,
        due_at=timezone.now(),
        kind=Reminder.Kind.QUIET_RELATIONSHIP,
        source_key=f"quiet:{relationship.pk}:{(old + dt.timedelta(days=30)).isoformat()}",
        title="Time to get in touch",
    )

    campaigner_client.post(url(meeting), write_up_data())

    assert Reminder.objects.get(pk=quiet.pk).state == Reminder.State.CANCELLED


def test_invalid_rows_show_errors_and_nothing_is_saved(campaigner_client, meeting):
    data = write_up_data(follow_ups=[{"title": "", "owner": "", "due_on": "2027-04-01"}])

    response = campaigner_client.post(url(meeting), data)

    assert response.status_code == 400
    assert "Please correct the following" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED
    assert meeting.notes == ""


def test_follow_up_owners_are_of_the_meetings_organisation(campaigner_client, meeting, outsider):
    data = write_up_data(follow_ups=[{"title": "Call back", "owner": outsider.pk, "due_on": ""}])

    response = campaigner_client.post(url(meeting), data)

    assert response.status_code == 400
    assert not FollowUp.objects.exists()


@pytest.mark.parametrize("who", ["viewer", "coalition_partner"])
def test_only_editors_write_up(client, meeting, who, request):
    meeting.visibility = "coalition"
    meeting.save()
    client.force_login(request.getfixturevalue(who))

    response = client.post(url(meeting), write_up_data())

    assert response.status_code == 403
    meeting.refresh_from_db()
    assert meeting.notes == ""


def test_the_meeting_page_shows_the_write_up(campaigner_client, meeting):
    campaigner_client.post(url(meeting), write_up_data())

    html = campaigner_client.get(meeting.get_absolute_url()).content.decode()

    assert "She asked for the victim figures." in html
    assert "Supportive in principle" in html


def test_commitments_can_be_marked_done_later(campaigner_client, meeting):
    commitment = CommitmentFactory(meeting=meeting, by="us", text="Send the figures")
    data = write_up_data()
    data.update(
        formset(
            "commitments",
            [
                {
                    "id": commitment.pk,
                    "meeting": meeting.pk,
                    "by": "us",
                    "text": commitment.text,
                    "person": "",
                    "due_on": "",
                    "done_on": "2027-05-02",
                }
            ],
            initial=1,
        )
    )

    campaigner_client.post(url(meeting), data)

    commitment.refresh_from_db()
    assert commitment.done_on == dt.date(2027, 5, 2)


def test_an_unknown_person_in_a_commitment_is_refused(campaigner_client, meeting):
    stranger = factories.PersonFactory()
    data = write_up_data(commitments=[{"by": "them", "text": "x", "person": stranger.pk}])

    response = campaigner_client.post(url(meeting), data)

    assert response.status_code == 400
    assert not Commitment.objects.exists()


def test_the_persons_timeline_lists_the_meeting_for_those_who_see_it(
    campaigner_client, client, outsider, meeting, minister
):
    campaigner_client.post(url(meeting), write_up_data())

    timeline = campaigner_client.get(minister.get_absolute_url()).context["timeline"]
    entry = next(e for e in timeline if e.kind == "meeting")
    assert entry.url == meeting.get_absolute_url()
    assert entry.title == f"{meeting.title} · {meeting.campaign.name}"
    assert entry.detail.startswith("Supportive in principle")
    client.force_login(outsider)
    outsiders = client.get(minister.get_absolute_url()).context["timeline"]
    assert not [e for e in outsiders if e.kind == "meeting"]
