"""A campaigner adds someone to the directory, records what they think, and merges a
duplicate record."""

import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from contacts.models import Person, Position, StanceAssessment, Tag
from contacts.search import person_refresh_search
from tests import factories


def test_a_campaigner_adds_a_person_with_a_position(page: Page, campaigner, sign_in, live_server):
    country = factories.CountryFactory(code="BI", name="Burundi")
    factories.InstitutionFactory(name="Ministry of Foreign Affairs", country=country)
    factories.InstitutionFactory(name="Ministry of Health", country=country)
    Tag.objects.create(name="security", slug="security")
    sign_in(page.context, campaigner)

    page.goto(live_server.url + reverse("contacts:person_create"))
    page.get_by_label("Honorific", exact=True).fill("Amb.")
    page.get_by_label("Full name", exact=True).fill("Claudine Niyonzima")
    page.get_by_label("Given name", exact=True).fill("Claudine")
    page.get_by_label("Family name", exact=True).fill("Niyonzima")
    page.get_by_label("security").check()
    other_names = page.get_by_role("group", name="Other names and spellings")
    other_names.get_by_label("Name", exact=True).fill("Claudine Niyonzima-Ndayishimiye")
    other_names.get_by_label("Language code", exact=True).fill("rn")
    page.get_by_role("button", name="Save").last.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Amb. Claudine Niyonzima")
    expect(page.get_by_role("status")).to_contain_text("Claudine Niyonzima is in the directory.")
    expect(page.get_by_text("Claudine Niyonzima-Ndayishimiye")).to_have_attribute("lang", "rn")

    page.get_by_role("link", name="Add a position").click()
    # The institution list fills in as the campaigner types.
    page.get_by_label("Search: Institution").fill("foreign")
    institution = page.get_by_label("Institution", exact=True)
    expect(institution.locator("option", has_text="Ministry of Foreign Affairs")).to_have_count(1)
    expect(institution.locator("option", has_text="Ministry of Health")).to_have_count(0)
    institution.select_option(label="Ministry of Foreign Affairs (BI)")
    page.get_by_label("Role", exact=True).fill("desk officer")
    page.get_by_label("Start", exact=True).fill("2021-03")
    page.get_by_role("button", name="Save").last.click()

    expect(page.get_by_role("status")).to_contain_text("Position added.")
    positions = page.get_by_role("region", name="Positions")
    expect(positions).to_contain_text("desk officer")
    expect(positions).to_contain_text("Ministry of Foreign Affairs")
    expect(positions).to_contain_text("since March 2021")
    person = Person.objects.get(name="Claudine Niyonzima")
    position = Position.objects.get(person=person)
    assert position.institution.name == "Ministry of Foreign Affairs"
    assert (position.start_date, position.start_precision) == (dt.date(2021, 3, 1), "month")
    assert list(person.tags.values_list("name", flat=True)) == ["security"]


def test_a_campaigner_records_a_stance_and_the_chart_moves(
    phone: Page, campaigner, organisation, sign_in, live_server
):
    person = factories.PersonFactory(name="Josaia Ravuvu")
    campaign = factories.CampaignFactory(
        organisation=organisation, created_by=campaigner, name="Ratify the convention"
    )
    factories.StanceAssessmentFactory(
        person=person,
        campaign=campaign,
        stance="opposed",
        assessed_at=timezone.now() - dt.timedelta(days=60),
    )
    sign_in(phone.context, campaigner)
    phone.goto(live_server.url + person.get_absolute_url())
    article = phone.locator(f"#stance-campaign-{campaign.pk}")
    chart = article.get_by_role("img", name="Stance over time")
    expect(chart).to_have_accessible_description(re.compile(r"^Opposed since"))
    expect(chart.locator("circle")).to_have_count(1)
    phone.evaluate("window.notReloaded = true")

    # Two clicks: open the form, press the stance.
    article.get_by_text("Record a stance").click()
    article.get_by_role("button", name="Supportive").click()

    article = phone.locator(f"#stance-campaign-{campaign.pk}")
    chart = article.get_by_role("img", name="Stance over time")
    expect(chart.locator("circle")).to_have_count(2)
    expect(chart).to_have_accessible_description(re.compile(r"From Opposed on .* to Supportive"))
    expect(article.locator(".stance-badge")).to_have_text("Supportive")
    expect(phone.locator("#timeline")).to_contain_text("Ratify the convention: Supportive")
    assert phone.evaluate("window.notReloaded") is True
    latest = StanceAssessment.objects.filter(person=person).latest("assessed_at")
    assert (latest.stance, latest.created_by) == ("supportive", campaigner)


def test_a_campaigner_merges_two_records_of_one_person(
    page: Page, campaigner, sign_in, live_server
):
    keep = factories.PersonFactory(
        name="Ababu Namwamba", given_name="Ababu", family_name="Namwamba"
    )
    duplicate = factories.PersonFactory(
        name="Ababu Tawfiq Namwamba", given_name="Ababu", family_name="Namwamba"
    )
    factories.PositionFactory(person=keep, role="MP", institution__name="National Assembly")
    factories.PositionFactory(
        person=duplicate, role="minister", institution__name="Ministry of Youth"
    )
    factories.ContactPointFactory(person=duplicate, value="ababu@youth.example.org")
    person_refresh_search([keep.pk, duplicate.pk])
    sign_in(page.context, campaigner)

    page.goto(live_server.url + keep.get_absolute_url())
    page.get_by_role("link", name="Merge with another record").click()
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Ababu Tawfiq Namwamba").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Review the merge")
    page.get_by_label("Full name: Ababu Tawfiq Namwamba").check()
    page.get_by_role("button", name="Merge the two records").click()

    expect(page.get_by_role("status")).to_contain_text("The two records are now one.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ababu Tawfiq Namwamba")
    positions = page.get_by_role("region", name="Positions")
    expect(positions).to_contain_text("National Assembly")
    expect(positions).to_contain_text("Ministry of Youth")
    expect(page.get_by_role("region", name="Contact")).to_contain_text("ababu@youth.example.org")
    assert list(Person.objects.values_list("pk", flat=True)) == [keep.pk]
