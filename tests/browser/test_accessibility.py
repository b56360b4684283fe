"""Every page that exists, in English and in Arabic: axe-core finds nothing, and on a phone
nothing scrolls sideways and the keyboard focus is visible.

axe runs the rules tagged WCAG 2.0, 2.1 and 2.2 level A and AA plus axe's best practices
(landmarks, heading order, one main, ...), so a page passes only if all of them do.
"""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import BrowserContext, Page

from advocacy import services
from advocacy.models import AuditEvent, Membership
from tests import factories
from tests.browser.helpers import PHONE

AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
axe = Axe()


@dataclass
class Stop:
    name: str
    persona: str  # "anonymous", "admin" or "viewer"
    visit: Callable[[Page], None]
    # What proves the visit reached the intended state: forms sent to show errors show these.
    shows: str = "main h1"


def go(path: str) -> Callable[[Page], None]:
    return lambda page: page.goto(path)


def send_form(page: Page, values: dict[str, str]) -> None:
    """Fill fields by name (labels change with the language), then press Enter in the first
    field, as people do on phones: the browser sends the form with its default button."""
    form = page.locator("main form[method=post]").first
    for name, value in values.items():
        form.locator(f"[name={name}]").fill(value)
    with page.expect_navigation():
        form.locator("input:is([type=text], [type=email], [type=password])").first.press("Enter")


def submit(path: str, **values: str) -> Callable[[Page], None]:
    """Open a form and send it with these values: the way to see its errors."""

    def visit(page: Page) -> None:
        page.goto(path)
        send_form(page, values)

    return visit


# An error summary, or at least one field marked invalid.
ERRORS = ".error-summary, [aria-invalid=true]"
MESSAGE = ".messages"
ERROR_PAGE = ".error-page"


@pytest.fixture
def site(organisation, coalition, admin_user, viewer, campaigner):
    """An organisation with members of each kind, a campaign, invitations and some history."""
    factories.MembershipFactory(
        organisation=coalition, user=admin_user, role=Membership.Role.COORDINATOR
    )
    campaign = factories.CampaignFactory(
        organisation=organisation,
        created_by=admin_user,
        name="Ban cluster munitions",
        description="Persuade the ministry to sign.\n\nThen to ratify.",
    )
    invitation = factories.InvitationFactory(
        organisation=organisation, invited_by=admin_user, email="waiting@example.org"
    )
    factories.InvitationFactory(
        organisation=organisation,
        invited_by=admin_user,
        email="bounced@example.org",
        send_error="Connection refused",
    )
    for action in (AuditEvent.Action.SIGN_IN, AuditEvent.Action.INVITED):
        services.audit_record(action=action, actor=admin_user, organisation=organisation)
    services.audit_record(
        action=AuditEvent.Action.ROLE_CHANGED,
        actor=admin_user,
        organisation=organisation,
        target=campaigner.memberships.get(),
        detail={"to": "viewer"},
    )
    return {
        "organisation": organisation,
        "coalition": coalition,
        "campaign": campaign,
        "invitation": invitation,
        "reset_user": campaigner,
    }


