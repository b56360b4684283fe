"""Demo meetings: a few months of lobbying in every demo country, in every state, with
follow-ups (some overdue), commitments, an off-the-record part, and stances that move over
time with the meetings as their evidence.

Runs after the directory's and the campaigns' demo data (it meets their people about their
campaigns). Idempotent like the other demo modules: a meeting is found by its organisation
and title and only made once, with everything that hangs off it.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from advocacy.models import Membership, Organisation, User, Visibility
from campaigns.models import Campaign
from contacts.models import Identifier, Person
from meetings import services
from meetings.models import Commitment, FollowUp, Meeting, MeetingAttendee

# Each demo organisation lobbies in its own country.
ORGANISATIONS = {
    "hdc": "CH",
    "apb": "BI",
    "ppn-fiji": "FJ",
    "cedar": "LB",
    "mekong": "VN",
    "dauk": "GB",
    "rcd": "CO",
}


@dataclass(frozen=True)
class Spec:
    """One demo meeting, `days` from today, with one person of the country (a demo key)."""

    days: int
    kind: str
    status: str
    title: str
    who: str
    objective: str = Meeting.Objective.CHANGE_POSITION
    ask: str = ""
    questions: str = ""
    notes: str = ""
    summary: str = ""
    stance: str = ""
    ticked: int = 0
    off_record_minutes: int | None = None
    cadence_days: int | None = None
    # Who follows up (and so keeps the relationship of a check-in): "campaigner" or
    # "coordinator".
    follow_up_by: str = "campaigner"
    shared: bool = False
    theirs: list[str] = field(default_factory=list)
    ours: list[str] = field(default_factory=list)
    # (what, due in days from today, done)
    follow_ups: list[tuple[str, int, bool]] = field(default_factory=list)


ASK = "Table the ratification bill before the end of the session."
# The people met are not the first MPs: those are the relationships the reminders demo keeps
# (one of them gone quiet), which a meeting would warm up again.
SPECS = [
    Spec(
        days=-80,
        kind=Meeting.Kind.FORMAL,
        status=Meeting.Status.WRITTEN_UP,
        title="First meeting with the foreign minister",
        who="minister/foreign",
        ask=ASK,
        notes="The minister listened and took notes.\nThe ministry waits for the defence view.",
        summary="Not opposed, but waiting for the defence ministry before taking a position.",
        stance="undecided",
        theirs=["Ask the defence ministry for its view on stockpiles"],
        ours=["Send the victim-assistance figures"],
        follow_ups=[("Send the victim-assistance figures", -70, True)],
        shared=True,
    ),
    Spec(
        days=-45,
        kind=Meeting.Kind.CALL,
        status=Meeting.Status.WRITTEN_UP,
        title="Call with the head of the disarmament desk",
        who="desk/1",
        objective=Meeting.Objective.INFORMATION,
        notes="The desk has drafted a note for the minister.\nCabinet could see it next month.",
        summary="A note to the minister is drafted; cabinet could see it next month.",
        stance="supportive",
        theirs=["Share the timeline once the note is signed"],
        follow_ups=[("Ask for the cabinet date", -12, False)],
        off_record_minutes=10,
    ),
    Spec(
        days=-20,
        kind=Meeting.Kind.INFORMAL,
        status=Meeting.Status.WRITTEN_UP,
        title="Reception: a member of the foreign affairs committee",
        who="mp/03",
        objective=Meeting.Objective.RELATIONSHIP,
        notes="Brief chat at the reception; happy to host a briefing for the committee.",
        stance="champion",
        follow_ups=[("Propose dates for a committee briefing", -3, False)],
    ),
    Spec(
        days=-6,
        kind=Meeting.Kind.FORMAL,
        status=Meeting.Status.HELD,
        title="Follow-up with the foreign minister",
        who="minister/foreign",
        ask=ASK,
        ticked=10,
        notes="The defence ministry has answered.",
        follow_ups=[("Write up the meeting and share the outcome", 2, False)],
    ),
    Spec(
        days=-2,
        kind=Meeting.Kind.ROUND_TABLE,
        status=Meeting.Status.CANCELLED,
        title="Round table with defence officials",
        who="minister/defence",
        objective=Meeting.Objective.INFORMATION,
    ),
    Spec(
        days=5,
        kind=Meeting.Kind.FORMAL,
        status=Meeting.Status.PREPARED,
        title="Briefing the defence minister",
        who="minister/defence",
        ask="Confirm that the stockpile has been destroyed, in writing.",
        questions="Who signs off the destruction report?\nWhen is the next cabinet?",
        ticked=10,
        follow_ups=[("Print the leave-behind in two languages", 4, False)],
    ),
    Spec(
        days=12,
        kind=Meeting.Kind.CHECK_IN,
        status=Meeting.Status.PLANNED,
        title="Monthly check-in with the desk officer",
        who="desk/2",
        objective=Meeting.Objective.RELATIONSHIP,
        questions="Any news from cabinet?",
        ticked=4,
        cadence_days=30,
        follow_up_by="coordinator",
    ),
    Spec(
        days=30,
        kind=Meeting.Kind.FIELD_VISIT,
        status=Meeting.Status.PLANNED,
        title="Field visit with an MP to a rehabilitation centre",
        who="mp/04",
        objective=Meeting.Objective.ACTION,
        ask="Speak about victim assistance in the budget debate.",
        ticked=1,
    ),
]


def seed_meetings() -> None:
    organisations = Organisation.objects.filter(slug__in=ORGANISATIONS)
    keys = dict(
        Identifier.objects.filter(scheme="demo", person__isnull=False).values_list(
            "value", "person_id"
        )
    )
    for organisation in organisations:
        campaign = Campaign.objects.filter(organisation=organisation).order_by("name", "pk").first()
        team = _team(organisation)
        if campaign is None or team is None:
            continue
        code = ORGANISATIONS[organisation.slug]
        for spec in SPECS:
            person_id = keys.get(f"{code}/person/{spec.who}")
            if person_id is not None:
                _seed_meeting(organisation, campaign, team, spec, person_id)


@dataclass(frozen=True)
class Team:
    campaigner: User
    coordinator: User


def _team(organisation: Organisation) -> Team | None:
    users = {
        membership.role: membership.user
        for membership in Membership.objects.filter(organisation=organisation).select_related(
            "user"
        )
    }
    campaigner = users.get(Membership.Role.CAMPAIGNER)
    coordinator = users.get(Membership.Role.COORDINATOR)
    if campaigner is None or coordinator is None:
        return None
    return Team(campaigner=campaigner, coordinator=coordinator)


@transaction.atomic
def _seed_meeting(
    organisation: Organisation, campaign: Campaign, team: Team, spec: Spec, person_id: int
) -> None:
    if Meeting.objects.filter(organisation=organisation, title=spec.title).exists():
        return
    person = Person.objects.get(pk=person_id)
    lead = team.campaigner
    tz = zoneinfo.ZoneInfo(lead.time_zone)
    day = timezone.localdate() + dt.timedelta(days=spec.days)
    starts_at = dt.datetime.combine(day, dt.time(10, 30), tzinfo=tz)
    meeting = Meeting(
        organisation=organisation,
        kind=spec.kind,
        title=spec.title,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=1),
        time_zone=lead.time_zone,
        location="" if spec.kind == Meeting.Kind.CALL else "Ministry offices",
        campaign=campaign,
        lead=lead,
        follow_up_owner=getattr(team, spec.follow_up_by),
        objective=spec.objective,
        ask=spec.ask,
        questions=spec.questions,
        visibility=Visibility.ORGANISATION,
    )
    services.meeting_save(meeting=meeting, user=lead, our_attendees=[lead, team.coordinator])
    institution = services.first_institution(person)
    MeetingAttendee.objects.create(meeting=meeting, person=person, institution=institution)
    if spec.cadence_days:
        services.check_in_cadence_set(meeting=meeting, cadence_days=spec.cadence_days)
    for item in meeting.checklist.all()[: spec.ticked]:
        services.checklist_item_set(item=item, user=lead, done=True)
    for text in spec.theirs:
        Commitment.objects.create(meeting=meeting, by=Commitment.By.THEM, text=text, person=person)
    for text in spec.ours:
        Commitment.objects.create(meeting=meeting, by=Commitment.By.US, text=text)
    _log(meeting, spec, person, lead)


def _log(meeting: Meeting, spec: Spec, person: Person, lead: User) -> None:
    """What happened at the meeting, as its write-up would have recorded it."""
    for title, due_in, done in spec.follow_ups:
        follow_up = FollowUp(
            meeting=meeting,
            organisation=meeting.organisation,
            title=title,
            owner=lead,
            due_on=timezone.localdate() + dt.timedelta(days=due_in),
            person=person,
            created_by=lead,
        )
        services.follow_up_save(follow_up=follow_up, user=lead)
        if done:
            services.follow_up_set_done(follow_up=follow_up, done=True)
    if spec.status not in (Meeting.Status.HELD, Meeting.Status.WRITTEN_UP):
        meeting.status = spec.status
        meeting.save(update_fields=["status"])
        return
    meeting.notes, meeting.summary = spec.notes, spec.summary
    services.meeting_write_up(
        meeting=meeting, user=lead, finished=spec.status == Meeting.Status.WRITTEN_UP
    )
    if spec.off_record_minutes:
        services.off_record_mark(
            meeting=meeting,
            user=lead,
            approx_minutes=spec.off_record_minutes,
            after_paragraph=1,
        )
    if spec.shared:
        services.meeting_share(meeting=meeting, user=lead, shared=True)
    if spec.stance:
        assessment = services.stance_record(
            meeting=meeting, person=person, stance=spec.stance, user=lead
        )
        # Assessed on the day of the meeting, so the chart moves with the meetings.
        assessment.assessed_at = meeting.starts_at + dt.timedelta(hours=2)
        assessment.save(update_fields=["assessed_at"])
