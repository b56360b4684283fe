"""The letters pages not walked by the coordinator's and the supporter's browser tests pass
axe on a phone in English and Arabic, scroll not sideways and show the keyboard focus: a
letter with its reply form (and its errors), a failed letter, the results, the take-part
pages of a campaigner, their letters, a supporter's reply form and a link that no longer
works."""

import pytest
from playwright.sync_api import Page

from advocacy.models import Membership
from letters import participation
from letters.models import Letter
from tests.browser.helpers import PHONE
from tests.browser.test_accessibility import phone_problems
from tests.letters import participation_world, results_world

# How much room each talking point leaves for its bullet, in pixels, on the side where the
# point's own direction puts the bullet.
BULLET_ROOM = """[...document.querySelectorAll("ul.points > li")].map((li) => {
  const item = li.getBoundingClientRect(), list = li.parentElement.getBoundingClientRect();
  return getComputedStyle(li).direction === "rtl"
    ? list.right - item.right
    : item.left - list.left;
})"""


def check(page: Page, paths: list[str], language: str) -> dict[str, list[str]]:
    problems = {}
    for path in paths:
        page.goto(path)
        assert page.locator("html").get_attribute("lang") == language, path
        assert page.locator("main h1").count(), path
        found = phone_problems(page)
        if found:
            problems[path] = found
    return problems


def phone_as(new_context, sign_in, user, language: str) -> Page:
    user.language = language
    user.save(update_fields=["language"])
    context = new_context(viewport=PHONE, language=language)
    sign_in(context, user)
    return context.new_page()


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_letter_and_results_pages_pass_axe_on_a_phone(
    new_context, sign_in, organisation, coordinator, language
):
    world = results_world.build_world(organisation, coordinator)
    action = world.action
    sent = world.fatuma_to_amina
    failed = world.george_to_brian
    Letter.objects.filter(pk=failed.pk).update(
        state=Letter.State.FAILED, last_error="The mail server refused the letter: 550"
    )
    page = phone_as(new_context, sign_in, coordinator, language)

    problems = check(
        page,
        [
            f"/letters/{action.pk}/results/",
            sent.get_absolute_url(),
            failed.get_absolute_url(),
        ],
        language,
    )
    # The reply form sent with a kind that needs a date, and none.
    page.goto(sent.get_absolute_url())
    page.locator("[name=kind]").select_option("answer")
    page.locator("[name=received_on]").fill("")
    with page.expect_navigation():
        page.locator("main form[method=post] button[type=submit]").last.click()
    assert page.locator(".error-summary, [aria-invalid=true]").count()
    found = phone_problems(page)
    if found:
        problems["reply form with errors"] = found
    assert problems == {}


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_take_part_pages_pass_axe_on_a_phone(
    new_context, sign_in, organisation, campaigner, language
):
    world = participation_world.build(organisation)
    action = world.action
    Membership.objects.filter(user=campaigner).update(role=Membership.Role.CAMPAIGNER)
    signatory = participation.signatory_for_user(action=action, user=campaigner)
    participation.letter_start(
        action=action, target=world.mp_westlands, signatory=signatory, user=campaigner
    )
    page = phone_as(new_context, sign_in, campaigner, language)

    problems = check(
        page,
        [
            f"/letters/{action.pk}/take-part/",
            f"/letters/{action.pk}/take-part/{world.mp_langata.pk}/",
            "/letters/mine/",
        ],
        language,
    )
    assert problems == {}
    # Each talking point takes its own direction; its bullet stays inside the list, on
    # whichever side the point's direction puts it (an English point on an Arabic page).
    page.goto(f"/letters/{action.pk}/take-part/{world.mp_langata.pk}/")
    gaps = page.evaluate(BULLET_ROOM)
    assert gaps and min(gaps) >= 12, gaps


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_supporters_reply_form_and_a_dead_link_pass_axe_on_a_phone(
    new_context, organisation, coordinator, language
):
    world = results_world.build_world(organisation, coordinator)
    letter = world.fatuma_to_amina
    token = world.fatuma.token
    page = new_context(viewport=PHONE, language=language).new_page()

    problems = check(
        page,
        [
            f"/letters/supporter/{token}/letters/{letter.pk}/reply/",
            "/letters/supporter/nonsense/",
        ],
        language,
    )
    assert problems == {}
