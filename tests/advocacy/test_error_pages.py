"""Friendly error pages, rendered with the right status codes while DEBUG is off."""

import pytest
from django.http import HttpRequest
from django.template import Context, Template, loader
from django.test import Client
from django.urls import include, path, reverse
from django.utils import translation

from tests.advocacy.pages import html_tag
from tests.factories import CampaignFactory


def _boom(request: HttpRequest):
    raise RuntimeError("a bug in a view")


# Used by the tests marked `urls` below: the app's own pages plus one that always fails.
urlpatterns = [
    path("boom/", _boom),
    path("", include("advocacy.urls")),
]


def test_debug_is_off(settings):
    assert settings.DEBUG is False


def test_an_unknown_address_gets_the_friendly_404(client, db):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    content = response.content.decode()
    assert "Page not found" in content
    assert f'href="{reverse("home")}"' in content


def test_a_signed_in_user_gets_the_404_within_the_app(campaigner_client, organisation):
    response = campaigner_client.get(reverse("campaigns:detail", args=[999999]))

    assert response.status_code == 404
    content = response.content.decode()
    assert "Page not found" in content
    # The menu still works: their organisation is listed.
    assert organisation.get_absolute_url() in content


def test_another_organisations_record_is_404_not_403(outsider_client, organisation, campaigner):
    campaign = CampaignFactory(organisation=organisation, created_by=campaigner)

    response = outsider_client.get(reverse("campaigns:detail", args=[campaign.pk]))

    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_a_role_too_low_gets_the_friendly_403(campaigner_client, organisation):
    response = campaigner_client.get(reverse("organisation_update", args=[organisation.slug]))

    assert response.status_code == 403
    content = response.content.decode()
    assert "Not allowed" in content
    assert "An admin of your organisation can change your role." in content


def test_an_expired_form_gets_the_friendly_csrf_page(campaigner, organisation):
    client = Client(enforce_csrf_checks=True)
    client.force_login(campaigner)

    response = client.post(reverse("profile"), {"language": "fr", "time_zone": "UTC"})

    assert response.status_code == 403
    assert "The form expired" in response.content.decode()
    campaigner.refresh_from_db()
    assert campaigner.language == "en"


def test_a_bad_host_gets_the_friendly_400(client, db):
    response = client.get(reverse("login"), HTTP_HOST="evil.example.com")

    assert response.status_code == 400
    assert "Something is wrong with that request" in response.content.decode()


def test_the_500_page_renders_without_a_request():
    # Django renders 500.html with no context at all: no request, user or context processors.
    # (The language is pinned: an earlier request in this thread may have activated another.)
    with translation.override("en"):
        content = loader.get_template("500.html").render()

    assert "Something went wrong" in content
    root = html_tag(content)
    assert (root["lang"], root["dir"]) == ("en", "ltr")
    assert "/static/css/app.css" in content


def test_the_500_page_renders_from_a_plain_context():
    with open(loader.get_template("500.html").origin.name, encoding="utf-8") as source:
        template = Template(source.read())

    with translation.override("ar"):
        content = template.render(Context())

    root = html_tag(content)
    assert (root["lang"], root["dir"]) == ("ar", "rtl")


@pytest.mark.urls("tests.advocacy.test_error_pages")
def test_a_failing_view_gets_the_friendly_500(client, db):
    client.raise_request_exception = False

    response = client.get("/boom/")

    assert response.status_code == 500
    content = response.content.decode()
    assert "Something went wrong" in content
    assert "a bug in a view" not in content
    assert "Traceback" not in content


@pytest.mark.urls("tests.advocacy.test_error_pages")
def test_the_500_page_speaks_the_users_language(client, campaigner):
    campaigner.language = "fr"
    campaigner.save()
    client.force_login(campaigner)
    client.raise_request_exception = False

    response = client.get("/boom/")

    assert response.status_code == 500
    assert html_tag(response.content.decode())["lang"] == "fr"
