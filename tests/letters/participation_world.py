"""A letter day to Nairobi's representatives, for the participation and public page tests.

Nairobi county holds two constituencies, Westlands (with the ward of Parklands) and
Lang'ata. Each constituency has its MP, the county its woman representative; a former MP
for Westlands and an aide to the Westlands MP are targets too, to show that only current
positions of one's own count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from contacts.models import Area, Person
from letters.models import LetterAction, LetterTemplate, Signatory
from tests.factories import (
    ActionTargetFactory,
    AreaFactory,
    CampaignFactory,
    ContactPointFactory,
    CountryFactory,
    InstitutionFactory,
    LetterActionFactory,
    LetterTemplateFactory,
    PersonFactory,
    PositionFactory,
)

TEMPLATE_BODY = (
    "Dear {{ target.honorific }} {{ target.full_name }},\n\n"
    "As someone who lives in {{ signatory.constituency }} I ask you to support the "
    "ratification of the treaty banning landmines when it comes before the National "
    "Assembly this session. Every year without it costs lives and limbs.\n\n"
    "Yours sincerely,\n{{ signatory.name }}"
)
FRENCH_BODY = (
    "{{ target.honorific }} {{ target.full_name }},\n\n"
    "Je vous demande de soutenir la ratification du traité.\n\n{{ signatory.name }}"
)
PERSONAL = (
    "My brother lost his leg to a mine near the border in 2009 and still cannot find work. "
    "I saw what it did to our whole family, and I know there are hundreds like him in our "
    "county who nobody counts."
)


def personalise(body: str) -> str:
    """The body with a paragraph of the writer's own, well below the nudge."""
    return body.replace("Yours sincerely,", f"{PERSONAL}\n\nYours sincerely,")


@dataclass
class World:
    action: LetterAction
    template: LetterTemplate
    county: Area
    westlands: Area
    langata: Area
    parklands: Area
    mp_westlands: Person
    mp_langata: Person
    woman_rep: Person
    former_mp: Person
    aide: Person


def build(organisation, **action_fields) -> World:
    kenya = CountryFactory(code="KE", name="Kenya")
    parliament = InstitutionFactory(name="National Assembly", kind="parliament", country=kenya)
    county = AreaFactory(name="Nairobi", kind="county", country=kenya)
    westlands = AreaFactory(name="Westlands", country=kenya, parent=county)
    langata = AreaFactory(name="Lang'ata", country=kenya, parent=county)
    parklands = AreaFactory(name="Parklands", kind="ward", country=kenya, parent=westlands)
    AreaFactory(name="Mombasa", kind="county", country=kenya)

    def member(name: str, area: Area, **extra) -> Person:
        person = PersonFactory(name=name, given_name=name.split()[0], family_name=name.split()[-1])
        PositionFactory(
            person=person, institution=parliament, area=area, role="Member of Parliament", **extra
        )
        ContactPointFactory(person=person)
        return person

    mp_westlands = member("Tim Wanyonyi", westlands)
    mp_langata = member("Phelix Odiwuor", langata)
    woman_rep = member("Esther Passaris", county)
    former_mp = member("Fred Former", westlands, end_date=timezone.localdate() - dt.timedelta(1))
    aide = PersonFactory(name="Alice Aide")
    PositionFactory(
        person=aide, institution=parliament, area=westlands, role="aide", to_person=mp_westlands
    )

    fields = {
        "title": "Ban landmines now",
        "summary": "Parliament votes on the treaty this month.",
        "talking_points": "The treaty saves lives\nKenya signed in 1997",
        "public_page": True,
        **action_fields,
    }
    campaign = CampaignFactory(organisation=organisation, name="Ban landmines")
    action = LetterActionFactory(campaign=campaign, **fields)
    template = LetterTemplateFactory(action=action, language="en", body=TEMPLATE_BODY)
    LetterTemplateFactory(action=action, language="fr", subject="Ratifiez", body=FRENCH_BODY)
    for person in (mp_westlands, mp_langata, woman_rep, former_mp, aide):
        ActionTargetFactory(action=action, person=person)
    return World(
        action=action,
        template=template,
        county=county,
        westlands=westlands,
        langata=langata,
        parklands=parklands,
        mp_westlands=mp_westlands,
        mp_langata=mp_langata,
        woman_rep=woman_rep,
        former_mp=former_mp,
        aide=aide,
    )


def signup_data(**overrides) -> dict:
    data = {
        "name": "Amina Odhiambo",
        "email": "amina@example.org",
        "organisation_name": "",
        "title": "",
        "role": Signatory.Role.CONSTITUENT,
        "area": "",
        "address": "",
        "website": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}
