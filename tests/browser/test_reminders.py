"""A coordinator adds a reminder rule; an event falls due; the campaigner sees the notification."""

import datetime as dt
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import Page, expect

from advocacy import notifications
from campaigns import reminders
from campaigns.models import Calendar, CalendarEvent, Relationship, Reminder, ReminderRule
from tests.campaigns import reminder_world as world
from tests.factories import PASSWORD, CampaignFactory, PersonFactory


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


def test_a_campaigner_asks_to_be_reminded_about_a_campaign(
    page: Page, campaigner, organisation, sign_in
):
    campaign = CampaignFactory(organisation=organisation, name="Ratify the convention")
    sign_in(page.context, campaigner)
    page.goto(campaign.get_absolute_url())

    page.locator("summary", has_text="Remind me").click()
    when = timezone.localtime() + dt.timedelta(days=7)
    page.get_by_label("Remind me on").fill(when.strftime("%Y-%m-%dT09:30"))
    page.get_by_label("Note to yourself").fill("Has the bill been tabled?")
    page.get_by_role("button", name="Set the reminder").click()

    # htmx swaps the answer in; the page itself stays.
    expect(page.get_by_role("status")).to_contain_text("We will remind you on")
    expect(page).to_have_url(re.compile(rf"{campaign.get_absolute_url()}$"))
    reminder = Reminder.objects.get()
    assert (reminder.recipient, reminder.title, reminder.message) == (
        campaigner,
        "Ratify the convention",
        "Has the bill been tabled?",
    )
    assert timezone.localtime(reminder.due_at).strftime("%Y-%m-%d %H:%M") == when.strftime(
        "%Y-%m-%d 09:30"
    )


AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_reminder_pages_pass_axe_on_a_phone(
    new_context, sign_in, coordinator, campaigner, organisation, language
):
    campaign = CampaignFactory(organisation=organisation, created_by=coordinator)
    rule = world.rule(campaign, 7)
    world.due_reminders([coordinator], 1, rule=rule, state="failed", last_error="451 busy")
    world.due_reminders([coordinator], 1, key="soon", due_at=timezone.now() + dt.timedelta(days=2))
    person = PersonFactory(name="Amina Njoroge")
    relationship = Relationship.objects.create(owner=coordinator, person=person, cadence_days=30)
    with transaction.atomic():
        notification, _ = notifications.notification_create(
            recipient=coordinator, source_key="a", title="Four weeks to go", body="Invite MPs."
        )
    coordinator.language = language
    coordinator.save()
    page = new_context(viewport={"width": 360, "height": 740}, language=language).new_page()
    sign_in(page.context, coordinator)
    rules = f"/campaigns/{campaign.pk}/reminder-rules/"
    visits = [
        "/notifications/",
        notification.get_absolute_url(),
        rules,
        f"{rules}new/",
        f"{rules}{rule.pk}/delete/",
        "/campaigns/reminders/",
        "/campaigns/reminders/relationships/",
        f"/campaigns/reminders/relationships/{relationship.pk}/edit/",
        campaign.get_absolute_url(),
    ]
    problems = {}
    for path in visits:
        page.goto(path)
        if path == campaign.get_absolute_url():
            page.locator("details.remind-me summary").click()
        found = [
            f"{v['id']}: {v['help']} -> " + ", ".join(" ".join(n["target"]) for n in v["nodes"])
            for v in Axe().run(page, options=AXE_OPTIONS).response["violations"]
        ]
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if widths[0] > widths[1]:
            found.append(f"scrolls sideways: {widths[0]}px in {widths[1]}px")
        if found:
            problems[path] = found
    # A form sent empty, to see its error summary.
    page.goto(f"{rules}new/")
    page.locator("[name=message]").fill("")
    page.locator("main form button[type=submit]").click()
    page.wait_for_selector(".error-summary")
    violations = Axe().run(page, options=AXE_OPTIONS).response["violations"]
    if violations:
        problems["rule form with errors"] = [v["id"] for v in violations]

    assert problems == {}
