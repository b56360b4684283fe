"""Signing in, choosing a language and resetting a password, as a person does it."""

import re

from playwright.sync_api import Page, expect

from advocacy.models import AuditEvent
from tests.browser.helpers import link_in
from tests.factories import PASSWORD


def test_member_signs_in_on_a_phone_with_email_and_password(phone: Page, admin_user, organisation):
    phone.goto("/")
    expect(phone).to_have_url("/accounts/sign-in/?next=/")

    # Phones capitalise the first letter of the address; sign-in must not care.
    phone.get_by_label("Email address").fill(admin_user.email.capitalize())
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Sign in").click()

    expect(phone).to_have_url("/")
    expect(phone.get_by_role("heading", level=1)).to_have_text(f"Welcome, {admin_user.first_name}")
    expect(phone.get_by_role("link", name=organisation.name).first).to_be_visible()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SIGN_IN, actor=admin_user).exists()


def test_wrong_password_shows_the_error_and_keeps_the_email(page: Page, admin_user):
    page.goto("/accounts/sign-in/")
    page.get_by_label("Email address").fill(admin_user.email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Please enter a correct email address and password")
    # The summary takes focus so screen-reader and keyboard users hear what went wrong.
    expect(summary).to_be_focused()
    expect(page.get_by_label("Email address")).to_have_value(admin_user.email)
    expect(page.get_by_label("Password")).to_have_value("")
    expect(page).to_have_url("/accounts/sign-in/")
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.SIGN_IN_FAILED, actor_label=admin_user.email
    ).exists()


def switch_language(page: Page, code: str) -> None:
    """Use the footer's language switcher; located by name, not by its (translated) label."""
    switcher = page.locator("form.language-switch")
    switcher.locator("select[name=language]").select_option(code)
    switcher.get_by_role("button").click()
    page.wait_for_load_state()


def test_visitor_switches_to_arabic_with_the_footer(page: Page):
    page.goto("/accounts/sign-in/")
    expect(page.locator("html")).to_have_attribute("dir", "ltr")

    switch_language(page, "ar")

    expect(page).to_have_url("/accounts/sign-in/")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    # "Password" is one of Django's own strings, translated whatever our catalogue holds.
    expect(page.get_by_label("كلمة المرور")).to_be_visible()


def test_signed_in_member_keeps_their_language_on_every_device(
    page: Page, admin_user, sign_in, new_context
):
    sign_in(page.context, admin_user)
    page.goto("/accounts/profile/")

    switch_language(page, "ar")

    expect(page).to_have_url("/accounts/profile/")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    admin_user.refresh_from_db()
    assert admin_user.language == "ar"

    # Another browser with an English Accept-Language and no language cookie.
    other = new_context(language="en").new_page()
    sign_in(other.context, admin_user)
    other.goto("/")
    expect(other.locator("html")).to_have_attribute("lang", "ar")
    expect(other.locator("html")).to_have_attribute("dir", "rtl")


def test_member_resets_a_forgotten_password_by_email(page: Page, admin_user, smtp_server):
    new_password = "a-brand-new-passphrase-42"
    page.goto("/accounts/sign-in/")
    page.get_by_role("link", name="Forgotten your password?").click()
    page.get_by_label("Email").fill(admin_user.email)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")

    [message] = smtp_server.wait_for(1)
    assert message["To"] == admin_user.email
    page.goto(link_in(message, "/accounts/reset/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    page.get_by_label(re.compile(r"^New password:?$")).fill(new_password)
    page.get_by_label("New password confirmation").fill(new_password)
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Password saved")

    page.get_by_role("main").get_by_role("link", name="Sign in").click()
    page.get_by_label("Email address").fill(admin_user.email)
    page.get_by_label("Password").fill(new_password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url("/")
    admin_user.refresh_from_db()
    assert admin_user.check_password(new_password)

    # The link works once.
    page.goto(link_in(message, "/accounts/reset/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("This link no longer works")
