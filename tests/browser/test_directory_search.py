"""A campaigner on a phone finds people in the directory: results change as they type and
filter, the address keeps the filters, and the back button brings the last list back."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PHONE
from tests.contacts.directory_world import build_world


@pytest.fixture
def world(transactional_db):
    return build_world()


def fits_the_screen(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_campaigner_searches_and_filters_the_directory_on_a_phone(
    phone: Page, sign_in, campaigner, world
):
    sign_in(phone.context, campaigner)
    phone.goto("/directory/")
    results = phone.locator("#directory-results")
    expect(results.get_by_role("link", name="Amina Odhiambo")).to_be_visible()
    assert fits_the_screen(phone)
    # A full page load would wipe this; htmx swaps leave it in place.
    phone.evaluate("window.stillTheSamePage = true")

    phone.get_by_label("Search names, roles and institutions").fill("desire")

    expect(results.get_by_role("link", name="Hon. Désiré Kamau")).to_be_visible()
    expect(results.get_by_role("link", name="Amina Odhiambo")).to_have_count(0)
    expect(phone).to_have_url(re.compile(r"/directory/\?q=desire$"))
    expect(phone.locator("#directory-status")).to_have_text("Showing 1 to 1")

    phone.get_by_label("Search names, roles and institutions").fill("")
    expect(phone).to_have_url(re.compile(r"/directory/$"))
    phone.get_by_text("More filters").click()
    phone.get_by_label("Country").select_option("UG")

    expect(results.get_by_role("link", name="Grace Okello")).to_be_visible()
    expect(results.get_by_role("link", name="Amina Odhiambo")).to_have_count(0)
    expect(phone).to_have_url(re.compile(r"/directory/\?country=UG$"))
    # The party list follows the country: Kenya's parties are gone, Uganda has none here.
    expect(phone.get_by_label(re.compile(r"^Party:?$")).locator("option")).to_have_text(["Any"])
    assert fits_the_screen(phone)

    phone.go_back()

    expect(phone).to_have_url(re.compile(r"/directory/$"))
    expect(results.get_by_role("link", name="Amina Odhiambo")).to_be_visible()
    phone.go_back()
    expect(phone).to_have_url(re.compile(r"/directory/\?q=desire$"))
    expect(results.get_by_role("link", name="Hon. Désiré Kamau")).to_be_visible()
    expect(results.get_by_role("link", name="Amina Odhiambo")).to_have_count(0)
    expect(phone.get_by_label("Search names, roles and institutions")).to_have_value("desire")
    assert phone.evaluate("window.stillTheSamePage") is True


def test_a_shared_filtered_link_opens_the_same_list_and_its_person(
    phone: Page, sign_in, campaigner, world
):
    sign_in(phone.context, campaigner)
    phone.goto(f"/directory/?country=KE&governing=no&party={world.opposition.pk}")

    results = phone.locator("#directory-results")
    expect(results.locator(".directory-row")).to_have_count(1)
    expect(phone.get_by_label("Party in government")).to_have_value("no")
    results.get_by_role("link", name="Amina Odhiambo").click()

    expect(phone).to_have_url(f"/directory/people/{world.amina.pk}/")
    expect(phone.get_by_role("heading", level=1)).to_contain_text("Amina Odhiambo")


def test_without_javascript_the_filters_are_a_plain_form(
    browser, live_server, sign_in, campaigner, world
):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, java_script_enabled=False
    )
    try:
        sign_in(context, campaigner)
        page = context.new_page()
        page.goto("/directory/")
        page.get_by_label("Search names, roles and institutions").fill("odhiambo")
        page.get_by_role("button", name="Search").click()

        expect(page).to_have_url(re.compile(r"/directory/\?q=odhiambo&"))
        results = page.locator("#directory-results")
        expect(results.get_by_role("link", name="Amina Odhiambo")).to_be_visible()
        expect(results.get_by_role("link", name="Grace Okello")).to_have_count(0)
        assert fits_the_screen(page)
    finally:
        context.close()
