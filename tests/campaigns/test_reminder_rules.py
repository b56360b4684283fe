"""Reminder rules on a campaign: coordinators and admins edit them, everyone else reads."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign, Reminder, ReminderRule
from tests.campaigns import reminder_world as world
from tests.factories import CampaignFactory


@pytest.fixture
def campaign(organisation, coordinator):
    return CampaignFactory(organisation=organisation, created_by=coordinator, treaty=world.treaty())


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def rule_data(**overrides) -> dict:
    return {
        "event_kind": "msp",
        "amount": 14,
        "unit": "days",
        "direction": "before",
        "notify_role": "campaigner",
        "message": "Ask the ministry who leads the delegation.",
        "is_active": "on",
        **overrides,
    }


def list_url(campaign) -> str:
    return reverse("campaigns:reminder_rule_list", args=[campaign.pk])


def create_url(campaign) -> str:
    return reverse("campaigns:reminder_rule_create", args=[campaign.pk])


def test_a_coordinator_adds_a_rule_and_its_reminders_are_planned(
    coordinator_client, coordinator, campaigner, campaign, django_capture_on_commit_callbacks
):
    start = timezone.now() + dt.timedelta(days=30)
    world.event(world.calendar(campaign.organisation), start, campaign=campaign)

    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(create_url(campaign), rule_data())

    assert response.url == list_url(campaign)
    rule = ReminderRule.objects.get()
    assert (rule.campaign, rule.organisation, rule.created_by) == (
        campaign,
        campaign.organisation,
        coordinator,
    )
    assert (rule.amount, rule.unit, rule.direction) == (14, "days", "before")
    reminder = Reminder.objects.get()
    assert reminder.recipient == campaigner
    assert reminder.due_at == start - dt.timedelta(days=14)


def test_an_admin_may_edit_rules_too(admin_client_, campaign):
    response = admin_client_.post(create_url(campaign), rule_data())

    assert response.status_code == 302
    assert ReminderRule.objects.count() == 1


@pytest.mark.parametrize("persona", ["campaigner", "viewer"])
def test_campaigners_and_viewers_read_rules_but_may_not_change_them(
    client, request, campaign, persona
):
    client.force_login(request.getfixturevalue(persona))
    rule = world.rule(campaign, 7)

    listing = client.get(list_url(campaign))
    assert listing.status_code == 200
    assert "Book meetings with the delegation." in listing.content.decode()
    assert listing.context["can_edit"] is False

    assert client.post(create_url(campaign), rule_data()).status_code == 403
    edit = reverse("campaigns:reminder_rule_update", args=[campaign.pk, rule.pk])
    assert client.post(edit, rule_data(amount=1)).status_code == 403
    delete = reverse("campaigns:reminder_rule_delete", args=[campaign.pk, rule.pk])
    assert client.post(delete).status_code == 403
    rule.refresh_from_db()
    assert rule.amount == 7


def test_outsiders_do_not_find_the_campaign(outsider_client, campaign):
    assert outsider_client.get(list_url(campaign)).status_code == 404
    assert outsider_client.post(create_url(campaign), rule_data()).status_code == 404


def test_a_coordinator_of_another_organisation_may_not_edit(client, campaign, coalition_partner):
    # The partner sees the campaign (shared with the coalition) but does not run it.
    campaign.visibility = "coalition"
    campaign.save()
    client.force_login(coalition_partner)

    assert client.get(list_url(campaign)).status_code == 200
    assert client.post(create_url(campaign), rule_data()).status_code == 403


def test_editing_a_rule_saves_it(coordinator_client, campaign):
    rule = world.rule(campaign, 7)

    coordinator_client.post(
        reverse("campaigns:reminder_rule_update", args=[campaign.pk, rule.pk]),
        rule_data(amount=3, unit="hours", direction="after"),
    )

    rule.refresh_from_db()
    assert (rule.amount, rule.unit, rule.direction) == (3, "hours", "after")


def test_a_rule_more_than_a_year_ahead_is_refused(coordinator_client, campaign):
    response = coordinator_client.post(create_url(campaign), rule_data(amount=400))

    assert response.status_code == 400
    assert "Choose at most a year" in response.content.decode()
    assert not ReminderRule.objects.exists()


def test_a_rule_of_another_campaign_is_not_found(coordinator_client, campaign, organisation):
    other = world.rule(CampaignFactory(organisation=organisation), 7)

    url = reverse("campaigns:reminder_rule_update", args=[campaign.pk, other.pk])

    assert coordinator_client.get(url).status_code == 404


def test_deleting_asks_first_then_cancels_pending_reminders(
    coordinator_client, campaign, campaigner
):
    rule = world.rule(campaign, 7)
    pending = world.due_reminders([campaigner], 1, rule=rule, kind="event")[0]
    url = reverse("campaigns:reminder_rule_delete", args=[campaign.pk, rule.pk])

    assert "Delete this reminder rule?" in coordinator_client.get(url).content.decode()
    response = coordinator_client.post(url)

    assert response.url == list_url(campaign)
    assert not ReminderRule.objects.exists()
    pending.refresh_from_db()
    assert pending.state == Reminder.State.CANCELLED


def test_the_treaty_calendars_rules_can_be_added_from_the_list(coordinator_client, campaign):
    url = reverse("campaigns:reminder_rule_defaults", args=[campaign.pk])

    assert "Add the treaty calendar" in coordinator_client.get(list_url(campaign)).content.decode()
    coordinator_client.post(url)
    coordinator_client.post(url)

    assert sorted(campaign.reminder_rules.values_list("amount", flat=True)) == [1, 7, 28, 56]


def test_coordinators_see_failed_reminders_and_can_retry_them(
    coordinator_client, campaign, campaigner
):
    rule = world.rule(campaign, 7)
    [failed] = world.due_reminders(
        [campaigner], 1, rule=rule, kind="event", state="failed", last_error="Connection refused"
    )

    listing = coordinator_client.get(list_url(campaign)).content.decode()
    assert "Connection refused" in listing
    coordinator_client.post(reverse("campaigns:reminder_retry", args=[failed.pk]))

    failed.refresh_from_db()
    assert failed.state == Reminder.State.PENDING


def test_only_the_recipient_or_the_rules_coordinators_may_retry(
    client, campaign, campaigner, outsider
):
    [failed] = world.due_reminders([campaigner], 1, state="failed")
    client.force_login(outsider)

    assert client.post(reverse("campaigns:reminder_retry", args=[failed.pk])).status_code == 404
    failed.refresh_from_db()
    assert failed.state == Reminder.State.FAILED


def test_the_recipient_sees_failed_and_upcoming_reminders(campaigner_client, campaigner):
    world.due_reminders([campaigner], 1, state="failed", last_error="Mail server said 451")
    Reminder.objects.create(
        recipient=campaigner,
        due_at=timezone.now() + dt.timedelta(days=2),
        kind="event",
        source_key="rule:1:event:1",
        title="Parliament resumes",
    )

    page = campaigner_client.get(reverse("campaigns:reminder_list")).content.decode()

    assert "Mail server said 451" in page
    assert "Parliament resumes" in page


# session, user, the campaign, the user's role in its organisation, the rules with their
# planned counts, the failed reminders with recipients, the menu's memberships.
RULE_LIST_QUERIES = 7


def test_rule_list_queries_do_not_grow(
    coordinator_client, campaign, campaigner, django_assert_num_queries
):
    world.rule(campaign, 7)
    with django_assert_num_queries(RULE_LIST_QUERIES):
        coordinator_client.get(list_url(campaign))

    for amount in (14, 28, 56):
        rule = world.rule(campaign, amount)
        world.due_reminders([campaigner], 2, rule=rule, state="failed", key=f"f{amount}")
    with django_assert_num_queries(RULE_LIST_QUERIES):
        response = coordinator_client.get(list_url(campaign))
    assert len(response.context["rules"]) == 4


def test_a_campaign_started_on_a_treaty_comes_with_the_treaty_calendars_rules(
    coordinator_client, coordinator, organisation
):
    data = {
        "name": "Ratify the convention",
        "organisation": organisation.pk,
        "visibility": "organisation",
        "treaty": world.treaty().pk,
    }

    coordinator_client.post(reverse("campaigns:create"), data)
    coordinator_client.post(
        reverse("campaigns:create"), {**data, "name": "No treaty", "treaty": ""}
    )

    with_treaty = Campaign.objects.get(name="Ratify the convention")
    assert sorted(with_treaty.reminder_rules.values_list("amount", flat=True)) == [1, 7, 28, 56]
    assert {r.created_by for r in with_treaty.reminder_rules.all()} == {coordinator}
    assert not Campaign.objects.get(name="No treaty").reminder_rules.exists()


# session, user, upcoming, failed and recently sent reminders, the menu's memberships.
REMINDER_LIST_QUERIES = 6


def test_reminder_list_queries_do_not_grow(
    campaigner_client, campaigner, django_assert_num_queries
):
    soon = timezone.now() + dt.timedelta(days=1)
    world.due_reminders([campaigner], 1, key="up", due_at=soon)
    with django_assert_num_queries(REMINDER_LIST_QUERIES):
        campaigner_client.get(reverse("campaigns:reminder_list"))

    world.due_reminders([campaigner], 5, key="more", due_at=soon)
    world.due_reminders([campaigner], 5, key="failed", state="failed")
    world.due_reminders([campaigner], 5, key="sent", state="sent", sent_at=timezone.now())
    with django_assert_num_queries(REMINDER_LIST_QUERIES):
        response = campaigner_client.get(reverse("campaigns:reminder_list"))
    assert (len(response.context["upcoming"]), len(response.context["failed"])) == (6, 5)
