"""Follow-ups: "My follow-ups", marking done, changing owner or date, and the reminders they
feed; check-ins that warn when a relationship goes quiet; meetings and follow-ups in feeds."""

import datetime as dt
import zoneinfo

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from advocacy.models import Notification
from campaigns import reminders
from campaigns.models import CalendarFeed, Relationship, Reminder
from meetings import services
from meetings.models import FollowUp, Meeting
from tests.meetings.factories import AttendeeFactory, FollowUpFactory, MeetingFactory

UTC = dt.UTC


@pytest.fixture
def follow_up(meeting, campaigner):
    follow_up = FollowUp(
        meeting=meeting,
        organisation=meeting.organisation,
        title="Send the victim-assistance figures",
        owner=campaigner,
        due_on=dt.date(2027, 4, 1),
    )
    return services.follow_up_save(follow_up=follow_up, user=campaigner)


def reminder_for(follow_up, **filters):
    return Reminder.objects.get(source_key=f"followup:{follow_up.pk}", **filters)


def test_a_dated_follow_up_reminds_its_owner_at_nine_their_time(campaigner, follow_up):
    campaigner.time_zone = "Asia/Beirut"
    campaigner.save()
    follow_up.owner.refresh_from_db()

    services.follow_up_save(follow_up=follow_up, user=campaigner)

    reminder = reminder_for(follow_up)
    beirut = zoneinfo.ZoneInfo("Asia/Beirut")
    assert reminder.due_at == dt.datetime(2027, 4, 1, 9, tzinfo=beirut)
    assert (reminder.recipient, reminder.kind, reminder.state) == (
        campaigner,
        Reminder.Kind.FOLLOW_UP,
        Reminder.State.PENDING,
    )
    assert reminder.title == "Follow-up due: Send the victim-assistance figures"
    assert reminder.url == follow_up.meeting.get_absolute_url()


def test_a_follow_up_without_a_date_has_no_reminder(meeting, campaigner):
    undated = FollowUp(organisation=meeting.organisation, title="Call back", owner=campaigner)

    services.follow_up_save(follow_up=undated, user=campaigner)

    assert not Reminder.objects.exists()


def test_a_new_owner_takes_the_reminder_over(follow_up, coordinator, campaigner):
    follow_up.owner = coordinator
    services.follow_up_save(follow_up=follow_up, user=campaigner)

    assert reminder_for(follow_up, recipient=campaigner).state == Reminder.State.CANCELLED
    assert reminder_for(follow_up, recipient=coordinator).state == Reminder.State.PENDING


def test_a_new_date_moves_the_reminder(follow_up, campaigner):
    follow_up.due_on = dt.date(2027, 4, 8)
    services.follow_up_save(follow_up=follow_up, user=campaigner)

    assert reminder_for(follow_up).due_at.date() == dt.date(2027, 4, 8)


def test_marking_done_with_htmx_cancels_the_reminder_and_returns_the_row(
    campaigner_client, follow_up
):
    response = campaigner_client.post(
        reverse("meetings:follow_up_done", args=[follow_up.pk]),
        {"done": "1"},
        headers={"HX-Request": "true"},
    )

    html = response.content.decode()
    assert html.lstrip().startswith(f'<li id="follow-up-{follow_up.pk}" class="follow-up-done"')
    assert "Open again" in html
    follow_up.refresh_from_db()
    assert follow_up.done_at is not None
    assert reminder_for(follow_up).state == Reminder.State.CANCELLED


def test_marking_done_without_javascript_goes_back(campaigner_client, follow_up):
    back = follow_up.meeting.get_absolute_url()

    response = campaigner_client.post(
        reverse("meetings:follow_up_done", args=[follow_up.pk]), {"done": "1", "next": back}
    )

    assert (response.status_code, response.url) == (302, back)
    assert FollowUp.objects.get(pk=follow_up.pk).is_done


def test_opening_again_revives_the_reminder(campaigner_client, follow_up):
    url = reverse("meetings:follow_up_done", args=[follow_up.pk])
    campaigner_client.post(url, {"done": "1"})

    campaigner_client.post(url, {"done": "0"})

    assert not FollowUp.objects.get(pk=follow_up.pk).is_done
    assert reminder_for(follow_up).state == Reminder.State.PENDING


def test_changing_owner_and_date_on_the_page(campaigner_client, follow_up, coordinator):
    url = reverse("meetings:follow_up_update", args=[follow_up.pk])
    assert campaigner_client.get(url).status_code == 200

    response = campaigner_client.post(
        url,
        {"title": follow_up.title, "owner": coordinator.pk, "due_on": "2027-05-02", "note": ""},
    )

    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.owner, follow_up.due_on) == (coordinator, dt.date(2027, 5, 2))
    assert reminder_for(follow_up, recipient=coordinator).due_at.date() == dt.date(2027, 5, 2)


def test_an_owner_outside_the_organisation_is_refused(campaigner_client, follow_up, outsider):
    response = campaigner_client.post(
        reverse("meetings:follow_up_update", args=[follow_up.pk]),
        {"title": follow_up.title, "owner": outsider.pk, "due_on": "", "note": ""},
    )

    assert response.status_code == 400
    assert FollowUp.objects.get(pk=follow_up.pk).owner != outsider


def test_deleting_cancels_the_reminder(campaigner_client, follow_up):
    key = f"followup:{follow_up.pk}"

    campaigner_client.post(reverse("meetings:follow_up_delete", args=[follow_up.pk]))

    assert not FollowUp.objects.exists()
    assert Reminder.objects.get(source_key=key).state == Reminder.State.CANCELLED