def stops(site: dict) -> list[Stop]:
    org = site["organisation"].get_absolute_url()
    campaign = site["campaign"].get_absolute_url()
    invitation = site["invitation"].get_accept_url()
    reset_user = site["reset_user"]
    admin_membership = site["organisation"].memberships.get(role=Membership.Role.ADMIN)

    def last_admin_steps_down(page: Page) -> None:
        page.goto(org)
        page.locator(f"#role-{admin_membership.pk}").select_option("viewer")
        page.locator(f"form:has(#role-{admin_membership.pk}) button").click()
        page.wait_for_load_state()

    def reset_link(page: Page) -> None:
        # Made at visit time: signing someone in changes what a valid token is.
        uid = urlsafe_base64_encode(force_bytes(reset_user.pk))
        page.goto(f"/accounts/reset/{uid}/{default_token_generator.make_token(reset_user)}/")

    def reset_link_mismatch(page: Page) -> None:
        reset_link(page)
        send_form(page, {"new_password1": "one-long-passphrase", "new_password2": "another-one"})

    remove = f"{org}members/{reset_user.memberships.get().pk}/remove/"
    return [
        Stop("sign in", "anonymous", go("/accounts/sign-in/")),
        Stop(
            "sign in, wrong password",
            "anonymous",
            submit("/accounts/sign-in/", username="nobody@example.org", password="wrong"),
            shows=ERRORS,
        ),
        Stop("password reset", "anonymous", go("/accounts/password-reset/")),
        Stop(
            "password reset, no address",
            "anonymous",
            submit("/accounts/password-reset/"),
            shows=ERRORS,
        ),
        Stop("password reset sent", "anonymous", go("/accounts/password-reset/sent/")),
        Stop("new password", "anonymous", reset_link, shows="[name=new_password1]"),
        Stop("new password, mismatch", "anonymous", reset_link_mismatch, shows=ERRORS),
        Stop("reset link used", "anonymous", go("/accounts/reset/MQ/set-password-nonsense/")),
        Stop("password saved", "anonymous", go("/accounts/reset/done/")),
        Stop("invitation", "anonymous", go(invitation), shows="[name=password1]"),
        Stop("invitation, empty form", "anonymous", submit(invitation), shows=ERRORS),
        Stop("invitation no longer works", "anonymous", go("/invitations/nonsense/")),
        Stop("404, signed out", "anonymous", go("/no-such-page/"), shows=ERROR_PAGE),
        Stop("home", "admin", go("/")),
        Stop("campaigns", "admin", go("/campaigns/")),
        Stop("campaign", "admin", go(campaign)),
        Stop("new campaign", "admin", go("/campaigns/new/"), shows="[name=name]"),
        Stop("new campaign, no name", "admin", submit("/campaigns/new/", name=""), shows=ERRORS),
        Stop("edit campaign", "admin", go(f"{campaign}edit/"), shows="[name=name]"),
        Stop("profile", "admin", go("/accounts/profile/")),
        Stop("change password", "admin", go("/accounts/password/")),
        Stop("change password, empty", "admin", submit("/accounts/password/"), shows=ERRORS),
        Stop("organisation", "admin", go(org), shows="[name=role]"),
        Stop("organisation, role refused", "admin", last_admin_steps_down, shows=MESSAGE),
        Stop("coalition", "admin", go(site["coalition"].get_absolute_url())),
        Stop("organisation details", "admin", go(f"{org}edit/"), shows="[name=website]"),
        Stop(
            "organisation details, bad email",
            "admin",
            submit(f"{org}edit/", email="not-an-address"),
            shows=ERRORS,
        ),
        Stop(
            "invite, bad email",
            "admin",
            submit(f"{org}invitations/new/", email="nope"),
            shows=ERRORS,
        ),
        Stop("activity log", "admin", go(f"{org}activity/"), shows="main table"),
        Stop("remove member", "admin", go(remove)),
        Stop("404, signed in", "admin", go("/campaigns/999999/"), shows=ERROR_PAGE),
        Stop("403", "viewer", go(f"{org}edit/"), shows=ERROR_PAGE),
    ]


@pytest.fixture
def walk(site, new_context, sign_in, admin_user, viewer) -> Callable:
    """Visit every stop as its persona in the given language and window size."""

    def walk(language: str, viewport: dict | None, check: Callable[[Page], list[str]]) -> dict:
        personas = {"anonymous": None, "admin": admin_user, "viewer": viewer}
        pages: dict[str, Page] = {}
        for persona, user in personas.items():
            context: BrowserContext = new_context(viewport=viewport, language=language)
            if user is not None:
                user.language = language
                user.save(update_fields=["language"])
                sign_in(context, user)
            pages[persona] = context.new_page()
        problems = {}
        for stop in stops(site):
            page = pages[stop.persona]
            stop.visit(page)
            assert page.locator("html").get_attribute("lang") == language, stop.name
            assert page.locator(stop.shows).count(), f"{stop.name}: no {stop.shows}"
            found = check(page)
            if found:
                problems[f"{stop.name} ({page.url})"] = found
        return problems

    return walk


def axe_violations(page: Page) -> list[str]:
    results = axe.run(page, options=AXE_OPTIONS)
    return [
        f"{violation['id']}: {violation['help']} -> "
        + ", ".join(" ".join(node["target"]) for node in violation["nodes"])
        for violation in results.response["violations"]
    ]


@pytest.mark.parametrize("language", ["en", "ar"])
def test_every_page_passes_axe(walk, language):
    assert walk(language, None, axe_violations) == {}


FOCUSED_LINK = """() => {
    const element = document.activeElement;
    if (element.tagName !== "A") return null;
    const style = getComputedStyle(element), box = element.getBoundingClientRect();
    return {text: element.textContent.trim(), inMain: !!element.closest("main"),
            outline: style.outlineStyle, width: parseFloat(style.outlineWidth),
            onScreen: box.bottom > 0 && box.top < innerHeight
                      && box.right > 0 && box.left < innerWidth};
}"""


def phone_problems(page: Page) -> list[str]:
    problems = axe_violations(page)  # some rules (scrolling regions, reflow) depend on width
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if widths[0] > widths[1]:
        problems.append(f"scrolls sideways: {widths[0]}px of content in {widths[1]}px")
    # Tab from the top as a keyboard user would, through the header's links to the first
    # link in the page's own content, checking that each focused link shows its outline.
    page.evaluate("document.activeElement && document.activeElement.blur()")
    seen = []
    for _ in range(40):
        page.keyboard.press("Tab")
        link = page.evaluate(FOCUSED_LINK)
        if link is None:
            continue
        seen.append(link["text"])
        if link["outline"] in ("none", "hidden") or link["width"] < 2 or not link["onScreen"]:
            problems.append(f"focus on {link['text']!r} is not visible: {link}")
        if link["inMain"]:
            break
    if not seen:
        problems.append("no link takes the focus")
    return problems


@pytest.mark.parametrize("language", ["en", "ar"])
def test_every_page_fits_a_phone_and_shows_the_focus(walk, language):
    assert walk(language, PHONE, phone_problems) == {}
