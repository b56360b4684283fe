"""A small directory shared by the directory and export tests: two countries, a parliament
with a committee and two parties, a ministry with a desk, and people in and out of office."""

import datetime as dt
from types import SimpleNamespace

from contacts.models import Person
from contacts.search import person_refresh_search
from tests.factories import (
    AreaFactory,
    ContactPointFactory,
    CountryFactory,
    InstitutionFactory,
    PartyFactory,
    PersonFactory,
    PositionFactory,
)


def build_world() -> SimpleNamespace:
    kenya = CountryFactory(code="KE", name="Kenya")
    uganda = CountryFactory(code="UG", name="Uganda")
    parliament = InstitutionFactory(name="National Assembly", kind="parliament", country=kenya)
    committee = InstitutionFactory(
        name="Defence and Foreign Relations Committee",
        kind="committee",
        country=kenya,
        parent=parliament,
    )
    governing = PartyFactory(name="Jubilee Party", country=kenya, is_governing=True)
    opposition = PartyFactory(name="Orange Democratic Movement", short_name="ODM", country=kenya)
    ministry = InstitutionFactory(
        name="Ministry of Foreign Affairs", kind="ministry", country=kenya
    )
    desk = InstitutionFactory(
        name="Disarmament Desk", kind="department", country=kenya, parent=ministry
    )
    ug_parliament = InstitutionFactory(
        name="Parliament of Uganda", kind="parliament", country=uganda
    )
    kisumu = AreaFactory(name="Kisumu Central", country=kenya)

    desire = PersonFactory(
        name="Désiré Kamau",
        given_name="Désiré",
        family_name="Kamau",
        sort_name="Kamau, Désiré",
        honorific_prefix="Hon.",
    )
    PositionFactory(
        person=desire,
        institution=parliament,
        role="MP",
        party=governing,
        area=kisumu,
        start_date=dt.date(2017, 8, 31),
    )
    PositionFactory(person=desire, institution=committee, role="Member")

    amina = PersonFactory(
        name="Amina Odhiambo",
        given_name="Amina",
        family_name="Odhiambo",
        sort_name="Odhiambo, Amina",
    )
    PositionFactory(person=amina, institution=parliament, role="MP", party=opposition)

    ahmed = PersonFactory(
        name="Ahmed Hassan", given_name="Ahmed", family_name="Hassan", sort_name="Hassan, Ahmed"
    )
    ahmed.other_names.create(name="أحمد حسن", language="ar")
    PositionFactory(person=ahmed, institution=desk, role="Desk officer")

    former = PersonFactory(
        name="Zachary Old", given_name="Zachary", family_name="Old", sort_name="Old, Zachary"
    )
    PositionFactory(
        person=former,
        institution=parliament,
        role="MP",
        party=opposition,
        start_date=dt.date(2013, 3, 28),
        end_date=dt.date(2017, 8, 8),
    )

    okello = PersonFactory(
        name="Grace Okello", given_name="Grace", family_name="Okello", sort_name="Okello, Grace"
    )
    PositionFactory(person=okello, institution=ug_parliament, role="MP")

    person_refresh_search(Person.objects.values_list("pk", flat=True))
    ContactPointFactory(person=desire, kind="email", value="desire.kamau@parliament.go.ke")
    return SimpleNamespace(**locals())
