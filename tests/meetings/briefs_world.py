"""A meeting to brief for, shared by the PDF tests: a campaign with messages, asks and facts in
English and Arabic, a minister at a ministry with a policy hook, an earlier meeting with her,
and notes that hold a phrase said off the record, which no document may ever show."""

import datetime as dt
import zoneinfo
from types import SimpleNamespace

from django.utils import timezone

from campaigns.models import Ask, Fact, KeyMessage, PolicyHook
from meetings.models import (
    ChecklistItem,
    Commitment,
    FollowUp,
    Meeting,
    MeetingAttendee,
    OffRecordSegment,
)
from tests.factories import (
    CampaignFactory,
    CountryFactory,
    InstitutionFactory,
    PersonFactory,
    PositionFactory,
    StanceAssessmentFactory,
)

LONDON = zoneinfo.ZoneInfo("Europe/London")
ASK = "Table the ratification bill before the summer recess"
ARABIC_ASK = "ندعو الحكومة إلى التصديق على اتفاقية الذخائر العنقودية قبل نهاية العام"
# What was said off the record never enters the app; a campaigner who typed something near
# the marker anyway must still not see it in any document.
OFF_RECORD = "Cabinet is split and the minister may resign"
EARLIER_OFF_RECORD = "The treasury quietly opposes the bill"
FOLLOW_UP_NOTE = "Ask her aide privately about the cabinet split"

MESSAGES_EN = [
    "Cluster munitions kill and maim civilians long after conflicts end.",
    "Two thirds of the world's states have joined the ban.",
    "Joining costs little: the country has no stockpile to destroy.",
    "Ratification shows leadership ahead of the review conference.",
]
MESSAGES_AR = [
    "الذخائر العنقودية تقتل المدنيين بعد انتهاء النزاعات بسنوات.",
    "انضم ثلثا دول العالم إلى الحظر.",
    "الانضمام قليل الكلفة.",
]


def build_world(organisation, campaigner) -> SimpleNamespace:
    organisation.email = "info@home.example.org"
    organisation.phone = "+44 20 7946 0000"
    organisation.website = "https://home.example.org"
    organisation.address = "1 Peace Street\nLondon N1 9GU"
    organisation.save()
    campaign = CampaignFactory(
        organisation=organisation, created_by=campaigner, name="Ban cluster munitions"
    )
    for position, text in enumerate(MESSAGES_EN):
        KeyMessage.objects.create(campaign=campaign, text=text, language="en", position=position)
    for position, text in enumerate(MESSAGES_AR):
        KeyMessage.objects.create(campaign=campaign, text=text, language="ar", position=position)
    Ask.objects.create(campaign=campaign, text="Join the Convention this year", language="en")
    Ask.objects.create(campaign=campaign, text=ARABIC_ASK, language="ar")
    Fact.objects.create(
        campaign=campaign,
        statement="94% of recorded casualties were civilians in 2023.",
        source_name="Cluster Munition Monitor 2024",
        source_url="https://www.the-monitor.org/cluster-munition-monitor-2024",
        language="en",
    )
    Fact.objects.create(
        campaign=campaign,
        statement="112 states are party to the Convention.",
        source_name="UN Treaty Collection",
        source_url="https://treaties.un.org/",
        language="en",
    )
    country = CountryFactory(code="GB", name="United Kingdom")
    ministry = InstitutionFactory(name="Ministry of Foreign Affairs", country=country)
    other_ministry = InstitutionFactory(name="Ministry of Health", country=country)
    PolicyHook.objects.create(
        campaign=campaign,
        institution=ministry,
        hook="The ministry leads the country's humanitarian disarmament diplomacy.",
        is_lead=True,
    )
    PolicyHook.objects.create(
        campaign=campaign, institution=other_ministry, hook="Victim assistance is health care."
    )
    minister = PersonFactory(
        name="Jane Doe", given_name="Jane", family_name="Doe", honorific_prefix="Hon."
    )
    PositionFactory(person=minister, institution=ministry, role="minister")
    StanceAssessmentFactory(
        campaign=campaign,
        person=minister,
        stance="undecided",
        note="Worried about allies",
        assessed_at=timezone.now() - dt.timedelta(days=90),
    )

    earlier = _meeting(
        organisation,
        campaigner,
        campaign,
        title="First call with the minister",
        starts_at=dt.datetime(2026, 6, 2, 15, 0, tzinfo=LONDON),
        status=Meeting.Status.WRITTEN_UP,
        notes=f"She listened.\n\n{EARLIER_OFF_RECORD}.",
        summary="She asked for the casualty figures.",
    )
    MeetingAttendee.objects.create(meeting=earlier, person=minister, institution=ministry)
    OffRecordSegment.objects.create(meeting=earlier, after_paragraph=1, approx_minutes=5)
    Commitment.objects.create(
        meeting=earlier, by=Commitment.By.US, text="Send the casualty figures"
    )

    meeting = _meeting(
        organisation,
        campaigner,
        campaign,
        title="Meeting with the minister",
        starts_at=dt.datetime(2026, 11, 23, 10, 0, tzinfo=LONDON),
        status=Meeting.Status.HELD,
        objective=Meeting.Objective.CHANGE_POSITION,
        objective_detail="Move her from undecided to supportive.",
        ask=ASK,
        questions="Who drafts the bill?\nWhen does cabinet decide?",
        notes=f"Opening remarks went well.\n\n{OFF_RECORD}.\n\nShe promised a reply.",
        summary="She will raise the bill in cabinet next month.",
    )
    MeetingAttendee.objects.create(meeting=meeting, person=minister, institution=ministry)
    OffRecordSegment.objects.create(meeting=meeting, after_paragraph=1, approx_minutes=10)
    meeting.our_attendees.add(campaigner)
    ChecklistItem.objects.create(
        meeting=meeting, text="Rehearse answers", position=0, done_at=timezone.now()
    )
    ChecklistItem.objects.create(meeting=meeting, text="Print the brief", position=1)
    Commitment.objects.create(
        meeting=meeting, by=Commitment.By.THEM, text="Raise the bill in cabinet", person=minister
    )
    Commitment.objects.create(meeting=meeting, by=Commitment.By.US, text="Send the legal analysis")
    FollowUp.objects.create(
        meeting=meeting,
        organisation=organisation,
        title="Send the legal analysis",
        owner=campaigner,
        due_on=dt.date(2026, 11, 30),
        note=FOLLOW_UP_NOTE,
    )
    return SimpleNamespace(
        organisation=organisation,
        campaign=campaign,
        ministry=ministry,
        minister=minister,
        earlier=earlier,
        meeting=meeting,
    )


def _meeting(organisation, campaigner, campaign, **fields) -> Meeting:
    return Meeting.objects.create(
        organisation=organisation,
        created_by=campaigner,
        campaign=campaign,
        time_zone="Europe/London",
        location="Whitehall",
        **fields,
    )
