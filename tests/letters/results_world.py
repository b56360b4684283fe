"""A printed letter day that went out three weeks ago, with replies to log, and a co-signed
letter with signatories in and around constituencies: for the replies, PDF and results
tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from contacts.models import Area, Institution, Person
from letters.models import ActionTarget, Letter, LetterAction, Signatory
from tests import factories

DAYS_AGO = 21
BODY_FATUMA = (
    "Dear Hon. Amina Odhiambo,\n\n"
    "As imam of Westlands Mosque I ask you to support ratification of the treaty.\n\n"
    "Yours sincerely,\nFatuma Hassan"
)
BODY_GEORGE = (
    "Dear Hon. Amina Odhiambo,\n\n"
    "My family lives in Kibra and we want the treaty ratified this year.\n\n"
    "George Otieno"
)


@dataclass
class World:
    action: LetterAction
    campaign: object
    westlands: Area
    kibra: Area
    parklands: Area
    amina: Person
    brian: Person
    clara: Person
    to_amina: ActionTarget
    to_brian: ActionTarget
    to_clara: ActionTarget
    fatuma: Signatory
    george: Signatory
    hannah: Signatory
    fatuma_to_amina: Letter
    george_to_amina: Letter
    hannah_to_brian: Letter
    george_to_brian: Letter
    hannah_draft: Letter


def areas() -> tuple[Area, Area, Area, Area]:
    kenya = factories.CountryFactory(code="KE", name="Kenya")
    nairobi = Area.objects.create(name="Nairobi County", kind="county", country=kenya)
    westlands = Area.objects.create(
        name="Westlands", kind="constituency", country=kenya, parent=nairobi
    )
    kibra = Area.objects.create(name="Kibra", kind="constituency", country=kenya, parent=nairobi)
    parklands = Area.objects.create(name="Parklands", kind="ward", country=kenya, parent=westlands)
    return nairobi, westlands, kibra, parklands


def mp(name: str, area: Area | None, parliament: Institution) -> Person:
    given, family = name.split(" ")
    person = factories.PersonFactory(
        name=name,
        given_name=given,
        family_name=family,
        sort_name=f"{family}, {given}",
        honorific_prefix="Hon.",
    )
    factories.PositionFactory(person=person, institution=parliament, role="MP", area=area)
    return person


def sent_at() -> dt.datetime:
    return timezone.now() - dt.timedelta(days=DAYS_AGO)


def build_world(organisation, creator, **action_fields) -> World:
    """Three MPs: two received letters, one nobody wrote to."""
    _nairobi, westlands, kibra, parklands = areas()
    parliament = factories.InstitutionFactory(
        name="National Assembly", kind="parliament", country=westlands.country
    )
    amina = mp("Amina Odhiambo", westlands, parliament)
    brian = mp("Brian Kiprop", kibra, parliament)
    clara = mp("Clara Wanjiru", None, parliament)
    factories.ContactPointFactory(
        person=amina, kind="capital_office", value="Parliament Buildings\nParliament Road, Nairobi"
    )
    campaign = factories.CampaignFactory(
        organisation=organisation, created_by=creator, name="Ratify the treaty"
    )
    fields = {
        "title": "Ratification letter day",
        "channel": LetterAction.Channel.PRINT,
        "state": LetterAction.State.SENT,
        "deliver_on": timezone.localdate(sent_at()),
        **action_fields,
    }
    action = factories.LetterActionFactory(campaign=campaign, created_by=creator, **fields)
    factories.LetterTemplateFactory(action=action)
    to = {
        person.pk: factories.ActionTargetFactory(action=action, person=person)
        for person in (amina, brian, clara)
    }
    fatuma = factories.SignatoryFactory(
        action=action,
        name="Fatuma Hassan",
        title="Imam",
        organisation_name="Westlands Mosque",
        role=Signatory.Role.FAITH_LEADER,
        area=westlands,
    )
    george = factories.SignatoryFactory(
        action=action,
        name="George Otieno",
        role=Signatory.Role.CONSTITUENT,
        area=kibra,
        address="12 Kibra Road\nNairobi",
    )
    hannah = factories.SignatoryFactory(
        action=action,
        name="Hannah Njeri",
        role=Signatory.Role.COMMUNITY_LEADER,
        organisation_name="Kibra Youth Group",
    )
    when = sent_at()

    def letter(signatory, person, state, body="Please ratify the treaty.", **more):
        return factories.LetterFactory(
            action=action,
            target=person,
            signatory=signatory,
            state=state,
            subject=f"Ratify the treaty, {person.name}",
            body=body,
            sent_at=when if state in (Letter.State.SENT,) else None,
            claimed_at=when if state in Letter.WENT_OUT else None,
            **more,
        )

    return World(
        action=action,
        campaign=campaign,
        westlands=westlands,
        kibra=kibra,
        parklands=parklands,
        amina=amina,
        brian=brian,
        clara=clara,
        to_amina=to[amina.pk],
        to_brian=to[brian.pk],
        to_clara=to[clara.pk],
        fatuma=fatuma,
        george=george,
        hannah=hannah,
        fatuma_to_amina=letter(fatuma, amina, Letter.State.SENT, BODY_FATUMA),
        george_to_amina=letter(george, amina, Letter.State.SENT, BODY_GEORGE),
        hannah_to_brian=letter(hannah, brian, Letter.State.PRINTED),
        george_to_brian=letter(
            george, brian, Letter.State.FAILED, attempts=3, last_error="No address for them"
        ),
        hannah_draft=letter(hannah, amina, Letter.State.DRAFT),
    )
