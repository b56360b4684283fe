"""A closed action sends nothing any more: its letters list offers no sending a failed
letter again, and asking anyway never says the letter had not failed."""

from playwright.sync_api import Page, expect

from letters.models import Letter, LetterAction
from tests.browser.test_letters_review import review  # noqa: F401


def test_a_closed_actions_failed_letters_are_not_offered_again(
    page: Page,
    sign_in,
    coordinator,
    review,  # noqa: F811
):
    action = review["action"]
    LetterAction.objects.filter(pk=action.pk).update(state=LetterAction.State.CLOSED)
    sign_in(page.context, coordinator)
    page.goto(f"/letters/{action.pk}/letters/")
    chebet = (
        page.get_by_role("region", name="3 letters")
        .get_by_role("listitem")
        .filter(has_text="Chebet Kiprop")
    )
    expect(chebet).to_contain_text("Failed")

    expect(page.get_by_role("button", name="Send the failed letters again")).to_have_count(0)
    expect(
        chebet.get_by_role("button", name="Send again the letter to Chebet Kiprop")
    ).to_have_count(0)
    assert Letter.objects.get(pk=review["failed"].pk).state == Letter.State.FAILED
