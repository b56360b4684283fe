"""Signing in and out, passwords, the profile, and the language and time zone pages use."""

import re
from datetime import UTC, datetime

import pytest
from django.contrib.auth import SESSION_KEY
from django.urls import reverse

from advocacy.models import AuditEvent
from tests.advocacy.pages import html_tag
from tests.factories import PASSWORD

SIGN_IN = reverse("login")


def sign_in(client, email: str, password: str = PASSWORD):
    return client.post(SIGN_IN, {"username": email, "password": password})


@pytest.mark.parametrize(
    "typed",
    ["campaigner@home.example.org", "Campaigner@Home.Example.ORG", "CAMPAIGNER@HOME.EXAMPLE.ORG"],
)
def test_sign_in_ignores_the_letter_case_of_the_email(client, campaigner, typed):
    response = sign_in(client, typed)

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.session[SESSION_KEY] == str(campaigner.pk)
    event = AuditEvent.objects.get(action=AuditEvent.Action.SIGN_IN)
    assert event.actor == campaigner
    assert event.ip_address == "127.0.0.1"


def test_a_failed_sign_in_is_recorded_with_the_typed_email(client, campaigner):
    response = sign_in(client, "Campaigner@home.example.org", "wrong password")

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert SESSION_KEY not in client.session
    event = AuditEvent.objects.get()
    assert event.action == AuditEvent.Action.SIGN_IN_FAILED
    assert event.actor is None
    assert event.actor_label == "Campaigner@home.example.org"


def test_a_failed_sign_in_for_an_unknown_address_is_recorded(client, db):
    sign_in(client, "nobody@example.org")

    event = AuditEvent.objects.get()
    assert (event.action, event.actor_label) == ("sign_in_failed", "nobody@example.org")


def test_sign_in_goes_on_to_a_safe_next_page_only(client, campaigner):
    safe = client.post(
        f"{SIGN_IN}?next=/campaigns/", {"username": campaigner.email, "password": PASSWORD}
    )
    client.logout()
    unsafe = client.post(
        f"{SIGN_IN}?next=https://evil.example.com/",
        {"username": campaigner.email, "password": PASSWORD},
    )

    assert safe.url == "/campaigns/"
    assert unsafe.url == reverse("home")


def test_sign_in_sets_the_language_cookie_from_the_profile(client, campaigner):
    campaigner.language = "es"
    campaigner.save()

    response = sign_in(client, campaigner.email)

    assert response.cookies["django_language"].value == "es"


def test_sign_out_is_post_only(campaigner_client, campaigner):
    response = campaigner_client.get(reverse("logout"))

    assert response.status_code == 405
    assert campaigner_client.session[SESSION_KEY] == str(campaigner.pk)
    assert not AuditEvent.objects.exists()


def test_sign_out_is_recorded(campaigner_client, campaigner):
    response = campaigner_client.post(reverse("logout"))

    assert response.status_code == 302
    assert response.url == reverse("login")
    assert SESSION_KEY not in campaigner_client.session
    event = AuditEvent.objects.get()
    assert (event.action, event.actor) == (AuditEvent.Action.SIGN_OUT, campaigner)


def test_signing_out_when_already_out_records_nothing(client, db):
    assert client.post(reverse("logout")).status_code == 302
    assert not AuditEvent.objects.exists()


def test_password_change_is_recorded(campaigner_client, campaigner):
    response = campaigner_client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "another-long-passphrase",
            "new_password2": "another-long-passphrase",
        },
    )

    assert response.url == reverse("password_change_done")
    campaigner.refresh_from_db()
    assert campaigner.check_password("another-long-passphrase")
    # Still signed in: the session follows the new password.
    assert campaigner_client.get(reverse("home")).status_code == 200
    event = AuditEvent.objects.get()
    assert (event.action, event.actor) == (AuditEvent.Action.PASSWORD_CHANGED, campaigner)


def test_a_refused_password_change_is_not_recorded(campaigner_client, campaigner):
    response = campaigner_client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "x-y-z-1-2-3", "new_password2": "x-y-z-1-2-3"},
    )

    assert response.status_code == 200
    campaigner.refresh_from_db()
    assert campaigner.check_password(PASSWORD)
    assert not AuditEvent.objects.exists()


def profile_data(client, **changes) -> dict:
    """What the profile form posts as shown, with some fields changed."""
    form = client.get(reverse("profile")).context["form"]
    return {**{name: form[name].value() or "" for name in form.fields}, **changes}


def test_profile_saves_language_and_time_zone(campaigner_client, campaigner):
    data = profile_data(
        campaigner_client, first_name="Aline", language="fr", time_zone="Africa/Bujumbura"
    )

    response = campaigner_client.post(reverse("profile"), data)

    assert response.url == reverse("profile")
    assert response.cookies["django_language"].value == "fr"
    campaigner.refresh_from_db()
    assert (campaigner.first_name, campaigner.language, campaigner.time_zone) == (
        "Aline",
        "fr",
        "Africa/Bujumbura",
    )


