"""Signing a co-signed letter: a supporter without an account signs on the public page,
confirms from the email and is counted; a campaigner signs from the action's take-part page,
and is told to agree to be named first when they have not."""

import pytest
from playwright.sync_api import Page, expect

from letters import participation
from letters.models import LetterAction, Signatory
from tests import factories
from tests.browser.helpers import PHONE, link_in
from tests.letters import participation_world

COSIGNED_BODY = (
    "Dear {{ target.honorific }} {{ target.full_name }},\n\n"
    "We, the undersigned, ask you to support the ratification of the treaty banning "
    "landmines when it comes before the National Assembly this session."
)


@pytest.fixture
def world(organisation):
    world = participation_world.build(organisation, kind=LetterAction.Kind.COSIGNED)
    world.template.body = COSIGNED_BODY
    world.template.save(update_fields=["body"])
    # Two signed before: confirmed and agreed to be named. One who never confirmed and one
    # who would not be named do not count.
    factories.SignatoryFactory.create_batch(2, action=world.action, role="faith_leader")
    factories.SignatoryFactory(action=world.action, email_confirmed_at=None)
    factories.SignatoryFactory(action=world.action, consent_named_at=None)
    return world


@pytest.fixture(autouse=True)
def _links_to_this_server(settings, live_server):
    settings.SITE_URL = live_server.url


def test_a_supporter_signs_on_the_public_page_and_confirms_by_email(
    new_context, world, smtp_server
):
    page = new_context(viewport=PHONE).new_page()
    page.goto(world.action.get_public_url())
    expect(page.get_by_role("heading", level=1)).to_have_text("Ban landmines now")
    letter = page.get_by_role("region", name="The letter you sign")
    expect(letter).to_contain_text("each recipient gets it with their own name")
    expect(letter).to_contain_text("We, the undersigned")
    expect(page.get_by_text("2 people have signed.")).to_be_visible()

    signup = page.get_by_role("region", name="Sign the letter")
    signup.get_by_label("Your name").fill("Bishop Mary Wambui")
    signup.get_by_label("Email address").fill("mary@example.org")
    signup.get_by_label("Organisation", exact=True).fill("St Andrew's Church")
    signup.get_by_label("Your role there").fill("Bishop")
    signup.get_by_label("You write as").select_option(label="Faith leader")
    signup.get_by_label("My name, organisation and role may be shown on the letter").check()
    signup.get_by_role("button", name="Sign", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    signatory = Signatory.objects.get(email="mary@example.org")
    assert signatory.email_confirmed_at is None
    assert participation.signature_count(world.action) == 2

    # Not counted until the address is confirmed.
    page.goto(world.action.get_public_url())
    expect(page.get_by_text("2 people have signed.")).to_be_visible()

    [message] = smtp_server.wait_for(1)
    assert message["To"] == "mary@example.org"
    page.goto(link_in(message, "/letters/supporter/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your address")
    expect(page.get_by_role("main")).to_contain_text(
        "Bishop Mary Wambui, Bishop, St Andrew's Church"
    )
    expect(page.get_by_role("main")).to_contain_text("Your name may be shown on the letter.")
    page.get_by_role("button", name="Confirm and sign").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Thank you: your address is confirmed and your signature counts."
    )
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you, Bishop Mary Wambui")
    expect(page.get_by_text("3 people have signed.")).to_be_visible()

    signatory.refresh_from_db()
    assert signatory.email_confirmed_at is not None
    assert signatory.consent_named_at is not None
    assert signatory.role == Signatory.Role.FAITH_LEADER
    assert signatory.organisation_name == "St Andrew's Church"
    assert signatory.user is None

    # The public page counts the signature, and names nobody.
    page.goto(world.action.get_public_url())
    expect(page.get_by_text("3 people have signed.")).to_be_visible()
    expect(page.get_by_role("main")).not_to_contain_text("Mary Wambui")


def test_a_campaigner_signs_from_the_take_part_page(page: Page, sign_in, campaigner, world):
    sign_in(page.context, campaigner)
    page.goto(f"/letters/{world.action.pk}/take-part/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Take part: Ban landmines now")
    expect(page.get_by_role("region", name="The letter")).to_contain_text("We, the undersigned")
    expect(page.get_by_text("2 signatures so far.")).to_be_visible()
    expect(page.get_by_label("You sign as")).to_have_value("campaigner")

    # Without agreeing to be named: the form says so, and nothing is signed.
    page.get_by_label("Organisation", exact=True).fill("Home Org")
    page.get_by_label("Your role there").fill("Programme officer")
    page.get_by_role("button", name="Sign the letter").click()
    consent = page.get_by_label("My name, organisation and role may be shown on the letter")
    expect(consent).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_consent_named_error")).to_contain_text(
        "A co-signed letter lists its signatories: agree to be named to sign it."
    )
    expect(page.get_by_label("Organisation", exact=True)).to_have_value("Home Org")
    expect(page.get_by_text("2 signatures so far.")).to_be_visible()
    assert not Signatory.objects.filter(action=world.action, user=campaigner).exists()
    assert participation.signature_count(world.action) == 2

    consent.check()
    page.get_by_role("button", name="Sign the letter").click()
    expect(page.get_by_role("status")).to_contain_text("You have signed the letter.")
    expect(page.get_by_text("You have signed this letter.")).to_be_visible()
    expect(page.get_by_text("3 signatures so far.")).to_be_visible()
    expect(page.get_by_role("button", name="Sign the letter")).to_have_count(0)

    signatory = Signatory.objects.get(action=world.action, user=campaigner)
    assert signatory.consent_named_at is not None
    assert signatory.email_confirmed_at is not None
    assert signatory.role == Signatory.Role.CAMPAIGNER
    assert signatory.organisation_name == "Home Org"
    assert signatory.title == "Programme officer"
    assert participation.signature_count(world.action) == 3
