"""Demo letter actions, for Disarmament Action UK lobbying Westminster's Foreign Affairs
Committee: a letter day that went out five weeks ago and drew replies, a co-signed letter
open for signatures on its public page, and an FOI request whose answer is due in a few
days (its reminders are planned).

Runs after the directory's, the campaigns' and the meetings' demo data. Idempotent like the
other demo modules: an action is found by its organisation and title and made only once.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from advocacy.models import Membership, Organisation, User
from advocacy.zones import country_time_zone, zone
from campaigns.models import Campaign
from contacts.models import Area, Country, Identifier, Person, Position
from letters import delivery, foi, merge, similarity
from letters.models import ActionTarget, Letter, LetterAction, LetterTemplate, Signatory
from letters.replies import reply_log

ORGANISATION = "dauk"
COUNTRY = "GB"
# The committee's members are the first eight MPs of the directory's demo.
COMMITTEE = [f"{COUNTRY}/person/mp/{number:02d}" for number in range(1, 9)]

LETTER_DAY = "Letter day: ratify the treaty this session"
COSIGNED = "Faith and community leaders: a joint letter to the committee"
FOI = "FOI: the stockpile destruction report"

LETTER_DAY_BODY = "\n\n".join(
    [
        "Dear {{ target.honorific }} {{ target.full_name }},",
        (
            "I am writing to you as a member of the {{ target.institution }} because this "
            "session is the moment to ratify the treaty."
        ),
        (
            "Every year without ratification leaves families near former battlefields at "
            "risk. I ask you to press the government to table the ratification bill before "
            "the end of the session."
        ),
        "Yours sincerely,\n{{ signatory.name }}\n{{ signatory.organisation }}",
    ]
)

COSIGNED_BODY = "\n\n".join(
    [
        "Dear {{ target.honorific }} {{ target.full_name }},",
        (
            "We, faith and community leaders from across the country, write to you together "
            "as a member of the {{ target.institution }}."
        ),
        (
            "We ask the committee to hold a hearing on the treaty this term and to recommend "
            "its ratification to the House."
        ),
        "Yours sincerely,\nThe undersigned",
    ]
)

FOI_BODY = "\n\n".join(
    [
        "Dear {{ target.full_name }},",
        (
            "Under the Freedom of Information Act 2000, please send me the most recent report"
            " on the destruction of the anti-personnel mine stockpile, and any correspondence"
            " about its completion date since January."
        ),
        "I would like to receive the information by email.",
        "Yours faithfully,\nDisarmament Action UK",
    ]
)

# (what the writer changed, the reply that came or None)
PERSONAL_NOTES = [
    "My brother served in a clearance team; I have seen what one mine does to a village. He "
    "came home, but two of the men he trained did not, and the fields they cleared are farmed "
    "again today. That is what ratification protects.",
    "Our congregation raised funds for a rehabilitation centre last year. We met a girl of "
    "nine learning to walk with her new leg, and her mother asked us why countries like ours "
    "still have not signed. I had no answer for her.",
    "I teach history, and my pupils asked me why we have not ratified yet. They wrote their "
    "own letters in class, and I promised them I would send mine too and tell them what their "
    "representative answered.",
    "I volunteered with a victim-assistance charity for six years. The survivors I worked with "
    "need prosthetics, schooling and jobs for decades, and the treaty is the only promise that "
    "anyone will keep paying for them.",
]
REPLIES = [
    (
        Letter.ReplyKind.ANSWER,
        "Will raise ratification with the minister at the next committee session.",
        "Ask the minister a question on ratification before the recess.",
        "supportive",
    ),
    (Letter.ReplyKind.ACKNOWLEDGEMENT, "A standard acknowledgement from the office.", "", ""),
    (
        Letter.ReplyKind.ANSWER,
        "Waiting for the government's position; not ready to commit.",
        "",
        "undecided",
    ),
]
SUPPORTERS = [
    ("Rev. Margaret Ellis", "St Mary's Church", "Vicar", Signatory.Role.FAITH_LEADER),
    ("Imam Yusuf Rahman", "Central Mosque", "Imam", Signatory.Role.FAITH_LEADER),
    ("Rabbi Daniel Cohen", "Liberal Synagogue", "Rabbi", Signatory.Role.FAITH_LEADER),
    ("Grace Adeyemi", "Eastside Community Trust", "Director", Signatory.Role.COMMUNITY_LEADER),
    ("Peter Walsh", "", "", Signatory.Role.CONSTITUENT),
]


def seed_letters() -> None:
    organisation = Organisation.objects.filter(slug=ORGANISATION).first()
    if organisation is None:
        return
    campaign = Campaign.objects.filter(organisation=organisation).order_by("name", "pk").first()
    team = {
        m.role: m.user
        for m in Membership.objects.filter(organisation=organisation).select_related("user")
    }
    coordinator = team.get(Membership.Role.COORDINATOR)
    campaigner = team.get(Membership.Role.CAMPAIGNER)
    people = _committee()
    if campaign is None or coordinator is None or campaigner is None or len(people) < 4:
        return
    with transaction.atomic():
        _letter_day(organisation, campaign, coordinator, campaigner, people)
        _cosigned(organisation, campaign, coordinator, people)
        _foi(organisation, campaign, coordinator)


def _committee() -> list[Person]:
    ids = dict(
        Identifier.objects.filter(scheme="demo", value__in=COMMITTEE).values_list(
            "value", "person_id"
        )
    )
    by_id = Person.objects.in_bulk([ids[key] for key in COMMITTEE if key in ids])
    return [by_id[ids[key]] for key in COMMITTEE if key in ids and ids[key] in by_id]


def _action(organisation, campaign, coordinator, title: str, **fields) -> LetterAction | None:
    """The action, made now; None when an earlier run made it."""
    if LetterAction.objects.filter(organisation=organisation, title=title).exists():
        return None
    return LetterAction.objects.create(
        organisation=organisation,
        campaign=campaign,
        created_by=coordinator,
        title=title,
        **fields,
    )


def _targets(action: LetterAction, people: list[Person], assignees: list[User]) -> None:
    time_zone = country_time_zone(COUNTRY)
    ActionTarget.objects.bulk_create(
        ActionTarget(
            action=action,
            person=person,
            time_zone=time_zone,
            assigned_to=assignees[index % len(assignees)] if assignees else None,
        )
        for index, person in enumerate(people)
    )


def _signatory(action: LetterAction, *, user: User | None = None, **fields) -> Signatory:
    now = timezone.now()
    if user is not None:
        fields.setdefault("name", user.get_full_name() or user.email)
        fields.setdefault("email", user.email)
        fields.setdefault("role", Signatory.Role.CAMPAIGNER)
    signatory = Signatory(
        action=action,
        user=user,
        email_confirmed_at=now,
        consent_named_at=now,
        **fields,
    )
    signatory.renew_nonce()
    signatory.save()
    return signatory


def _sent_letter(action, template, person, signatory, values, note: str, sent_at) -> Letter:
    subject, body = merge.letter_text(
        template,
        target=values[person.pk],
        action=merge.action_values(action),
        signatory=merge.signatory_values(signatory),
    )
    personal = body.replace("\n\nYours", f"\n\n{note}\n\nYours", 1) if note else body
    return Letter.objects.create(
        action=action,
        target=person,
        signatory=signatory,
        language=template.language,
        subject=subject,
        body=personal,
        similarity=similarity.similarity(personal, body),
        state=Letter.State.SENT,
        submitted_at=sent_at - dt.timedelta(days=3),
        due_at=sent_at,
        sent_at=sent_at,
        attempts=1,
        message_id=f"<letter-demo-{action.pk}-{person.pk}-{signatory.pk}@advocacy.example>",
        to_email=f"{person.pk}@parliament.example",
        created_by=signatory.user,
    )


def _letter_day(organisation, campaign, coordinator, campaigner, people) -> None:
    today = timezone.localdate()
    action = _action(
        organisation,
        campaign,
        coordinator,
        LETTER_DAY,
        kind=LetterAction.Kind.LETTER_DAY,
        summary="Members of the Foreign Affairs Committee hear from us all on one day.",
        talking_points="Ratification is overdue\nSay why it matters to you\nAsk for one action",
        deliver_on=today - dt.timedelta(days=35),
        state=LetterAction.State.SENT,
        constituency_matching=True,
    )
    if action is None:
        return
    template = LetterTemplate.objects.create(
        action=action, language="en", subject="Ratify the treaty this session", body=LETTER_DAY_BODY
    )
    _targets(action, people, [campaigner, coordinator])
    sent_at = dt.datetime.combine(action.deliver_on, action.deliver_at).replace(
        tzinfo=zone(country_time_zone(COUNTRY))
    )
    action.launched_at = sent_at - dt.timedelta(days=2)
    action.launched_by = coordinator
    action.sending_started_at = action.sent_at = sent_at
    action.save()
    values = merge.target_values(people)
    writers = [_signatory(action, user=campaigner), _signatory(action, user=coordinator)]
    areas = dict(
        Position.objects.current()
        .filter(person__in=people, area__isnull=False)
        .values_list("person_id", "area_id")
    )
    letters = []
    for index, person in enumerate(people[:6]):
        writer = writers[index % 2]
        letters.append(
            _sent_letter(
                action, template, person, writer, values, PERSONAL_NOTES[index % 4], sent_at
            )
        )
    # Two constituents wrote to their own MPs through the public page.
    for number, person in enumerate(people[:2]):
        area = Area.objects.filter(pk=areas.get(person.pk)).first()
        supporter = _signatory(
            action,
            name=["Sarah Mitchell", "James O'Connor"][number],
            email=f"constituent{number + 1}@example.org",
            role=Signatory.Role.CONSTITUENT,
            area=area,
            consent_contact_at=timezone.now(),
        )
        letters.append(
            _sent_letter(action, template, person, supporter, values, PERSONAL_NOTES[3], sent_at)
        )
    for letter, (kind, summary, commitment, stance) in zip(letters, REPLIES, strict=False):
        reply_log(
            letter=letter,
            user=coordinator,
            kind=kind,
            received_on=action.deliver_on + dt.timedelta(days=9),
            summary=summary,
            commitment=commitment,
            stance=stance,
        )


def _cosigned(organisation, campaign, coordinator, people) -> None:
    action = _action(
        organisation,
        campaign,
        coordinator,
        COSIGNED,
        kind=LetterAction.Kind.COSIGNED,
        summary="Add your name: faith and community leaders ask the committee for a hearing.",
        talking_points="A hearing this term\nA recommendation to ratify",
        channel=LetterAction.Channel.HAND,
        deliver_on=timezone.localdate() + dt.timedelta(days=14),
        state=LetterAction.State.OPEN,
        public_page=True,
        reply_to=organisation.email,
    )
    if action is None:
        return
    LetterTemplate.objects.create(
        action=action,
        language="en",
        subject="A hearing on the treaty, from faith and community leaders",
        body=COSIGNED_BODY,
    )
    _targets(action, people, [])
    for index, (name, where, title, role) in enumerate(SUPPORTERS):
        _signatory(
            action,
            name=name,
            email=f"signatory{index + 1}@example.org",
            organisation_name=where,
            title=title,
            role=role,
        )


def _foi(organisation, campaign, coordinator) -> None:
    # The request goes to the head of the ministry's disarmament desk.
    desk = Identifier.objects.filter(scheme="demo", value=f"{COUNTRY}/person/desk/1").first()
    if desk is None or desk.person_id is None:
        return
    deadline = foi.deadline_for(COUNTRY, days=None, working_days=None)
    today = timezone.localdate()
    # Sent so that the answer is due in three working days.
    sent_on = today
    while deadline.due(sent_on) > today + dt.timedelta(days=3):
        sent_on -= dt.timedelta(days=1)
    action = _action(
        organisation,
        campaign,
        coordinator,
        FOI,
        kind=LetterAction.Kind.FOI,
        summary="What does the ministry know about the stockpile's destruction?",
        deliver_on=sent_on,
        state=LetterAction.State.SENT,
        foi_country=Country.objects.ensure(COUNTRY),
        reply_to=organisation.email,
    )
    if action is None:
        return
    template = LetterTemplate.objects.create(
        action=action,
        language="en",
        subject="Freedom of information request: stockpile destruction report",
        body=FOI_BODY,
    )
    person = desk.person
    _targets(action, [person], [])
    values = merge.target_values([person])[person.pk]
    subject, body = merge.letter_text(template, target=values, action=merge.action_values(action))
    sent_at = dt.datetime.combine(sent_on, dt.time(9)).replace(tzinfo=zone("Europe/London"))
    action.launched_at = action.sending_started_at = action.sent_at = sent_at
    action.launched_by = coordinator
    action.save()
    letter = Letter.objects.create(
        action=action,
        target=person,
        language="en",
        subject=subject,
        body=body,
        state=Letter.State.SENT,
        due_at=sent_at,
        sent_at=sent_at,
        attempts=1,
        message_id=f"<letter-demo-foi-{action.pk}@advocacy.example>",
        to_email=f"{person.pk}@gov.example",
        foi_deadline=deadline.due(sent_on),
        created_by=coordinator,
    )
    delivery.foi_reminders_schedule(letter=letter, recipients=delivery.foi_recipients(action))