def test_an_outsider_cannot_touch_a_follow_up(outsider_client, follow_up):
    response = outsider_client.post(
        reverse("meetings:follow_up_done", args=[follow_up.pk]), {"done": "1"}
    )

    assert response.status_code == 404
    assert not FollowUp.objects.get(pk=follow_up.pk).is_done


def test_my_follow_ups_lists_overdue_first_then_done_recently(
    campaigner_client, campaigner, meeting
):
    today = timezone.localdate()
    later = FollowUpFactory(meeting=meeting, owner=campaigner, due_on=today + dt.timedelta(3))
    overdue = FollowUpFactory(meeting=meeting, owner=campaigner, due_on=today - dt.timedelta(2))
    undated = FollowUpFactory(meeting=meeting, owner=campaigner)
    done = FollowUpFactory(meeting=meeting, owner=campaigner, done_at=timezone.now())
    long_done = FollowUpFactory(
        meeting=meeting, owner=campaigner, done_at=timezone.now() - dt.timedelta(days=60)
    )
    someone_elses = FollowUpFactory(meeting=meeting)

    response = campaigner_client.get(reverse("meetings:follow_ups"))

    assert response.context["open"] == [overdue, later, undated]
    assert response.context["done"] == [done]
    html = response.content.decode()
    assert "Overdue: due" in html
    assert someone_elses.title not in html
    assert long_done.title not in html


def test_the_reminder_arrives_in_the_owners_inbox(
    campaigner, follow_up, django_capture_on_commit_callbacks
):
    due = reminder_for(follow_up).due_at

    # The dispatcher queues delivery once its claim commits; tasks run in-process here.
    with django_capture_on_commit_callbacks(execute=True):
        reminders.reminders_dispatch(now=due + dt.timedelta(minutes=1))

    reminder = reminder_for(follow_up)
    assert reminder.state == Reminder.State.SENT
    notification = Notification.objects.get(recipient=campaigner)
    assert notification.title == "Follow-up due: Send the victim-assistance figures"
    assert notification.url == follow_up.meeting.get_absolute_url()


def test_a_quiet_check_in_relationship_warns_its_owner(campaigner, meeting, minister):
    meeting.kind = Meeting.Kind.CHECK_IN
    meeting.starts_at = timezone.now() - dt.timedelta(days=40)
    meeting.save()
    services.check_in_cadence_set(meeting=meeting, cadence_days=30)
    services.meeting_write_up(meeting=meeting, user=campaigner, finished=True)
    relationship = Relationship.objects.get(owner=campaigner, person=minister)
    assert relationship.last_contact_on == meeting.local_date

    reminders.relationships_plan(now=timezone.now())

    quiet = Reminder.objects.get(kind=Reminder.Kind.QUIET_RELATIONSHIP, recipient=campaigner)
    assert quiet.title == "Time to get in touch with Amina Diallo"


# Calendar feeds


def fetch(client, feed: CalendarFeed) -> dict[str, icalendar.Event]:
    response = client.get(feed.get_absolute_url())
    assert response.status_code == 200
    parsed = icalendar.Calendar.from_ical(response.content)
    return {str(event["SUMMARY"]): event for event in parsed.walk("VEVENT")}


def test_the_personal_feed_holds_my_meetings_and_follow_ups(client, campaigner, meeting, follow_up):
    meeting.notes = "Nothing from the notes goes to a calendar"
    meeting.save()
    feed = CalendarFeed.objects.create(owner=campaigner, token=CalendarFeed.new_token())

    events = fetch(client, feed)

    event = events[meeting.title]
    assert event["DTSTART"].dt == meeting.local_start
    assert event["DTSTART"].params["TZID"] == "Europe/Zurich"
    assert str(event["UID"]).startswith(f"meeting-{meeting.pk}@")
    assert "Amina Diallo" in str(event["DESCRIPTION"])
    task = events["Follow-up: Send the victim-assistance figures"]
    assert task["DTSTART"].dt == dt.date(2027, 4, 1)
    assert b"Nothing from the notes" not in client.get(feed.get_absolute_url()).content


def test_a_campaign_feed_holds_the_campaigns_meetings(client, coordinator, meeting, campaign):
    feed = CalendarFeed.objects.create(
        owner=coordinator, campaign=campaign, token=CalendarFeed.new_token()
    )

    assert meeting.title in fetch(client, feed)


def test_a_feed_leaves_out_meetings_its_owner_cannot_see(client, outsider, meeting):
    feed = CalendarFeed.objects.create(owner=outsider, token=CalendarFeed.new_token())

    assert fetch(client, feed) == {}


@pytest.mark.parametrize("size", [1, 5])
def test_feed_queries_do_not_grow_with_meetings(
    client, campaigner, organisation, size, django_assert_num_queries
):
    for _ in range(size):
        meeting = MeetingFactory(organisation=organisation, created_by=campaigner)
        AttendeeFactory.create_batch(2, meeting=meeting)
        FollowUpFactory(meeting=meeting, owner=campaigner, due_on=dt.date(2027, 1, 5))
    feed = CalendarFeed.objects.create(owner=campaigner, token=CalendarFeed.new_token())
    # the feed with its owner and campaign (joined), visible events, the owner's meetings
    # (campaign, organisation and lead joined), their attendees (people and institutions
    # joined), open follow-ups (meetings joined)
    with django_assert_num_queries(5):
        events = fetch(client, feed)
    assert len(events) == 2 * size