def test_profile_refuses_an_unknown_time_zone(campaigner_client, campaigner):
    data = profile_data(campaigner_client, language="fr", time_zone="Mars/Olympus_Mons")

    response = campaigner_client.post(reverse("profile"), data)

    assert response.status_code == 200
    assert "time_zone" in response.context["form"].errors
    campaigner.refresh_from_db()
    assert (campaigner.language, campaigner.time_zone) == ("en", "UTC")


def test_profile_needs_sign_in(client, db):
    response = client.get(reverse("profile"))
    assert response.url == f"{SIGN_IN}?next={reverse('profile')}"


def test_the_users_language_drives_the_page(campaigner_client, campaigner):
    campaigner.language = "fr"
    campaigner.save()

    # A cookie saying otherwise loses to the profile.
    campaigner_client.cookies["django_language"] = "es"
    response = campaigner_client.get(reverse("home"))

    root = html_tag(response.content.decode())
    assert (root["lang"], root["dir"]) == ("fr", "ltr")
    assert response["Content-Language"] == "fr"


def test_arabic_pages_run_right_to_left(campaigner_client, campaigner):
    campaigner.language = "ar"
    campaigner.save()

    content = campaigner_client.get(reverse("home")).content.decode()

    root = html_tag(content)
    assert (root["lang"], root["dir"]) == ("ar", "rtl")


def test_anonymous_visitors_get_the_language_of_their_cookie(client, db):
    client.cookies["django_language"] = "es"

    assert html_tag(client.get(SIGN_IN).content.decode())["lang"] == "es"


def test_language_switch_saves_the_profile_and_sets_the_cookie(campaigner_client, campaigner):
    response = campaigner_client.post(
        reverse("language_switch"), {"language": "ar", "next": "/campaigns/?page=2"}
    )

    assert response.url == "/campaigns/?page=2"
    assert response.cookies["django_language"].value == "ar"
    campaigner.refresh_from_db()
    assert campaigner.language == "ar"


def test_language_switch_works_for_anonymous_visitors(client, db):
    response = client.post(reverse("language_switch"), {"language": "fr", "next": SIGN_IN})

    assert response.url == SIGN_IN
    assert response.cookies["django_language"].value == "fr"
    assert html_tag(client.get(SIGN_IN).content.decode())["lang"] == "fr"


def test_language_switch_rejects_unknown_languages(campaigner_client, campaigner):
    response = campaigner_client.post(
        reverse("language_switch"), {"language": "xx", "next": "/campaigns/"}
    )

    assert response.url == "/campaigns/"
    assert "django_language" not in response.cookies
    campaigner.refresh_from_db()
    assert campaigner.language == "en"


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example.com/",
        "//evil.example.com/",
        "/\\evil.example.com/",
        "javascript:alert(1)",
        "http://testserver.evil.example.com/",
    ],
)
def test_language_switch_does_not_redirect_elsewhere(client, db, next_url):
    response = client.post(reverse("language_switch"), {"language": "fr", "next": next_url})

    assert response.status_code == 302
    assert response.url == "/"
    assert response.cookies["django_language"].value == "fr"


def test_language_switch_is_post_only(client, db):
    assert client.get(reverse("language_switch"), {"language": "fr"}).status_code == 405


def test_times_show_in_the_users_time_zone(admin_client_, admin_user, organisation):
    admin_user.time_zone = "Asia/Tokyo"
    admin_user.save()
    AuditEvent.objects.create(
        action=AuditEvent.Action.UPDATED,
        actor_label="someone@example.org",
        organisation=organisation,
        created_at=datetime(2025, 3, 14, 12, 30, tzinfo=UTC),
    )

    content = admin_client_.get(reverse("organisation_activity", args=[organisation.slug]))

    # 12:30 UTC is 21:30 in Tokyo.
    assert "03/14/2025 9:30 p.m." in content.content.decode()


def test_times_show_in_utc_when_the_time_zone_is_unknown(admin_client_, admin_user, organisation):
    admin_user.time_zone = "Nowhere/Atlantis"
    admin_user.save()
    AuditEvent.objects.create(
        action=AuditEvent.Action.UPDATED,
        organisation=organisation,
        created_at=datetime(2025, 3, 14, 12, 30, tzinfo=UTC),
    )

    content = admin_client_.get(reverse("organisation_activity", args=[organisation.slug]))

    assert "03/14/2025 12:30 p.m." in content.content.decode()


def test_password_reset_is_recorded(client, campaigner, mailoutbox):
    client.post(reverse("password_reset"), {"email": "Campaigner@Home.example.org"})
    [message] = mailoutbox
    link = re.search(r"https?://\S+(/accounts/reset/\S+/)", message.body).group(1)

    form = client.get(link, follow=True)
    response = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-fresh-passphrase", "new_password2": "a-fresh-passphrase"},
    )

    assert response.url == reverse("password_reset_complete")
    campaigner.refresh_from_db()
    assert campaigner.check_password("a-fresh-passphrase")
    event = AuditEvent.objects.get()
    assert (event.action, event.actor) == (AuditEvent.Action.PASSWORD_RESET, campaigner)


def test_password_reset_for_an_unknown_address_says_nothing(client, db, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})

    assert response.url == reverse("password_reset_done")
    assert mailoutbox == []
