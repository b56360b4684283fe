"""A supporter without an account signs up on a letter day's public page on their phone,
confirms their address from the email, is matched to their MP, is nudged to personalise
the suggested text, personalises it and submits; the same works with JavaScript off; the
public pages pass axe on a phone and stay within the page weight budget."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from letters.models import Letter, Signatory
from tests.browser.helpers import PHONE, link_in
from tests.browser.test_accessibility import phone_problems
from tests.browser.test_page_weight import BUDGET_BYTES, cold_load, report
from tests.letters import participation_world
from tests.letters.participation_world import PERSONAL


@pytest.fixture
def world(organisation):
    return participation_world.build(organisation)


@pytest.fixture(autouse=True)
def _links_to_this_server(settings, live_server):
    settings.SITE_URL = live_server.url


def sign_up(page: Page, world, email: str) -> None:
    page.goto(world.action.get_public_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Ban landmines now")
    expect(page.get_by_text("The treaty saves lives")).to_be_visible()
    page.get_by_label("Your name").fill("Amina Odhiambo")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("You write as").select_option(label="Constituent")
    page.get_by_label("Or your address").fill("Muthithi Road, Westlands, Nairobi")
    page.get_by_label("You may email me about this action").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")


def confirm(page: Page, link: str) -> None:
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your address")
    page.get_by_role("button", name="Confirm and write my letter").click()
    expect(page.get_by_role("status")).to_contain_text("your address is confirmed")


def test_a_supporter_signs_up_confirms_by_email_personalises_and_submits(
    phone: Page, world, smtp_server
):
    sign_up(phone, world, "amina@example.org")
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "amina@example.org"
    confirm(phone, link_in(message, "/letters/supporter/"))

    # Matched to the Westlands MP (and the county's representative) through the areas.
    representatives = phone.get_by_role("region", name="Your representatives")
    representatives.get_by_role("link", name="Write to Tim Wanyonyi").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Your letter to Tim Wanyonyi")
    letter = phone.get_by_label("Your letter")
    expect(letter).to_have_value(re.compile(r"^Dear Tim Wanyonyi,"))
    expect(phone.get_by_role("complementary")).to_contain_text("Kenya signed in 1997")
    meter = phone.locator("#similarity")
    expect(meter).to_contain_text("100%")

    # The suggested text as it is: the nudge.
    phone.get_by_role("button", name="Submit the letter").click()
    expect(phone.get_by_role("alert")).to_contain_text("100% the same as the suggested text")
    assert Letter.objects.get().state == Letter.State.DRAFT

    # In their own words: the meter follows the typing, and the letter goes.
    text = letter.input_value()
    letter.fill(text.replace("Yours sincerely,", f"{PERSONAL}\n\nYours sincerely,"))
    expect(meter).not_to_contain_text("100%")
    expect(meter).not_to_contain_text("Nearly identical")
    phone.get_by_role("button", name="Submit the letter").click()
    expect(phone.get_by_role("status")).to_contain_text("Submitted.")
    expect(phone.get_by_text("Ready", exact=True)).to_be_visible()

    letter = Letter.objects.select_related("signatory").get()
    assert letter.state == Letter.State.READY
    assert letter.target == world.mp_westlands
    assert PERSONAL in letter.body
    assert letter.signatory.consent_contact_at is not None
    assert len(smtp_server.messages) == 1


def test_signing_up_and_writing_work_without_javascript(
    browser: Browser, live_server, world, smtp_server
):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, java_script_enabled=False
    )
    try:
        page = context.new_page()
        sign_up(page, world, "nojs@example.org")
        [message] = smtp_server.wait_for(1)
        confirm(page, link_in(message, "/letters/supporter/"))
        page.get_by_role("link", name="Write to Tim Wanyonyi").click()
        letter = page.get_by_label("Your letter")
        letter.fill(letter.input_value() + "\n\n" + PERSONAL)
        page.get_by_role("button", name="Save as draft").click()
        expect(page.get_by_role("status")).to_contain_text("Your letter is saved.")
        expect(page.locator("#similarity")).not_to_contain_text("100%")
        page.get_by_role("button", name="Submit the letter").click()
        expect(page.get_by_role("status")).to_contain_text("Submitted.")
    finally:
        context.close()
    assert Letter.objects.get().state == Letter.State.READY


def test_the_public_pages_pass_axe_on_a_phone_and_stay_light(phone: Page, new_context, world):
    signatory = Signatory.objects.create(
        action=world.action,
        name="Amina Odhiambo",
        email="amina@example.org",
        area=world.westlands,
        nonce="0" * 32,
    )
    supporter = f"/letters/supporter/{signatory.token}/"
    pages = [world.action.get_public_url(), f"{world.action.get_public_url()}check-your-email/"]
    pages += [supporter]  # unconfirmed: the page to confirm
    for path in pages:
        phone.goto(path)
        assert phone_problems(phone) == [], path
    Signatory.objects.filter(pk=signatory.pk).update(email_confirmed_at=world.action.created_at)
    for path in (supporter, f"{supporter}write/{world.mp_westlands.pk}/"):
        phone.goto(path)
        assert phone_problems(phone) == [], path

    fresh = new_context(viewport=PHONE).new_page()
    total = report("Public action page", cold_load(fresh, world.action.get_public_url()))
    assert total <= BUDGET_BYTES


def test_a_town_that_starts_several_constituencies_offers_them_on_a_phone(phone: Page, world):
    from contacts.models import Position
    from tests.factories import ActionTargetFactory, AreaFactory, PersonFactory, PositionFactory

    world.action.constituency_matching = True
    world.action.save()
    parliament = Position.objects.filter(person=world.mp_westlands).first().institution
    for name in ("Leeds West", "Leeds East"):
        area = AreaFactory(name=name, country=world.westlands.country)
        person = PersonFactory(name=f"MP for {name}")
        PositionFactory(person=person, institution=parliament, area=area)
        ActionTargetFactory(action=world.action, person=person)

    phone.goto(world.action.get_public_url())
    phone.get_by_label("Your name").fill("Amina Odhiambo")
    phone.get_by_label("Email address").fill("amina@example.org")
    phone.get_by_label("Or your address").fill("12 High Street, Leeds")
    phone.get_by_role("button", name="Continue").click()

    expect(phone.locator("#id_address_error")).to_contain_text("Choose yours below")
    expect(phone.get_by_label("Or your address")).to_have_value("12 High Street, Leeds")
    expect(phone.get_by_label("Your name")).to_have_value("Amina Odhiambo")
    assert phone_problems(phone) == []
    phone.get_by_role("group", name="Which of these is yours?").get_by_label("Leeds East").check()
    phone.get_by_role("button", name="Continue").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert Signatory.objects.get().area.name == "Leeds East"
