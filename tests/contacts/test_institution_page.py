import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts import charts
from contacts.models import ContactPoint, Institution, Tag
from tests import factories

pytestmark = pytest.mark.django_db


def _url(institution) -> str:
    return reverse("contacts:institution", args=[institution.pk])


def _parliament_with(size: int, seats: int | None = None) -> Institution:
    parliament = factories.InstitutionFactory(
        name="National Assembly", kind=Institution.Kind.PARLIAMENT, seats=seats
    )
    governing = factories.PartyFactory(name="Ruling Party", is_governing=True)
    opposition = factories.PartyFactory(name="Opposition Party")
    for n in range(size):
        factories.PositionFactory(institution=parliament, role="MP", party=governing)
        factories.PositionFactory(
            institution=parliament, role="MP", party=opposition if n % 2 else governing
        )
    return parliament


def test_it_groups_current_members_by_role(campaigner_client):
    ministry = factories.InstitutionFactory(name="Ministry of Foreign Affairs")
    factories.PositionFactory(institution=ministry, role="minister", person__name="Ama Mensah")
    factories.PositionFactory(
        institution=ministry, role="desk officer", person__name="Kofi Boateng"
    )
    factories.PositionFactory(
        institution=ministry,
        role="desk officer",
        person__name="Former Officer",
        end_date=timezone.localdate() - dt.timedelta(days=1),
    )

    html = campaigner_client.get(_url(ministry)).content.decode()

    desk = html.split("<h3>desk officer")[1].split("</ul>")[0]
    assert "Kofi Boateng" in desk and "Former Officer" not in html
    assert "Ama Mensah" in html.split("<h3>minister")[1].split("</ul>")[0]
    assert "2 current members" in html


def test_it_lists_sub_institutions_contact_points_and_tags(campaigner_client):
    ministry = factories.InstitutionFactory(name="Ministry of Foreign Affairs")
    factories.InstitutionFactory(name="Disarmament desk", kind="department", parent=ministry)
    ContactPoint.objects.create(
        institution=ministry, kind=ContactPoint.Kind.EMAIL, value="info@mfa.example.org"
    )
    ministry.tags.add(Tag.objects.create(name="security", slug="security"))

    html = campaigner_client.get(_url(ministry)).content.decode()

    assert "Disarmament desk" in html.split('id="children-heading"')[1]
    assert "mailto:info@mfa.example.org" in html
    assert "security" in html


def test_a_parliament_shows_its_composition_by_party(campaigner_client):
    parliament = _parliament_with(3, seats=10)

    html = campaigner_client.get(_url(parliament)).content.decode()

    bar = html.split('<svg class="composition-bar"')[1].split("</svg>")[0]
    assert "6 members; governing parties hold 5." in bar
    assert bar.count('class="governing-mark"') == 1
    legend = html.split('class="composition-legend"')[1].split("</ul>")[0]
    assert "Ruling Party" in legend and "governing" in legend
    assert "Vacant or not recorded" in legend and ": 4" in legend


def test_a_ministry_has_no_composition_bar(campaigner_client):
    ministry = factories.InstitutionFactory(kind=Institution.Kind.MINISTRY)
    factories.PositionFactory(institution=ministry, party=factories.PartyFactory())
    assert "composition-bar" not in campaigner_client.get(_url(ministry)).content.decode()


def test_composition_puts_the_largest_party_first_and_fills_the_bar():
    composition = charts.composition(
        [(1, "Small", False, 2), (2, "Large", True, 6), (None, "", False, 2)]
    )
    assert [s.name for s in composition.shares] == ["Large", "Small", "No party"]
    assert [s.x for s in composition.shares] == [0, 60, 80]
    assert sum(s.width for s in composition.shares) == 100
    assert composition.governing == 6 and composition.vacant == 0


@pytest.mark.parametrize("size", [1, 5, 15])
def test_institution_queries_do_not_grow(size, campaigner_client, django_assert_num_queries):
    parliament = _parliament_with(size)
    for n in range(size):
        factories.InstitutionFactory(parent=parliament, kind="committee", name=f"Committee {n}")
        ContactPoint.objects.create(institution=parliament, kind="email", value=f"c{n}@x.org")
        parliament.tags.add(Tag.objects.create(name=f"t{n}", slug=f"t-{parliament.pk}-{n}"))
    # session, user, institution (parent and country joined), its tags and contact points
    # (prefetched), current members (person, party, area joined), sub-institutions, the
    # editor check, the menu's memberships
    with django_assert_num_queries(9):
        response = campaigner_client.get(_url(parliament))
    assert response.status_code == 200


def test_a_country_page_lists_institutions_parliament_and_missions(campaigner_client):
    country = factories.CountryFactory(code="BI", name="Burundi")
    ministry = factories.InstitutionFactory(
        name="Ministère des Affaires étrangères", kind="ministry", country=country
    )
    factories.InstitutionFactory(
        name="Service du désarmement", kind="department", parent=ministry, country=country
    )
    parliament = factories.InstitutionFactory(
        name="Assemblée nationale", kind="parliament", country=country
    )
    factories.PositionFactory(
        institution=parliament, party=factories.PartyFactory(country=country, is_governing=True)
    )
    for city in ("Geneva", "New York"):
        factories.InstitutionFactory(
            name=f"Mission permanente à {city}", kind="mission", city=city, country=country
        )
    factories.InstitutionFactory(
        name="Elsewhere Ministry", country=factories.CountryFactory(code="FJ", name="Fiji")
    )

    html = campaigner_client.get(reverse("contacts:country", args=["bi"])).content.decode()

    parliament_part = html.split('id="parliament-heading"')[1].split("</section>")[0]
    assert "Assemblée nationale" in parliament_part and "composition-bar" in parliament_part
    missions = html.split('id="missions-heading"')[1].split("</section>")[0]
    assert "Mission permanente à Geneva" in missions and "New York" in missions
    institutions = html.split('id="institutions-heading"')[1]
    assert institutions.index("<h3>Ministry") < institutions.index("<h3>Department")
    assert "Service du désarmement" in institutions
    assert "Elsewhere Ministry" not in html


def test_an_unknown_country_is_not_found(campaigner_client):
    assert campaigner_client.get(reverse("contacts:country", args=["ZZ"])).status_code == 404


@pytest.mark.parametrize("size", [1, 5, 15])
def test_country_queries_do_not_grow(size, campaigner_client, django_assert_num_queries):
    country = factories.CountryFactory(code="KE", name="Kenya")
    for n in range(size):
        parliament = _parliament_with(2)
        parliament.country = country
        parliament.save()
        factories.InstitutionFactory(country=country, kind="ministry", name=f"Ministry {n}")
        factories.InstitutionFactory(
            country=country, kind="mission", city="Geneva", name=f"Mission {n}"
        )
    # session, user, country, its treaty statuses (with their treaties), its institutions
    # (with member counts), seats by party in its parliaments, the editor check, the menu's
    # memberships
    with django_assert_num_queries(8):
        response = campaigner_client.get(reverse("contacts:country", args=["KE"]))
    assert response.status_code == 200
