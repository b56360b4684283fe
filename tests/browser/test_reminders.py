"""A coordinator adds a reminder rule; an event falls due; the campaigner sees the notification."""

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from campaigns import reminders
from campaigns.models import Calendar, CalendarEvent, ReminderRule
from tests.factories import PASSWORD, CampaignFactory


def test_a_rule_reminds_the_campaigner_who_finds_it_in_the_inbox(
    page: Page, new_context, coordinator, campaigner, organisation, sign_in
):
    campaign = CampaignFactory(
        organisation=organisation, created_by=coordinator, name="Ratify the convention"
    )

    # The coordinator adds a rule: two hours before each meeting of states parties.
    sign_in(page.context, coordinator)
    page.goto(campaign.get_absolute_url())
    page.get_by_role("link", name="Reminder rules").click()
    page.get_by_role("link", name="New rule").click()
    page.get_by_label("Events of kind").select_option(label="Meeting of states parties")
    page.get_by_label("How many").fill("2")
    page.get_by_label("Unit").select_option(label="hours")
    page.get_by_label("Before or after").select_option(label="before")
    page.get_by_label("Notify").select_option(label="Campaigner")
    page.get_by_label("Message").fill("Brief the delegation before the session opens.")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("status")).to_contain_text("Rule saved.")
    expect(page.get_by_role("listitem").filter(has_text="Brief the delegation")).to_contain_text(
        "2 hours before Meeting of states parties: tell every Campaigner"
    )
    rule = ReminderRule.objects.get()
    assert (rule.amount, rule.unit, rule.created_by) == (2, "hours", coordinator)

    # The campaigner is signed in on their phone, inbox empty, before anything falls due.
    phone = new_context(viewport={"width": 360, "height": 740}).new_page()
    phone.clock.install()
    phone.goto("/accounts/sign-in/")
    phone.get_by_label("Email address").fill(campaigner.email)
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Sign in").click()
    badge = phone.locator("#notification-badge")
    expect(badge).to_have_text("Inbox")

    # A meeting two hours from now: the rule's reminder is due now. Beat's tasks run.
    calendar = Calendar.objects.create(organisation=organisation, name="Treaty calendar")
    CalendarEvent.objects.create(
        calendar=calendar,
        campaign=campaign,
        title="Fourteenth Meeting of States Parties",
        kind=CalendarEvent.Kind.MEETING_OF_STATES_PARTIES,
        start=timezone.now() + dt.timedelta(hours=2),
        time_zone="Europe/Zurich",
    )
    reminders.reminders_plan()
    assert reminders.reminders_dispatch()

    # Within a minute the count in the top bar updates by itself.
    phone.clock.run_for("01:01")
    expect(badge).to_have_text(re.compile(r"Inbox\s*1\s*unread"))

    badge.click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Inbox")
    item = phone.get_by_role("listitem").filter(has_text="Fourteenth Meeting of States Parties")
    expect(item).to_contain_text("Brief the delegation before the session opens.")
    item.get_by_role("link", name=re.compile("Fourteenth Meeting")).click()

    expect(phone.get_by_role("heading", level=1)).to_contain_text("Fourteenth Meeting")
    expect(badge).to_have_text("Inbox")
