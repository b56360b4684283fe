"""The demo data behind `make run`: a believable coalition that loads the same way every time."""

import re
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command

from advocacy.models import Membership, Organisation, User

PROJECT_APPS = ("advocacy", "campaigns", "contacts", "meetings", "letters")

# Continents of the countries a demo may plausibly use; others count as unknown.
CONTINENTS = {
    "BI": "Africa",
    "KE": "Africa",
    "SN": "Africa",
    "ZA": "Africa",
    "FJ": "Oceania",
    "AU": "Oceania",
    "NZ": "Oceania",
    "LB": "Asia",
    "VN": "Asia",
    "LA": "Asia",
    "PH": "Asia",
    "GB": "Europe",
    "CH": "Europe",
    "NO": "Europe",
    "CO": "South America",
    "CL": "South America",
    "MX": "North America",
    "CA": "North America",
}


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for name in PROJECT_APPS
        for model in apps.get_app_config(name).get_models()
    }


@pytest.fixture
def output(db) -> str:
    return seed()


def test_seeding_twice_changes_no_row_counts(output):
    first = row_counts()
    users = set(User.objects.values_list("pk", flat=True))

    seed()

    assert row_counts() == first
    assert set(User.objects.values_list("pk", flat=True)) == users
    assert first["advocacy.Organisation"] >= 6
    assert first["campaigns.Campaign"] >= 1


def test_members_come_from_five_continents(output):
    coalition = Organisation.objects.get(kind=Organisation.Kind.COALITION)
    countries = {str(o.country) for o in coalition.member_organisations.all()}

    continents = {CONTINENTS[code] for code in countries if code in CONTINENTS}

    assert len(countries) >= 5
    assert len(continents) >= 5


def test_every_organisation_has_a_user_in_every_role(output):
    for organisation in Organisation.objects.all():
        roles = set(organisation.memberships.values_list("role", flat=True))
        assert roles == set(Membership.Role.values), organisation


def test_demo_users_speak_several_languages(output):
    assert set(User.objects.values_list("language", flat=True)) >= {"en", "fr", "es", "ar"}


def test_every_printed_login_works_with_the_printed_password(output, client):
    password = re.search(r"password: (\S+)", output).group(1)
    emails = re.findall(r"^\s+(\S+@\S+)\s", output, flags=re.MULTILINE)

    assert len(emails) == User.objects.count()
    for email in emails:
        assert authenticate(username=email, password=password) is not None, email
    response = client.post("/accounts/sign-in/", {"username": emails[0], "password": password})
    assert response.status_code == 302


def test_seeding_again_restores_a_changed_demo_password(output):
    password = re.search(r"password: (\S+)", output).group(1)
    user = User.objects.order_by("pk").first()
    user.set_password("changed-during-a-demo")
    user.save()

    seed()

    assert authenticate(username=user.email, password=password) == user


def test_seeding_leaves_other_accounts_alone(output):
    someone = User.objects.create_user("someone@example.org", "a-long-passphrase")

    seed()

    someone.refresh_from_db()
    assert someone.check_password("a-long-passphrase")
    assert not someone.memberships.exists()
