"""A coordinator reviews the letters of a launched action that asks for approval: approves a
supporter's letter, sends a campaigner's back with a reason (the form in place on the list),
sends a failed letter again, and sees each letter's state; the campaigner finds the reason on
the page where they write, changes the letter and submits it again. The page where a letter
is sent back (where the form comes back with its errors) passes axe on a phone."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from advocacy.models import Membership
from letters import participation
from letters.models import Letter, LetterAction
from tests import factories
from tests.browser.helpers import PHONE
from tests.browser.test_accessibility import phone_problems

REASON = "Please leave out the last paragraph about the minister's family."


def mp(name: str):
    given, family = name.split(" ")
    return factories.PersonFactory(
        name=name,
        given_name=given,
        family_name=family,
        sort_name=f"{family}, {given}",
        honorific_prefix="Hon.",
    )


@pytest.fixture
def review(organisation, coordinator, campaigner):
    """A launched letter day that asks for approval: a supporter's letter and a campaigner's
    waiting, and one that failed to go."""
    campaign = factories.CampaignFactory(
        organisation=organisation, created_by=coordinator, name="Ratify the mine ban treaty"
    )
    action = factories.LetterActionFactory(
        campaign=campaign,
        created_by=coordinator,
        title="Treaty day letters",
        state=LetterAction.State.SCHEDULED,
        launched_at=timezone.now(),
        requires_approval=True,
        deliver_on=timezone.localdate() + dt.timedelta(days=10),
    )
    factories.LetterTemplateFactory(action=action)
    achieng, baraka, chebet = (
        mp(name) for name in ("Achieng Otieno", "Baraka Mwangi", "Chebet Kiprop")
    )
    for person in (achieng, baraka, chebet):
        factories.ActionTargetFactory(action=action, person=person)
        factories.ContactPointFactory(person=person)
    now = timezone.now()
    supporter = factories.SignatoryFactory(action=action, name="Fatuma Hassan", role="faith_leader")
    writer = participation.signatory_for_user(action=action, user=campaigner)
    return {
        "action": action,
        "approved": factories.LetterFactory(
            action=action,
            target=achieng,
            signatory=supporter,
            state=Letter.State.SUBMITTED,
            submitted_at=now,
            subject="Ratify the treaty, Hon. Achieng Otieno",
        ),
        "sent_back": factories.LetterFactory(
            action=action,
            target=baraka,
            signatory=writer,
            state=Letter.State.SUBMITTED,
            submitted_at=now,
            subject="Ratify the treaty, Hon. Baraka Mwangi",
            body="Dear Hon. Baraka Mwangi,\n\nPlease ratify the treaty.\n\nYour minister's family "
            "would thank you.",
        ),
        "failed": factories.LetterFactory(
            action=action,
            target=chebet,
            signatory=factories.SignatoryFactory(action=action, name="George Otieno"),
            state=Letter.State.FAILED,
            attempts=3,
            last_error="550 Mailbox unavailable",
            subject="Ratify the treaty, Hon. Chebet Kiprop",
        ),
    }


def row(page: Page, name: str):
    """The letter to `name` in the list of letters."""
    letters = page.get_by_role("region", name="3 letters")
    return letters.get_by_role("listitem").filter(has_text=name)


def test_a_coordinator_approves_sends_back_and_retries_letters(
    page: Page, new_context, sign_in, coordinator, campaigner, review
):
    action = review["action"]
    sign_in(page.context, coordinator)
    page.goto(action.get_absolute_url())
    page.get_by_role("navigation", name="Parts of the action").get_by_role(
        "link", name="Letters", exact=True
    ).click()
    expect(page.get_by_role("heading", name="3 letters")).to_be_visible()
    achieng, baraka, chebet = (
        row(page, name) for name in ("Achieng Otieno", "Baraka Mwangi", "Chebet Kiprop")
    )
    expect(achieng).to_contain_text("from Fatuma Hassan (Faith leader)")
    expect(achieng).to_contain_text("Waiting for approval")
    expect(baraka).to_contain_text("(Campaigner)")
    expect(baraka).to_contain_text("Waiting for approval")
    expect(chebet).to_contain_text("Failed")
    expect(chebet).to_contain_text("After 3 attempts: 550 Mailbox unavailable")
    expect(page.get_by_role("button", name="Approve all 2 letters waiting")).to_be_visible()

    # Approved: the action is launched, so it is scheduled for the day at once.
    page.get_by_role("button", name="Approve the letter to Achieng Otieno").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Approved: Ratify the treaty, Hon. Achieng Otieno"
    )
    expect(achieng).to_contain_text("Scheduled")
    expect(
        achieng.get_by_role("button", name="Approve the letter to Achieng Otieno")
    ).to_have_count(0)
    expect(page.get_by_role("button", name="Approve the letter waiting")).to_be_visible()
    approved = Letter.objects.get(pk=review["approved"].pk)
    assert approved.state == Letter.State.SCHEDULED
    assert approved.approved_by == coordinator
    assert approved.due_at is not None

    # Sent back with a reason, from the form in place on the list.
    baraka.get_by_text("Send back", exact=True).click()
    baraka.get_by_label("What should the writer change?").fill(REASON)
    baraka.get_by_role("button", name="Send it back").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Sent back to its writer: Ratify the treaty, Hon. Baraka Mwangi"
    )
    expect(baraka).to_contain_text("Draft")
    expect(baraka.get_by_role("button", name="Send it back")).to_have_count(0)
    expect(page.get_by_role("button", name="Approve the letter waiting")).to_have_count(0)
    sent_back = Letter.objects.get(pk=review["sent_back"].pk)
    assert sent_back.state == Letter.State.DRAFT
    assert sent_back.review_note == REASON
    assert sent_back.submitted_at is None

    # The failed letter goes again, at once; its error stays shown until it goes.
    page.get_by_role("button", name="Send again the letter to Chebet Kiprop").click()
    expect(page.get_by_role("status")).to_contain_text("It will be sent again in a moment.")
    expect(chebet).to_contain_text("Scheduled")
    expect(
        chebet.get_by_role("button", name="Send again the letter to Chebet Kiprop")
    ).to_have_count(0)
    expect(page.get_by_role("button", name="Send the failed letters again")).to_have_count(0)
    retried = Letter.objects.get(pk=review["failed"].pk)
    assert retried.state == Letter.State.SCHEDULED
    assert retried.attempts == 0
    assert retried.due_at <= timezone.now()

    # The letter's own page says it went back to its writer, and why.
    baraka.get_by_role("link", name="The letter's page").click()
    expect(
        page.get_by_role("region", name="Sent back to its writer: changes asked for")
    ).to_contain_text(REASON)

    # The campaigner sees why on the page where they write, changes it and submits again.
    writer = new_context()
    sign_in(writer, campaigner)
    writes = writer.new_page()
    writes.goto(f"/letters/{action.pk}/take-part/")
    target = writes.get_by_role("listitem").filter(has_text="Your letter to Baraka Mwangi")
    expect(target).to_contain_text("Draft")
    expect(target).to_contain_text("Changes asked for")
    target.get_by_role("link", name="Your letter to Baraka Mwangi").click()
    expect(writes.get_by_role("heading", level=1)).to_have_text("Your letter to Baraka Mwangi")
    asked = writes.get_by_role("region", name="A coordinator asked for changes")
    expect(asked).to_contain_text(REASON)
    expect(asked).to_contain_text("Change your letter, then submit it again.")
    letter = writes.get_by_label("Your letter")
    letter.fill(
        "Dear Hon. Baraka Mwangi,\n\nI live in your constituency and I ask you to ratify the "
        "treaty this session: mines still kill farmers on the border every year.\n\n"
        "Yours sincerely"
    )
    writes.get_by_role("button", name="Submit the letter").click()
    expect(writes.get_by_role("status")).to_contain_text(
        "Submitted. A coordinator reads it before it goes out."
    )
    expect(writes.get_by_text("Waiting for approval", exact=True)).to_be_visible()
    expect(asked).to_have_count(0)
    resubmitted = Letter.objects.get(pk=sent_back.pk)
    assert resubmitted.state == Letter.State.SUBMITTED
    assert resubmitted.review_note == ""

    # Back on the list, it waits for approval again.
    page.goto(f"/letters/{action.pk}/letters/")
    expect(baraka).to_contain_text("Waiting for approval")
    expect(baraka.get_by_role("button", name="Approve the letter to Baraka Mwangi")).to_be_visible()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_send_back_page_passes_axe_on_a_phone_and_sends_the_letter_back(
    new_context, sign_in, coordinator, review, language
):
    coordinator.language = language
    coordinator.save(update_fields=["language"])
    context = new_context(viewport=PHONE, language=language)
    sign_in(context, coordinator)
    page = context.new_page()
    action, letter = review["action"], review["sent_back"]
    path = f"/letters/{action.pk}/letters/{letter.pk}/send-back/"

    page.goto(path)
    expect(page.locator("main h2")).to_contain_text("Baraka Mwangi")
    problems = {}
    found = phone_problems(page)
    if found:
        problems["send-back page"] = found
    # Sent without a reason: the page comes back with the error.
    page.locator("main form[method=post] button[type=submit]").click()
    expect(page.locator("[aria-invalid=true]")).to_have_count(1)
    assert Letter.objects.get(pk=letter.pk).state == Letter.State.SUBMITTED
    found = phone_problems(page)
    if found:
        problems["send-back page with its error"] = found
    assert problems == {}

    page.locator("textarea[name=reason]").fill(REASON)
    page.locator("main form[method=post] button[type=submit]").click()
    expect(page).to_have_url(re.compile(rf"/letters/{action.pk}/letters/$"))
    sent_back = Letter.objects.get(pk=letter.pk)
    assert sent_back.state == Letter.State.DRAFT
    assert sent_back.review_note == REASON


def test_viewers_see_the_letters_but_no_review_buttons(new_context, sign_in, organisation, review):
    viewer = factories.MembershipFactory(
        organisation=organisation, role=Membership.Role.VIEWER
    ).user
    context = new_context()
    sign_in(context, viewer)
    page = context.new_page()
    page.goto(f"/letters/{review['action'].pk}/letters/")
    expect(page.get_by_role("heading", name="3 letters")).to_be_visible()
    expect(page.get_by_role("button", name="Approve the letter to Achieng Otieno")).to_have_count(0)
    expect(page.get_by_text("Send back", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="Send again the letter to Chebet Kiprop")).to_have_count(
        0
    )
