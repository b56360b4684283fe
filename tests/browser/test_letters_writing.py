"""A campaigner writes a letter for a letter day from the action's take-part page: the
suggested text as it is gets the nudge and stays a draft; in their own words it is submitted
and waits for the day, on the take-part page and among their letters."""

import re

import pytest
from playwright.sync_api import Page, expect

from letters.models import Letter
from tests.letters import participation_world
from tests.letters.participation_world import PERSONAL


@pytest.fixture
def world(organisation):
    return participation_world.build(organisation)


def test_a_campaigner_is_nudged_then_submits_a_letter_in_their_own_words(
    page: Page, sign_in, campaigner, world
):
    sign_in(page.context, campaigner)
    page.goto(f"/letters/{world.action.pk}/take-part/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Take part: Ban landmines now")
    expect(page.get_by_text("Nobody is assigned to you: choose someone below.")).to_be_visible()
    page.get_by_role("link", name="Write to Tim Wanyonyi").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your letter to Tim Wanyonyi")
    letter = page.get_by_label("Your letter")
    expect(letter).to_have_value(re.compile(r"^Dear Tim Wanyonyi,"))
    expect(page.get_by_role("complementary")).to_contain_text("The treaty saves lives")
    meter = page.locator("#similarity")
    expect(meter).to_contain_text("100%")
    assert not Letter.objects.exists()  # nothing is stored before the first save

    # The suggested text as it is: the nudge, and the letter stays a draft.
    page.get_by_role("button", name="Submit the letter").click()
    expect(page.get_by_role("alert")).to_contain_text("100% the same as the suggested text")
    expect(meter).to_contain_text("Nearly identical to the suggested text.")
    draft = Letter.objects.select_related("signatory").get()
    assert draft.state == Letter.State.DRAFT
    assert draft.signatory.user == campaigner
    assert draft.target == world.mp_westlands

    # In their own words: the meter follows the typing, and the letter is submitted.
    letter.fill(participation_world.personalise(letter.input_value()))
    expect(meter).not_to_contain_text("100%")
    expect(meter).not_to_contain_text("Nearly identical")
    page.get_by_role("button", name="Submit the letter").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Submitted. Your letter is ready and goes out on the day."
    )
    expect(page.get_by_text("Ready", exact=True)).to_be_visible()
    expect(letter).to_have_value(re.compile(re.escape(PERSONAL)))

    submitted = Letter.objects.get()
    assert submitted.state == Letter.State.READY
    assert submitted.submitted_at is not None
    assert PERSONAL in submitted.body
    assert submitted.similarity < 0.9

    # The take-part page and their letters show it.
    page.get_by_role("link", name="Back to the people this action writes to").click()
    row = page.get_by_role("listitem").filter(has_text="Your letter to Tim Wanyonyi")
    expect(row).to_contain_text("Ready")
    page.get_by_role("link", name="All your letters").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your letters")
    mine = page.get_by_role("row").filter(has_text="Tim Wanyonyi")
    expect(mine).to_contain_text("Ban landmines now")
    expect(mine).to_contain_text("Ready")
