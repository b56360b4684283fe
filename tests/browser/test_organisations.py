"""An organisation's admin invites people, changes their roles and removes them."""

import re

from playwright.sync_api import Page, expect

from advocacy.models import Invitation, Membership
from tests.browser.helpers import link_in


def test_admin_invites_a_member_who_joins_through_the_emailed_link(
    page: Page, admin_user, organisation, sign_in, new_context, smtp_server, settings, live_server
):
    settings.SITE_URL = live_server.url
    sign_in(page.context, admin_user)
    page.goto(organisation.get_absolute_url())
    invite = page.get_by_role("region", name="Invite someone")
    invite.get_by_label("Email address").fill("new.member@example.org")
    invite.get_by_label("Role").select_option(label="Coordinator")
    invite.get_by_role("button", name="Send invitation").click()

    expect(page.get_by_role("status")).to_contain_text("Invitation sent to new.member@example.org")
    expect(
        invite.get_by_role("listitem").filter(has_text="new.member@example.org")
    ).to_contain_text("Sent")
    [message] = smtp_server.wait_for(1)
    assert message["To"] == "new.member@example.org"
    link = link_in(message, "/invitations/")

    # The invitee opens the link in their own browser.
    invitee = new_context().new_page()
    invitee.goto(link)
    expect(invitee.get_by_role("heading", level=1)).to_have_text(f"Join {organisation.name}")
    invitee.get_by_label("First name").fill("Amina")
    invitee.get_by_label("Last name").fill("Haddad")
    invitee.get_by_label(re.compile(r"^Password:?$")).fill("lobby-the-ministry-2025")
    invitee.get_by_label("Password again").fill("lobby-the-ministry-2025")
    invitee.get_by_role("button", name="Create account and join").click()

    expect(invitee).to_have_url(organisation.get_absolute_url())
    expect(invitee.get_by_role("status")).to_contain_text(f"Welcome to {organisation.name}")
    expect(invitee.get_by_text("Your role: Coordinator")).to_be_visible()
    membership = Membership.objects.get(
        organisation=organisation, user__email="new.member@example.org"
    )
    assert membership.role == Membership.Role.COORDINATOR
    assert membership.user.get_full_name() == "Amina Haddad"
    assert Invitation.objects.get(email="new.member@example.org").accepted_by == membership.user

    # The link works once, whoever opens it next.
    for browser_page in (invitee, new_context().new_page()):
        browser_page.goto(link)
        expect(browser_page.get_by_role("heading", level=1)).to_have_text(
            "This invitation no longer works"
        )


def member_row(page: Page, email: str):
    members = page.get_by_role("region", name="Members")
    return members.get_by_role("listitem").filter(has_text=email)


def test_admin_changes_a_role_then_removes_the_member(
    page: Page, admin_user, campaigner, organisation, sign_in
):
    sign_in(page.context, admin_user)
    page.goto(organisation.get_absolute_url())
    row = member_row(page, campaigner.email)
    row.get_by_label(f"Role of {campaigner}").select_option(label="Viewer")
    row.get_by_role("button", name="Change").click()

    expect(page.get_by_role("status")).to_contain_text(f"{campaigner} is now Viewer.")
    membership = Membership.objects.get(user=campaigner, organisation=organisation)
    assert membership.role == Membership.Role.VIEWER
    expect(member_row(page, campaigner.email).get_by_role("combobox")).to_have_value("viewer")

    member_row(page, campaigner.email).get_by_role("link", name=f"Remove {campaigner}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Remove a member")
    page.get_by_role("button", name="Remove").click()

    expect(page).to_have_url(organisation.get_absolute_url())
    expect(page.get_by_role("status")).to_contain_text(f"{campaigner} no longer belongs")
    expect(member_row(page, campaigner.email)).to_have_count(0)
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_the_last_admin_can_neither_step_down_nor_leave(
    page: Page, admin_user, campaigner, organisation, sign_in
):
    sign_in(page.context, admin_user)
    page.goto(organisation.get_absolute_url())
    row = member_row(page, admin_user.email)
    row.get_by_label(f"Role of {admin_user}").select_option(label="Campaigner")
    row.get_by_role("button", name="Change").click()

    expect(page.get_by_role("status")).to_contain_text("An organisation needs at least one admin.")
    expect(member_row(page, admin_user.email).get_by_role("combobox")).to_have_value("admin")

    member_row(page, admin_user.email).get_by_role("link", name=f"Remove {admin_user}").click()
    page.get_by_role("button", name="Remove").click()

    expect(page.get_by_role("status")).to_contain_text("An organisation needs at least one admin.")
    membership = Membership.objects.get(user=admin_user, organisation=organisation)
    assert membership.role == Membership.Role.ADMIN
