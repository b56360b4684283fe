"""Planning: rules over calendar events become reminder rows, once, and follow changes."""

import datetime as dt

import pytest

from advocacy.models import Membership, Visibility
from campaigns import reminders
from campaigns.models import CalendarEvent, Reminder, ReminderRule
from tests.campaigns import reminder_world as world
from tests.factories import CampaignFactory, MembershipFactory, OrganisationFactory

UTC = dt.UTC
NOW = dt.datetime(2027, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def campaign(organisation, coordinator):
    return CampaignFactory(organisation=organisation, created_by=coordinator, treaty=world.treaty())


@pytest.fixture
def treaty_calendar(organisation):
    return world.calendar(organisation)


def plan(rule, now=NOW):
    return reminders.rule_plan(rule=rule, now=now)


def due_times(**filters) -> list[dt.datetime]:
    return sorted(
        Reminder.objects.filter(state=Reminder.State.PENDING, **filters).values_list(
            "due_at", flat=True
        )
    )


def test_a_rule_reminds_everyone_with_its_role_before_each_event(
    campaign, treaty_calendar, campaigner, coordinator, viewer
):
    other_campaigner = MembershipFactory(
        organisation=campaign.organisation, role=Membership.Role.CAMPAIGNER
    ).user
    msp = world.event(treaty_calendar, dt.datetime(2027, 9, 1, 8, tzinfo=UTC), campaign=campaign)
    rule = world.rule(campaign, 28)

    result = plan(rule)

    reminders_made = Reminder.objects.filter(rule=rule)
    assert result.created == 2
    assert {r.recipient for r in reminders_made} == {campaigner, other_campaigner}
    made = reminders_made.first()
    # Four weeks before 10:00 in Geneva (summer time) is 10:00 in Geneva, still summer time.
    assert made.due_at == dt.datetime(2027, 8, 4, 8, tzinfo=UTC)
    assert (made.kind, made.event, made.message) == (
        Reminder.Kind.EVENT,
        msp,
        "Book meetings with the delegation.",
    )
    assert made.title == "Meeting of States Parties (2027-09-01)"
    assert made.occurrence_start == msp.start


def test_planning_again_makes_nothing_new(campaign, treaty_calendar, campaigner):
    world.event(treaty_calendar, dt.datetime(2027, 9, 1, 8, tzinfo=UTC), campaign=campaign)
    rule = world.rule(campaign, 7)
    plan(rule)
    keys = list(Reminder.objects.values_list("source_key", flat=True))

    second = plan(rule)
    third = reminders.reminders_plan(now=NOW)

    assert (second.created, second.cancelled, third.created, third.cancelled) == (0, 0, 0, 0)
    assert list(Reminder.objects.values_list("source_key", flat=True)) == keys


def test_days_are_counted_on_the_events_wall_clock_across_a_clock_change(
    campaign, treaty_calendar, campaigner
):
    # 14:30 in Geneva on 6 April 2027 (summer time); two weeks earlier Geneva is on winter
    # time, so the reminder is at 14:30 local, 13:30 UTC, not 12:30 UTC.
    start = world.local("Europe/Zurich", 2027, 4, 6, 14, 30)
    world.event(treaty_calendar, start, campaign=campaign)
    rule = world.rule(campaign, 14)

    plan(rule)

    assert due_times() == [dt.datetime(2027, 3, 23, 13, 30, tzinfo=UTC)]


def test_hours_are_elapsed_time(campaign, treaty_calendar, campaigner):
    start = world.local("America/New_York", 2027, 3, 14, 9, 0)  # clocks went forward at 02:00
    world.event(treaty_calendar, start, campaign=campaign, time_zone="America/New_York")
    rule = world.rule(campaign, 12, unit=ReminderRule.Unit.HOURS)

    plan(rule)

    assert due_times() == [start.astimezone(UTC) - dt.timedelta(hours=12)]


def test_all_day_events_are_reminded_in_the_morning_and_the_day_after_the_last_day(
    campaign, treaty_calendar, campaigner
):
    # An all-day meeting of states parties in Geneva, 1 to 3 September 2027.
    world.event(
        treaty_calendar,
        world.local("Europe/Zurich", 2027, 9, 1),
        end=world.local("Europe/Zurich", 2027, 9, 4),
        all_day=True,
        campaign=campaign,
    )
    before = world.rule(campaign, 7)
    after = world.rule(campaign, 1, direction=ReminderRule.Direction.AFTER)

    plan(before)
    plan(after)

    assert due_times(rule=before) == [world.local("Europe/Zurich", 2027, 8, 25, 9)]
    assert due_times(rule=after) == [world.local("Europe/Zurich", 2027, 9, 4, 9)]


def test_after_a_timed_event_counts_from_its_end(campaign, treaty_calendar, campaigner):
    world.event(
        treaty_calendar,
        dt.datetime(2027, 9, 1, 8, tzinfo=UTC),
        end=dt.datetime(2027, 9, 3, 16, tzinfo=UTC),
        campaign=campaign,
    )
    rule = world.rule(campaign, 1, direction=ReminderRule.Direction.AFTER)

    plan(rule)

    assert due_times() == [dt.datetime(2027, 9, 4, 16, tzinfo=UTC)]


def test_a_recurring_event_gets_a_reminder_per_occurrence_within_the_horizon(
    campaign, treaty_calendar, campaigner
):
    # The convention's anniversary, every 1 August: 2027 and 2028 fall within 400 days.
    world.event(
        treaty_calendar,
        world.local("Europe/Zurich", 2010, 8, 1, 9),
        kind=CalendarEvent.Kind.ANNIVERSARY,
        rrule="FREQ=YEARLY",
        campaign=campaign,
    )
    rule = world.rule(campaign, 7, event_kind=CalendarEvent.Kind.ANNIVERSARY)

    plan(rule)

    assert due_times() == [world.local("Europe/Zurich", 2027, 7, 25, 9)]
    plan(rule, now=dt.datetime(2027, 8, 1, tzinfo=UTC))
    assert due_times() == [
        world.local("Europe/Zurich", 2027, 7, 25, 9),
        world.local("Europe/Zurich", 2028, 7, 25, 9),
    ]


def test_only_events_of_the_rules_kind_count(campaign, treaty_calendar, campaigner):
    world.event(treaty_calendar, dt.datetime(2027, 9, 1, tzinfo=UTC), campaign=campaign)
    world.event(
        treaty_calendar,
        dt.datetime(2027, 6, 1, tzinfo=UTC),
        kind=CalendarEvent.Kind.INTERSESSIONAL,
        campaign=campaign,
    )
    any_kind = world.rule(campaign, 7, event_kind="")
    msp_only = world.rule(campaign, 14)

    plan(any_kind)
    plan(msp_only)

    assert Reminder.objects.filter(rule=any_kind).count() == 2
    assert list(Reminder.objects.filter(rule=msp_only).values_list("event__kind", flat=True)) == [
        "msp"
    ]


def test_treaty_events_count_when_the_organisation_can_see_their_calendar(
    campaign, campaigner, coalition
):
    start = dt.datetime(2027, 9, 1, tzinfo=UTC)
    partner = OrganisationFactory(coalition=coalition)
    shared = world.calendar(partner, name="Coalition calendar", visibility=Visibility.COALITION)
    partners_own = world.calendar(partner, name="Partner's calendar")
    private = world.calendar(campaign.organisation, name="Mine", visibility=Visibility.PRIVATE)
    outside = world.calendar(
        OrganisationFactory(), name="Elsewhere", visibility=Visibility.COALITION
    )
    seen = world.event(shared, start, treaty=campaign.treaty, title="13MSP")
    for hidden in (partners_own, private, outside):
        world.event(hidden, start, treaty=campaign.treaty, title="Hidden")
    other_campaign = CampaignFactory(organisation=campaign.organisation)
    world.event(shared, start, treaty=campaign.treaty, campaign=other_campaign, title="Other")
    rule = world.rule(campaign, 7)

    plan(rule)

    assert list(Reminder.objects.values_list("event", flat=True)) == [seen.pk]


def test_a_private_campaign_reminds_only_its_author(organisation, coordinator, campaigner):
    private = CampaignFactory(
        organisation=organisation, created_by=campaigner, visibility=Visibility.PRIVATE
    )
    MembershipFactory(organisation=organisation, role=Membership.Role.CAMPAIGNER)
    world.event(world.calendar(organisation), dt.datetime(2027, 9, 1, tzinfo=UTC), campaign=private)
    rule = world.rule(private, 7)

    plan(rule)

    assert list(Reminder.objects.values_list("recipient", flat=True)) == [campaigner.pk]


def test_moving_an_event_cancels_the_old_reminder_and_plans_a_new_one(
    campaign, treaty_calendar, campaigner
):
    msp = world.event(treaty_calendar, dt.datetime(2027, 9, 1, 8, tzinfo=UTC), campaign=campaign)
    rule = world.rule(campaign, 7)
    plan(rule)
    old = Reminder.objects.get()

    msp.start = dt.datetime(2027, 9, 8, 8, tzinfo=UTC)
    msp.save()
    result = plan(rule)

    old.refresh_from_db()
    assert old.state == Reminder.State.CANCELLED
    assert (result.created, result.cancelled) == (1, 1)
    assert due_times() == [dt.datetime(2027, 9, 1, 8, tzinfo=UTC)]


def test_changing_the_offset_replaces_pending_reminders_and_keeps_sent_ones(
    campaign, treaty_calendar, campaigner
):
    world.event(treaty_calendar, dt.datetime(2027, 9, 1, 8, tzinfo=UTC), campaign=campaign)
    world.event(treaty_calendar, dt.datetime(2027, 3, 5, 8, tzinfo=UTC), campaign=campaign)
    rule = world.rule(campaign, 7)
    plan(rule, now=dt.datetime(2027, 2, 20, tzinfo=UTC))
    # The March reminder was due a week before 5 March, and went out.
    Reminder.objects.filter(due_at__lt=NOW).update(state=Reminder.State.SENT)
    sent_before = Reminder.objects.filter(state=Reminder.State.SENT).count()

    rule.amount = 3
    rule.save()
    plan(rule)

    assert Reminder.objects.filter(state=Reminder.State.SENT).count() == sent_before == 1
    assert due_times() == [
        dt.datetime(2027, 3, 2, 8, tzinfo=UTC),
        dt.datetime(2027, 8, 29, 8, tzinfo=UTC),
    ]


def test_editing_the_message_rewords_pending_reminders(campaign, treaty_calendar, campaigner):
    world.event(treaty_calendar, dt.datetime(2027, 9, 1, tzinfo=UTC), campaign=campaign)
    rule = world.rule(campaign, 7)
    plan(rule)

    rule.message = "Invite the MPs of the foreign affairs committee."
    rule.save()
    result = plan(rule)

    assert result.updated == 1
    assert Reminder.objects.get().message == "Invite the MPs of the foreign affairs committee."


def test_a_paused_rule_cancels_its_reminders_and_brings_them_back_when_resumed(
    campaign, treaty_calendar, campaigner
):
    world.event(treaty_calendar, dt.datetime(2027, 9, 1, tzinfo=UTC), campaign=campaign)
    rule = world.rule(campaign, 7)
    plan(rule)

    rule.is_active = False
    rule.save()
    plan(rule)
    assert Reminder.objects.get().state == Reminder.State.CANCELLED

    rule.is_active = True
    rule.save()
    plan(rule)
    assert Reminder.objects.get().state == Reminder.State.PENDING


def test_someone_who_leaves_the_role_is_no_longer_reminded(campaign, treaty_calendar, campaigner):
    world.event(treaty_calendar, dt.datetime(2027, 9, 1, tzinfo=UTC), campaign=campaign)
    rule = world.rule(campaign, 7)
    plan(rule)

    Membership.objects.filter(user=campaigner).update(role=Membership.Role.VIEWER)
    plan(rule)

    assert Reminder.objects.get(recipient=campaigner).state == Reminder.State.CANCELLED


def test_deleting_a_rule_cancels_what_it_planned_but_not_what_it_sent(
    campaign, treaty_calendar, campaigner
):
    world.event(treaty_calendar, dt.datetime(2027, 9, 1, tzinfo=UTC), campaign=campaign)
    world.event(treaty_calendar, dt.datetime(2027, 10, 1, tzinfo=UTC), campaign=campaign)
    rule = world.rule(campaign, 7)
    plan(rule)
    sent = Reminder.objects.order_by("due_at").first()
    sent.state = Reminder.State.SENT
    sent.save()

    assert reminders.reminder_rule_delete(rule=rule) == 1

    assert dict(Reminder.objects.values_list("pk", "state")) == {
        sent.pk: Reminder.State.SENT,
        Reminder.objects.exclude(pk=sent.pk).get().pk: Reminder.State.CANCELLED,
    }


def test_rules_deleted_elsewhere_leave_no_pending_reminders(campaign, treaty_calendar, campaigner):
    world.event(treaty_calendar, dt.datetime(2027, 9, 1, tzinfo=UTC), campaign=campaign)
    rule = world.rule(campaign, 7)
    plan(rule)

    ReminderRule.objects.filter(pk=rule.pk).delete()  # as the admin site would
    reminders.reminders_plan(now=NOW)

    assert Reminder.objects.get().state == Reminder.State.CANCELLED


def test_reminders_more_than_a_day_late_are_not_planned(campaign, treaty_calendar, campaigner):
    # The meeting is in five days: a week-before reminder would have been due two days ago.
    world.event(treaty_calendar, NOW + dt.timedelta(days=5), campaign=campaign)
    week = world.rule(campaign, 7)
    hours = world.rule(campaign, 5 * 24 + 2, unit=ReminderRule.Unit.HOURS)

    plan(week)
    plan(hours)

    assert not Reminder.objects.filter(rule=week).exists()
    assert Reminder.objects.filter(rule=hours).count() == 1  # due two hours ago: still useful


def test_an_event_that_cannot_be_expanded_does_not_stop_the_others(
    campaign, treaty_calendar, campaigner
):
    broken = world.event(treaty_calendar, dt.datetime(2027, 9, 1, tzinfo=UTC), campaign=campaign)
    CalendarEvent.objects.filter(pk=broken.pk).update(rrule="FREQ=SOMETIMES")
    world.event(treaty_calendar, dt.datetime(2027, 10, 1, tzinfo=UTC), campaign=campaign)
    rule = world.rule(campaign, 7)

    plan(rule)

    assert due_times() == [dt.datetime(2027, 9, 24, tzinfo=UTC)]


# Default rules for the treaty calendar


def test_a_campaign_with_a_treaty_gets_the_treaty_calendars_rules(campaign, coordinator):
    created = reminders.reminder_rules_create_defaults(campaign=campaign, created_by=coordinator)

    rules = campaign.reminder_rules.order_by("direction", "-amount")
    assert len(created) == 4
    assert [(r.amount, r.unit, r.direction) for r in rules] == [
        (1, "days", "after"),
        (56, "days", "before"),
        (28, "days", "before"),
        (7, "days", "before"),
    ]
    assert {r.event_kind for r in rules} == {CalendarEvent.Kind.MEETING_OF_STATES_PARTIES}
    assert {r.notify_role for r in rules} == {Membership.Role.CAMPAIGNER}
    assert {r.organisation for r in rules} == {campaign.organisation}
    assert "report" in rules[0].message


def test_default_rules_are_not_added_twice(campaign):
    reminders.reminder_rules_create_defaults(campaign=campaign)
    campaign.reminder_rules.filter(amount=28).delete()

    again = reminders.reminder_rules_create_defaults(campaign=campaign)

    assert [r.amount for r in again] == [28]
    assert campaign.reminder_rules.count() == 4


def test_a_campaign_without_a_treaty_gets_no_default_rules(organisation):
    campaign = CampaignFactory(organisation=organisation)

    assert reminders.reminder_rules_create_defaults(campaign=campaign) == []
    assert not campaign.reminder_rules.exists()


def test_saving_a_rule_plans_its_reminders_once_committed(
    campaign, treaty_calendar, campaigner, django_capture_on_commit_callbacks
):
    world.event(treaty_calendar, dt.datetime(2030, 1, 1, tzinfo=UTC), campaign=campaign)
    soon = world.event(treaty_calendar, dt.datetime.now(UTC) + dt.timedelta(days=30))
    soon.campaign = campaign
    soon.save()
    rule = ReminderRule(campaign=campaign, amount=7, event_kind="msp", message="Prepare.")

    with django_capture_on_commit_callbacks(execute=True):
        reminders.reminder_rule_save(rule=rule)

    assert rule.organisation == campaign.organisation
    assert list(Reminder.objects.values_list("event", flat=True)) == [soon.pk]
