"""A campaigner on a phone plans a meeting from a person's page, ticks the prep checklist,
writes the meeting up with an off-the-record part and a follow-up, gets the reminder, and
downloads the leave-behind brief; logs an encounter on the quick log, with JavaScript off,
on one screen; and every meeting page passes axe on a phone in English and Arabic."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from advocacy.models import Membership, Notification
from campaigns import reminders
from campaigns.models import Reminder
from contacts.models import StanceAssessment
from contacts.search import person_refresh_search
from meetings import services
from meetings.models import FollowUp, Meeting
from tests import factories
from tests.advocacy.pdfs import pdf_words
from tests.browser.helpers import PHONE
from tests.browser.test_accessibility import phone_problems
from tests.browser.test_page_weight import BUDGET_BYTES, cold_load, report
from tests.meetings.factories import AttendeeFactory, FollowUpFactory, MeetingFactory

ASK = "Table the ratification bill this session"
PHRASE = "Quartz-Heron-Tamarind"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def minister(db):
    person = factories.PersonFactory(name="Amina Diallo", given_name="Amina", family_name="Diallo")
    factories.PositionFactory(
        person=person, role="minister", institution__name="Ministry of Foreign Affairs"
    )
    person_refresh_search([person.pk])
    return person


@pytest.fixture
def campaign(organisation, campaigner):
    return factories.CampaignFactory(
        organisation=organisation, created_by=campaigner, name="Ratify the convention"
    )


def fits_the_screen(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"the page is {width}px wide"


def test_a_campaigner_prepares_holds_and_follows_up_a_meeting_on_a_phone(
    phone: Page, campaigner, campaign, minister, sign_in, live_server
):
    sign_in(phone.context, campaigner)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    # Plan it from the minister's page: the form starts with her and her ministry.
    phone.goto(live_server.url + minister.get_absolute_url())
    phone.get_by_role("link", name="Plan a meeting").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Plan a meeting")
    attendee = phone.get_by_role("group", name="Attendee 1")
    expect(attendee.get_by_label("Person", exact=True)).to_have_value(str(minister.pk))
    phone.get_by_label("Date", exact=True).fill(tomorrow.isoformat())
    phone.get_by_label("Time", exact=True).fill("10:30")
    phone.get_by_label("Time zone", exact=True).select_option("Europe/Zurich")
    phone.get_by_label("Campaign", exact=True).select_option(label=campaign.name)
    phone.get_by_label("The ask", exact=True).fill(ASK)
    fits_the_screen(phone)
    phone.get_by_role("button", name="Plan the meeting").click()

    expect(phone.get_by_role("status")).to_contain_text("Meeting planned")
    meeting = Meeting.objects.get()
    assert meeting.local_start.replace(tzinfo=None) == dt.datetime.combine(
        tomorrow, dt.time(10, 30)
    )
    assert str(meeting.zone) == "Europe/Zurich"
    fits_the_screen(phone)

    # Tick three items of the checklist without reloading the page.
    phone.evaluate("window.notReloaded = true")
    checklist = phone.locator("#checklist")
    for text in ("A clear objective", "Main message and the ask", "Contact cards"):
        checklist.get_by_role("button", name=text).click()
        expect(phone.locator("#checklist").get_by_role("button", name=text)).to_have_attribute(
            "aria-pressed", "true"
        )
    expect(phone.locator("#checklist")).to_contain_text("3 of 10 done")
    assert phone.evaluate("window.notReloaded") is True
    assert meeting.checklist.filter(done_at__isnull=False).count() == 3

    # Write it up: a part went off the record; the campaigner marks it and carries on.
    phone.get_by_role("link", name="Write it up").click()
    notes = phone.get_by_label("Notes", exact=True)
    notes.fill("The minister opened with the budget.")
    phone.get_by_label("About how many minutes").fill("10")
    phone.get_by_role("button", name="Mark an off-the-record part").click()
    expect(phone.get_by_role("status")).to_contain_text("a part was off the record")
    notes = phone.get_by_label("Notes", exact=True)
    expect(notes).to_be_focused()
    phone.keyboard.type(f"{PHRASE} asked for the victim figures.")
    phone.get_by_label("Outcome in a few lines").fill("Supportive; wants figures first.")
    phone.get_by_label("Amina Diallo").select_option("supportive")
    follow_up = phone.get_by_role("group", name="Follow-up 1")
    follow_up.get_by_label("What", exact=True).fill("Send the victim figures")
    follow_up.get_by_label("Due", exact=True).fill(timezone.localdate().isoformat())
    phone.get_by_label("The write-up is finished").check()
    fits_the_screen(phone)
    phone.get_by_role("button", name="Save the write-up").click()

    expect(phone.get_by_role("status")).to_contain_text("Write-up saved.")
    notes_shown = phone.locator(".notes")
    expect(notes_shown.locator("p")).to_have_text(
        [
            "The minister opened with the budget.",
            re.compile("off the record \\(about 10 minutes\\)"),
            f"{PHRASE} asked for the victim figures.",
        ]
    )
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.WRITTEN_UP
    assert StanceAssessment.objects.get().evidence_object == f"meetings.meeting:{meeting.pk}"
    expect(phone.locator("#follow-ups")).to_contain_text("Send the victim figures")

    # The reminder comes at 09:00 the campaigner's time on the due date.
    task = FollowUp.objects.get()
    reminder = Reminder.objects.get(source_key=f"followup:{task.pk}")
    reminders.reminders_dispatch(now=max(timezone.now(), reminder.due_at))
    phone.goto(live_server.url + "/notifications/")
    expect(phone.get_by_role("main")).to_contain_text("Follow-up due: Send the victim figures")
    assert Notification.objects.filter(recipient=campaigner).count() == 1

    # The follow-up is on "My follow-ups"; done there, its row says so.
    phone.get_by_role("link", name="My follow-ups").first.click()
    row = phone.locator(f"#follow-up-{task.pk}")
    row.get_by_role("button", name=re.compile("Mark done")).click()
    expect(phone.locator(f"#follow-up-{task.pk}")).to_have_class("follow-up-done")

    # The leave-behind brief, with the ask in it.
    phone.goto(live_server.url + meeting.get_absolute_url())
    phone.get_by_role("link", name="Leave-behind brief").click()
    phone.get_by_label("Language of the brief").select_option("en")
    phone.get_by_role("button", name="Start the brief").click()
    phone.get_by_role("button", name="Save and make the PDF").click()
    with phone.expect_download() as download_info:
        phone.get_by_role("link", name="Download the brief in English (PDF)").click()
    text = pdf_words(Path(download_info.value.path()).read_bytes())
    assert ASK in text
    assert PHRASE not in text


def _quick_log_context(browser: Browser, live_server, user, *, javascript: bool):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, java_script_enabled=javascript
    )
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    return context


def test_the_quick_log_works_without_javascript_on_one_screen(
    browser: Browser, live_server, campaigner, coordinator, campaign, minister
):
    context = _quick_log_context(browser, live_server, campaigner, javascript=False)
    try:
        page = context.new_page()
        page.goto("/meetings/log/")
        form = page.locator("form.quick-log")
        box = form.bounding_box()
        assert box["height"] <= PHONE["height"], f"the form is {box['height']}px high"
        fits_the_screen(page)

        page.get_by_label("Search: Who").fill("diallo")
        page.get_by_role("button", name="Find").click()
        page.get_by_label("Who", exact=True).select_option(label="Amina Diallo")
        page.get_by_label("Where", exact=True).fill("Reception, Swiss mission")
        page.get_by_label("In one line, on the record only").fill(
            "Cabinet sees the bill next month."
        )
        page.get_by_label("Campaign", exact=True).select_option(label=campaign.name)
        page.get_by_label("Stance now").select_option("supportive")
        page.get_by_label("Follow-up", exact=True).fill("Send the cabinet note")
        page.get_by_label("Who does it").select_option(label=str(coordinator))
        page.get_by_label("By", exact=True).fill("2027-06-01")
        page.get_by_role("button", name="Log it").click()

        expect(page.get_by_role("status")).to_contain_text("Logged.")
    finally:
        context.close()
    meeting = Meeting.objects.get()
    assert (meeting.kind, meeting.location) == ("informal", "Reception, Swiss mission")
    assert meeting.attendees.get().person == minister
    assert FollowUp.objects.get().owner == coordinator
    assert StanceAssessment.objects.get().stance == "supportive"


def test_the_quick_log_stays_within_budget_and_on_one_screen(
    new_context, sign_in, campaigner, campaign
):
    page = new_context(viewport=PHONE).new_page()
    sign_in(page.context, campaigner)
    resources = cold_load(page, "/meetings/log/")

    total = report("Quick log, cold cache", resources)
    assert {"document", "stylesheet", "script"} <= {r["type"] for r in resources}
    assert total < BUDGET_BYTES
    # Everything, from the menu to the button, without scrolling.
    button = page.get_by_role("button", name="Log it").bounding_box()
    assert button["y"] + button["height"] <= PHONE["height"], f"the button ends at {button}"


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_meeting_pages_pass_axe_on_a_phone(
    new_context, sign_in, campaigner, organisation, campaign, minister, language
):
    campaigner.language = language
    campaigner.save(update_fields=["language"])
    # A coordinator, who also sees the organisation's checklist template.
    Membership.objects.filter(user=campaigner).update(role=Membership.Role.COORDINATOR)
    meeting = MeetingFactory(
        organisation=organisation,
        created_by=campaigner,
        campaign=campaign,
        ask=ASK,
        notes="One\nTwo",
        summary="Supportive.",
    )
    AttendeeFactory(meeting=meeting, person=minister)
    services.checklist_copy(meeting=meeting)
    services.off_record_mark(meeting=meeting, user=campaigner, approx_minutes=5)
    task = FollowUpFactory(meeting=meeting, owner=campaigner, due_on=dt.date(2020, 1, 1))
    page = new_context(viewport=PHONE, language=language).new_page()
    sign_in(page.context, campaigner)
    paths = [
        "/meetings/",
        meeting.get_absolute_url(),
        f"/meetings/{meeting.pk}/write-up/",
        f"/meetings/{meeting.pk}/edit/",
        f"/meetings/{meeting.pk}/report/",
        f"/meetings/new/?person={minister.pk}",
        "/meetings/log/",
        "/meetings/follow-ups/",
        f"/meetings/follow-ups/{task.pk}/edit/",
        f"/meetings/checklist/{organisation.slug}/",
        "/",
    ]
    problems = {}
    for path in paths:
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == language
        found = phone_problems(page)
        if found:
            problems[path] = found
    assert problems == {}
