"""A coordinator adds a recurring event on a phone and finds it in the agenda and the month."""

import datetime as dt
import zoneinfo

from playwright.sync_api import Page, expect

from campaigns.models import Calendar, CalendarEvent
from tests.browser.conftest import PHONE


def test_coordinator_adds_a_weekly_sitting_and_sees_it_in_agenda_and_month(
    new_context, coordinator, organisation, sign_in
):
    coordinator.time_zone = "America/New_York"
    coordinator.save()
    Calendar.objects.create(organisation=organisation, name="UK Parliament")
    phone: Page = new_context(viewport=PHONE).new_page()
    sign_in(phone.context, coordinator)
    today = dt.datetime.now(zoneinfo.ZoneInfo("America/New_York")).date()
    tuesday = today + dt.timedelta(days=(1 - today.weekday()) % 7 or 7)
    agenda_days = [today + dt.timedelta(days=n) for n in range(56)]
    expected = [d for d in agenda_days if d >= tuesday and d.weekday() in (1, 2)]

    phone.goto("/campaigns/calendar/")
    phone.get_by_role("link", name="Add an event").click()
    phone.get_by_label("Title").fill("House of Commons sitting")
    phone.get_by_label("Kind").select_option(label="Parliamentary sitting")
    phone.get_by_label("Starts on").fill(tuesday.isoformat())
    phone.get_by_label("Start time").fill("11:30")
    phone.get_by_label("End time").fill("19:30")
    phone.get_by_label("Time zone").select_option("Europe/London")
    phone.get_by_label("Repeats").select_option(label="Every week, on the days ticked below")
    phone.get_by_label("Tuesday").check()
    phone.get_by_label("Wednesday").check()
    phone.get_by_role("button", name="Save").click()

    expect(phone.get_by_role("status")).to_contain_text("Event added.")
    expect(phone.get_by_role("heading", level=1)).to_have_text("House of Commons sitting")
    expect(phone.get_by_text("Repeats: every week on Tuesday, Wednesday")).to_be_visible()
    # London and New York are five hours apart most of the year, four for a few weeks.
    expect(phone.locator(".slot-when").first).to_contain_text("in your time")
    event = CalendarEvent.objects.get()
    assert event.rrule == "FREQ=WEEKLY;BYDAY=TU,WE"
    assert event.calendar.name == "UK Parliament"

    phone.get_by_role("link", name="Calendar", exact=True).first.click()
    sittings = phone.locator(".slot").filter(has_text="House of Commons sitting")
    expect(sittings.first).to_contain_text("11:30–19:30")
    expect(sittings).to_have_count(len(expected))  # Tuesdays and Wednesdays for eight weeks

    phone.get_by_role("link", name="Month").click()
    expect(phone.get_by_role("heading", level=2)).to_contain_text(today.strftime("%B %Y"))
    if tuesday.month != today.month:
        phone.get_by_role("link", name="Next month").click()
        expect(phone.get_by_role("heading", level=2)).to_contain_text(tuesday.strftime("%B"))
    first_day = phone.locator(".month-day").filter(
        has=phone.get_by_role("heading", name=f"{tuesday:%A} {tuesday.day} {tuesday:%B}")
    )
    expect(first_day).to_be_visible()
    expect(first_day).to_contain_text("House of Commons sitting")
    # On a phone the month is a list of the days that have something, without a weekday row.
    expect(phone.locator(".month-weekday").first).to_be_hidden()
    expect(phone.locator(".month-free").first).to_be_hidden()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
