import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from advocacy.demo import seed_core
from campaigns.demo import CAMPAIGNS, seed_campaigns
from contacts.demo import COUNTRIES, seed_contacts
from contacts.models import (
    ContactPoint,
    Identifier,
    Institution,
    OtherName,
    Person,
    Position,
    StanceAssessment,
    Tag,
)

pytestmark = pytest.mark.django_db

DEMO_COUNTRIES = ["BI", "FJ", "LB", "VN", "GB", "CO", "CH"]


@pytest.fixture
def seeded():
    seed_core()
    seed_campaigns()
    seed_contacts()


def _counts() -> dict[str, int]:
    models = [Person, Position, Institution, ContactPoint, Identifier, OtherName, Tag]
    counts = {model.__name__: model.objects.count() for model in models}
    counts["StanceAssessment"] = StanceAssessment.objects.count()
    counts["tagged"] = Person.tags.through.objects.count()
    return counts


def test_every_demo_country_is_seeded():
    assert sorted(spec.code for spec in COUNTRIES) == sorted(DEMO_COUNTRIES)


def _check_institutions(code: str) -> None:
    institutions = Institution.objects.filter(country_id=code)
    assert institutions.filter(kind=Institution.Kind.GOVERNMENT).count() == 1
    assert institutions.filter(kind=Institution.Kind.MINISTRY).count() == 2
    desk = institutions.get(kind=Institution.Kind.DEPARTMENT)
    assert desk.parent.kind == Institution.Kind.MINISTRY
    assert desk.positions.filter(role="desk officer").count() >= 2
    parliament = institutions.get(kind=Institution.Kind.PARLIAMENT)
    assert institutions.get(kind=Institution.Kind.COMMITTEE).parent == parliament
    parties = institutions.filter(kind=Institution.Kind.PARTY)
    assert parties.count() >= 2 and parties.filter(is_governing=True).count() == 1
    missions = institutions.filter(kind=Institution.Kind.MISSION)
    assert set(missions.values_list("city", flat=True)) == {"Geneva", "New York"}


def _check_parliament(code: str) -> None:
    parliament = Institution.objects.get(country_id=code, kind=Institution.Kind.PARLIAMENT)
    mps = Position.objects.current().filter(institution=parliament, role="MP")
    assert 20 <= mps.count() <= 60
    assert not mps.filter(party__isnull=True).exists()
    assert mps.filter(area__kind="constituency").count() == mps.count()
    aides = Position.objects.filter(institution=parliament, role="aide")
    assert aides.count() >= 2 and not aides.filter(to_person__isnull=True).exists()
    assert Position.objects.past().filter(institution=parliament).exists()
    mp = mps.first().person
    assert mp.contact_points.filter(kind=ContactPoint.Kind.EMAIL).exists()
    assert mp.search_document


def test_each_country_has_ministries_a_parliament_with_mps_and_missions(seeded):
    for code in DEMO_COUNTRIES:
        _check_institutions(code)
        _check_parliament(code)


def test_people_have_offices_with_hours_and_some_expired_addresses(seeded):
    offices = ContactPoint.objects.filter(kind=ContactPoint.Kind.CONSTITUENCY_OFFICE)
    assert offices.exists() and not offices.filter(hours="").exists()
    assert ContactPoint.objects.filter(valid_until__lt=timezone.localdate()).exists()
    assert (
        Tag.objects.filter(slug__in=["development", "health", "security", "tourism"]).count() == 4
    )
    assert Person.tags.through.objects.exists()


def test_lebanese_mps_have_names_in_arabic_script(seeded):
    names = OtherName.objects.filter(language="ar")
    assert names.exists()
    assert all("\u0600" <= name.name[0] <= "\u06ff" for name in names)


def test_stance_histories_span_the_last_year_in_the_demo_campaigns(seeded):
    assessments = StanceAssessment.objects.all()
    now = timezone.now()
    assert assessments.count() > 100
    assert not assessments.filter(assessed_at__lt=now - dt.timedelta(days=366)).exists()
    assert assessments.values("campaign").distinct().count() == len(CAMPAIGNS)
    # Some people changed their minds: more than one assessment in one campaign.
    first = assessments.filter(person__isnull=False).first()
    assert (
        StanceAssessment.objects.filter(campaign=first.campaign, organisation=first.organisation)
        .values("person")
        .distinct()
        .count()
        < StanceAssessment.objects.filter(
            campaign=first.campaign, organisation=first.organisation
        ).count()
    )
    # Each is recorded by someone in the assessing organisation.
    for assessment in assessments.select_related("created_by")[:50]:
        assert assessment.created_by.memberships.filter(
            organisation=assessment.organisation
        ).exists()


def test_seeding_twice_changes_nothing(seeded):
    before = _counts()
    seed_contacts()
    assert _counts() == before


def test_seed_demo_runs_the_directory_too(capsys):
    call_command("seed_demo")
    assert Person.objects.filter(identifiers__scheme="demo").count() > 200


def test_a_demo_mp_page_renders_for_a_demo_campaigner(seeded, client):
    from advocacy.models import User

    user = User.objects.get(email="aline.campaigner@apb.example.org")
    user.language = "en"  # the Burundian demo users read French; check the English page
    user.save(update_fields=["language"])
    client.force_login(user)
    mp = Person.objects.filter(
        stance_assessments__organisation__slug="apb", positions__role="MP"
    ).first()

    html = client.get(reverse("contacts:person", args=[mp.pk])).content.decode()

    assert "Burundi ratifies the cluster munitions convention" in html
    assert '<svg class="stance-chart"' in html
    assert "Record a stance" in html
