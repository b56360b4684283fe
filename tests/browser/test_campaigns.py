"""A coordinator starts a campaign with everything it needs, then reads the treaty's table;
the pages of campaigns and treaties pass axe on a phone in English and Arabic."""

import datetime as dt
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from campaigns.models import Campaign, TreatyStatus
from tests import factories
from tests.browser.helpers import PHONE

REALDATA = Path(__file__).resolve().parents[2].parent / "shared" / "realdata" / "treaties"

Status = TreatyStatus.Status


@pytest.fixture
def treaty(db):
    treaty = factories.TreatyFactory(code="ccm", name="Convention on Cluster Munitions")
    for code, name, status, consent in [
        ("BI", "Burundi", Status.SIGNATORY, None),
        ("FJ", "Fiji", Status.STATE_PARTY, dt.date(2010, 5, 28)),
        ("GB", "United Kingdom", Status.STATE_PARTY, dt.date(2010, 5, 4)),
        ("VN", "Viet Nam", Status.NOT_SIGNED, None),
    ]:
        TreatyStatus.objects.create(
            treaty=treaty,
            country=factories.CountryFactory(code=code, name=name),
            status=status,
            consent_on=consent,
        )
    return treaty


def test_a_coordinator_creates_a_campaign_and_reads_the_treaty_table(
    page: Page, coordinator, treaty, sign_in
):
    sign_in(page.context, coordinator)
    page.goto("/campaigns/new/")

    page.get_by_label(re.compile(r"^Name:?$")).fill("Burundi and Fiji speak up")
    page.get_by_label("Who can see this").select_option(label="The whole coalition")
    page.get_by_label("Goal").fill("Burundi ratifies; Fiji speaks on victim assistance.")
    page.get_by_label("Treaty").select_option(label="Convention on Cluster Munitions")
    page.get_by_label("Countries").select_option(["BI", "FJ"])

    messages = page.get_by_role("group", name="Key messages")
    messages.get_by_label("Message").fill("Cluster munitions kill civilians for decades.")
    messages.get_by_role("button", name="Add a key message").click()
    second = messages.get_by_role("group", name="Key message 2")
    second.get_by_label("Message").fill("Ratifying costs nothing and protects your people.")
    second.get_by_label("Language").select_option("fr")

    page.get_by_role("group", name="Asks").get_by_label(re.compile(r"^Ask:?$")).fill(
        "Table the ratification bill this session."
    )
    facts = page.get_by_role("group", name="Facts and figures")
    facts.get_by_label("Fact or figure").fill("The convention has been in force since 2010.")
    facts.get_by_label(re.compile(r"^Source:?$")).fill("UN Treaty Collection")
    facts.get_by_label("Source link").fill("https://treaties.un.org/")
    facts.get_by_label("I checked the source").check()
    page.get_by_role("button", name="Save", exact=True).click()

    expect(page.get_by_role("status")).to_contain_text("Campaign created.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Burundi and Fiji speak up")
    key_messages = page.get_by_role("region", name="Key messages")
    expect(key_messages.get_by_role("listitem")).to_have_text(
        [
            "Cluster munitions kill civilians for decades.",
            "Ratifying costs nothing and protects your people.",
        ]
    )
    expect(page.get_by_role("region", name="Asks")).to_contain_text(
        "Table the ratification bill this session."
    )
    facts_region = page.get_by_role("region", name="Facts and figures")
    expect(facts_region.get_by_role("link", name="UN Treaty Collection")).to_have_attribute(
        "href", "https://treaties.un.org/"
    )
    expect(facts_region).to_contain_text(f"Checked by {coordinator}")
    countries = page.get_by_role("region", name="Countries")
    expect(countries.get_by_role("row", name=re.compile("Burundi"))).to_contain_text("Signatory")
    expect(countries.get_by_role("row", name=re.compile("Fiji"))).to_contain_text("State party")
    campaign = Campaign.objects.get()
    assert campaign.key_messages.get(position=1).language == "fr"
    assert campaign.facts.get().checked_by == coordinator

    page.get_by_role("link", name="Convention on Cluster Munitions").click()
    table = page.get_by_role("table")
    first_column = table.locator("tbody th")
    expect(first_column).to_have_text(["Burundi", "Fiji", "United Kingdom", "Vietnam"])

    consent = table.get_by_role("columnheader", name=re.compile("Ratified or acceded"))
    consent.get_by_role("link").click()
    expect(consent).to_have_attribute("aria-sort", "ascending")
    expect(first_column).to_have_text(["United Kingdom", "Fiji", "Burundi", "Vietnam"])
    expect(page).to_have_url(re.compile(r"sort=consent"))

    consent.get_by_role("link").click()
    expect(consent).to_have_attribute("aria-sort", "descending")
    expect(first_column).to_have_text(["Fiji", "United Kingdom", "Burundi", "Vietnam"])


AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_campaign_and_treaty_pages_pass_axe_on_a_phone(
    language, new_context, sign_in, coordinator, organisation, treaty
):
    """The pages of this flow, including the import steps, in English and in Arabic."""
    coordinator.language = language
    coordinator.save()
    campaign = factories.CampaignFactory(
        organisation=organisation, created_by=coordinator, treaty=treaty, name="Ratify"
    )
    campaign.countries.set(["BI", "FJ"])
    context = new_context(viewport=PHONE, language=language)
    sign_in(context, coordinator)
    page = context.new_page()
    axe = Axe()

    def check(where: str) -> None:
        results = axe.run(page, options=AXE_OPTIONS)
        assert results.violations_count == 0, f"{where}: {results.generate_report()}"
        sideways = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not sideways, f"{where} scrolls sideways"

    for path in [
        "/campaigns/",
        campaign.get_absolute_url(),
        f"{campaign.get_absolute_url()}edit/",
        "/campaigns/treaties/",
        f"/campaigns/treaties/{treaty.code}/?sort=consent&order=desc",
        f"/campaigns/treaties/{treaty.code}/BI/",
        f"/campaigns/treaties/{treaty.code}/import/",
    ]:
        page.goto(path)
        check(path)

    page.goto("/campaigns/new/")
    page.locator("main form button[type=submit]:not([aria-hidden])").last.click()
    expect(page.locator(".error-summary")).to_be_visible()
    check("a new campaign without a name")

    page.goto(f"/campaigns/treaties/{treaty.code}/import/")
    page.locator("input[type=file]").set_input_files(str(REALDATA / "hr_status_crc.csv"))
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#status-words select")).to_have_count(2)
    check("the column mapping")
    page.locator("button[name=preview]:not([aria-hidden])").click()
    expect(page.locator("form[action$='/confirm/']")).to_be_visible()
    check("the preview")
