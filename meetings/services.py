"""Writes that span models or have side effects: planning a meeting with its prep checklist,
the quick log and the write-up, off-the-record markers, sharing an outcome report, follow-ups
and the reminders they feed, and the relationships a meeting keeps warm.

Also here, for other apps: `dossier(meeting, user)` (what to know before the meeting; see
meetings.dossier) and `meeting_entries(person, user)`, the meetings on a person's timeline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from django.db import models, transaction
from django.db.models import F
from django.forms import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from advocacy.models import AuditEvent, Organisation
from advocacy.services import audit_record
from advocacy.zones import local_to_utc
from campaigns import reminders
from campaigns.models import Campaign, Relationship, Reminder
from contacts import services as contacts_services
from contacts.models import Person, Position, Stance, StanceAssessment
from contacts.services import TimelineEntry

# The dossier is built in meetings.dossier; other apps (the PDFs, letters) reach it here.
from meetings.dossier import (  # noqa: F401
    DOSSIER_SOURCES,
    DossierEntry,
    DossierSource,
    dossier,
)
from meetings.models import (
    ChecklistItem,
    ChecklistTemplate,
    ChecklistTemplateItem,
    FollowUp,
    Meeting,
    MeetingAttendee,
    OffRecordSegment,
    note_paragraphs,
)

if TYPE_CHECKING:
    from advocacy.models import User

# How many meetings and follow-ups the home page lists.
DASHBOARD_ROWS = 5
# Follow-up reminders go out at this hour of the owner's day, on the due date.
FOLLOW_UP_HOUR = 9

# The prep checklist every organisation starts with; admins and coordinators edit their copy.
DEFAULT_CHECKLIST = [
    gettext_lazy("A clear objective"),
    gettext_lazy("Main message and the ask"),
    gettext_lazy("Who attends and who leads"),
    gettext_lazy("Rehearse arguments and answers to likely questions"),
    gettext_lazy(
        "Personal background notes: previous developments, previous meetings, their stance"
    ),
    gettext_lazy("Key facts and figures, and the human impact"),
    gettext_lazy("Specific questions: the decision process, the timeline"),
    gettext_lazy("A brief to leave behind"),
    gettext_lazy("Contact cards"),
    gettext_lazy("Who follows up"),
]


def _audit(
    meeting: Meeting, *, action: str, actor: User, detail: dict, request: HttpRequest | None
) -> None:
    audit_record(
        action=action,
        actor=actor,
        organisation=meeting.organisation,
        target=meeting,
        detail=detail,
        request=request,
    )


# The prep checklist ------------------------------------------------------------------------


def checklist_template_for(*, organisation: Organisation) -> ChecklistTemplate:
    """The organisation's default checklist, made with the default items on first use."""
    template = organisation.checklist_templates.filter(is_default=True).first()
    if template is not None:
        return template
    with transaction.atomic():
        # Two first meetings at once: the unique default per organisation picks one.
        template, created = ChecklistTemplate.objects.get_or_create(
            organisation=organisation, is_default=True, defaults={"name": _("Prep checklist")}
        )
        if created:
            ChecklistTemplateItem.objects.bulk_create(
                ChecklistTemplateItem(template=template, text=str(text), position=position)
                for position, text in enumerate(DEFAULT_CHECKLIST)
            )
    return template


def checklist_copy(*, meeting: Meeting) -> list[ChecklistItem]:
    """Copy the organisation's checklist into the meeting; later edits of the template leave
    meetings already planned alone."""
    template = checklist_template_for(organisation=meeting.organisation)
    return ChecklistItem.objects.bulk_create(
        ChecklistItem(meeting=meeting, text=item.text, position=position)
        for position, item in enumerate(template.items.all())
    )


@transaction.atomic
def checklist_item_set(*, item: ChecklistItem, user: User, done: bool) -> Meeting:
    """Tick or untick an item. A planned meeting whose list is all ticked is prepared."""
    item.done_at = timezone.now() if done else None
    item.done_by = user if done else None
    item.save(update_fields=["done_at", "done_by"])
    meeting = Meeting.objects.select_for_update().get(pk=item.meeting_id)
    remaining = meeting.checklist.filter(done_at__isnull=True).exists()
    if meeting.status == Meeting.Status.PLANNED and not remaining:
        meeting.status = Meeting.Status.PREPARED
        meeting.save(update_fields=["status", "updated_at"])
    elif meeting.status == Meeting.Status.PREPARED and remaining:
        meeting.status = Meeting.Status.PLANNED
        meeting.save(update_fields=["status", "updated_at"])
    return meeting


def _renumber(items: list[ChecklistTemplateItem]) -> None:
    for position, item in enumerate(items):
        item.position = position
    ChecklistTemplateItem.objects.bulk_update(items, ["position"])


@transaction.atomic
def checklist_template_add(*, template: ChecklistTemplate, text: str) -> ChecklistTemplateItem:
    last = template.items.aggregate(last=models.Max("position"))["last"]
    item = ChecklistTemplateItem(
        template=template, text=text, position=0 if last is None else last + 1
    )
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def checklist_template_remove(*, item: ChecklistTemplateItem) -> None:
    template = item.template
    item.delete()
    _renumber(list(template.items.all()))


@transaction.atomic
def checklist_template_move(*, item: ChecklistTemplateItem, by: int) -> None:
    """Move an item up (by=-1) or down (by=1) the list."""
    items = list(item.template.items.select_for_update())
    index = next(i for i, row in enumerate(items) if row.pk == item.pk)
    target = max(0, min(len(items) - 1, index + by))
    items.insert(target, items.pop(index))
    _renumber(items)


# Planning ----------------------------------------------------------------------------------


def relationship_owner(meeting: Meeting) -> User | None:
    """Who keeps in touch after a check-in: whoever follows up, leads, or planned it."""
    return meeting.follow_up_owner or meeting.lead or meeting.created_by


def check_in_cadence(meeting: Meeting) -> int | None:
    """The cadence of the check-in's relationship, for the form to show."""
    owner = relationship_owner(meeting)
    if owner is None:
        return None
    people = meeting.attendees.filter(person__isnull=False).values("person")
    return (
        Relationship.objects.filter(owner=owner, person__in=people)
        .values_list("cadence_days", flat=True)
        .first()
    )


def check_in_cadence_set(*, meeting: Meeting, cadence_days: int) -> list[Relationship]:
    """A recurring check-in keeps a relationship with each person at this cadence, so the
    quiet-relationship reminders warn when it goes quiet."""
    owner = relationship_owner(meeting)
    if owner is None:
        return []
    saved = []
    people = Person.objects.filter(meeting_attendances__meeting=meeting).distinct()
    for person in people:
        relationship = Relationship.objects.filter(owner=owner, person=person).first()
        if relationship is None:
            relationship = Relationship(owner=owner, person=person, campaign=meeting.campaign)
        relationship.cadence_days = cadence_days
        saved.append(reminders.relationship_save(relationship=relationship))
    return saved


@transaction.atomic
def meeting_save(
    *,
    meeting: Meeting,
    user: User,
    our_attendees: Iterable[User],
    attendees: BaseInlineFormSet | None = None,
    cadence_days: int | None = None,
    request: HttpRequest | None = None,
) -> Meeting:
    """Plan a meeting (with its prep checklist) or save changes to one.

    `attendees` is the validated formset of their attendees.
    """
    creating = meeting._state.adding
    if creating:
        meeting.created_by = user
    meeting.full_clean()
    meeting.save()
    meeting.our_attendees.set(our_attendees)
    if attendees is not None:
        attendees.instance = meeting
        attendees.save()
    if creating:
        checklist_copy(meeting=meeting)
    if meeting.kind == Meeting.Kind.CHECK_IN and cadence_days:
        check_in_cadence_set(meeting=meeting, cadence_days=cadence_days)
    _audit(
        meeting,
        action=AuditEvent.Action.CREATED if creating else AuditEvent.Action.UPDATED,
        actor=user,
        detail={"kind": meeting.kind, "status": meeting.status},
        request=request,
    )
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, user: User, request: HttpRequest | None = None) -> None:
    meeting.status = Meeting.Status.CANCELLED
    meeting.save(update_fields=["status", "updated_at"])
    _audit(
        meeting,
        action=AuditEvent.Action.UPDATED,
        actor=user,
        detail={"status": meeting.status},
        request=request,
    )


# Logging -----------------------------------------------------------------------------------


def relationships_touch(*, meeting: Meeting) -> int:
    """A meeting held is a contact: move `last_contact_on` forward on the relationships that
    the organisation's people keep with its attendees. Returns how many moved."""
    day = meeting.local_date
    if day > timezone.localdate(timezone.now(), meeting.zone):
        return 0
    return reminders.relationships_contacted(
        organisation_id=meeting.organisation_id,
        people=meeting.attendees.filter(person__isnull=False).values("person"),
        day=day,
    )


def stance_record(
    *, meeting: Meeting, person: Person, stance: str, user: User, note: str = ""
) -> StanceAssessment:
    """A stance update made at the meeting, with the meeting as its evidence."""
    if meeting.campaign_id is None:
        raise ValueError("A stance is assessed for a campaign; the meeting has none.")
    if stance not in Stance.values:
        raise ValueError(f"Unknown stance {stance!r}")
    assessment = contacts_services.stance_record(
        person=person,
        campaign=meeting.campaign,
        organisation=meeting.organisation,
        actor=user,
        stance=stance,
        evidence=StanceAssessment.Evidence.MEETING,
        note=note,
        visibility=meeting.visibility,
    )
    assessment.evidence_object = meeting.evidence_key
    assessment.save(update_fields=["evidence_object"])
    return assessment


def meeting_stance_changes(meeting: Meeting) -> models.QuerySet[StanceAssessment]:
    """The stance assessments recorded at this meeting."""
    return StanceAssessment.objects.filter(evidence_object=meeting.evidence_key)


@transaction.atomic
def meeting_write_up(
    *,
    meeting: Meeting,
    user: User,
    finished: bool,
    commitments: BaseInlineFormSet | None = None,
    follow_ups: BaseInlineFormSet | None = None,
    stances: dict[Person, str] | None = None,
    request: HttpRequest | None = None,
) -> Meeting:
    """Save the write-up: notes, outcome, commitments, follow-ups and stance updates.

    A finished write-up makes the meeting written up; a draft makes it held. Either way the
    meeting counts as a contact with its attendees.
    """
    meeting.status = Meeting.Status.WRITTEN_UP if finished else Meeting.Status.HELD
    meeting.full_clean()
    meeting.save()
    if commitments is not None:
        commitments.instance = meeting
        commitments.save()
    if follow_ups is not None:
        follow_ups_save(formset=follow_ups, meeting=meeting, user=user)
    for person, stance in (stances or {}).items():
        stance_record(meeting=meeting, person=person, stance=stance, user=user)
    relationships_touch(meeting=meeting)
    _audit(
        meeting,
        action=AuditEvent.Action.UPDATED,
        actor=user,
        detail={"status": meeting.status, "write_up": True},
        request=request,
    )
    return meeting


@transaction.atomic
def off_record_mark(
    *,
    meeting: Meeting,
    user: User,
    approx_minutes: int | None = None,
    after_paragraph: int | None = None,
) -> OffRecordSegment:
    """Record that a part of the meeting was off the record, and roughly how long; by default
    where the notes have got to. What was said has nowhere to go."""
    if after_paragraph is None:
        after_paragraph = len(note_paragraphs(meeting.notes))
    segment = OffRecordSegment(
        meeting=meeting,
        after_paragraph=after_paragraph,
        approx_minutes=approx_minutes,
        recorded_by=user,
    )
    segment.full_clean()
    segment.save()
    return segment


def first_institution(person: Person):
    """The institution of the person's latest current position: who they speak for."""
    position = (
        Position.objects.current()
        .filter(person=person)
        .select_related("institution")
        .order_by(F("start_date").desc(nulls_last=True), "pk")
        .first()
    )
    return position.institution if position else None


@transaction.atomic
def meeting_quick_log(
    *,
    user: User,
    organisation: Organisation,
    person: Person,
    line: str,
    location: str = "",
    campaign: Campaign | None = None,
    stance: str = "",
    follow_up_title: str = "",
    follow_up_owner: User | None = None,
    follow_up_due: dt.date | None = None,
    when: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> Meeting:
    """Log an informal encounter in one go: who, where, one line, maybe a stance change and
    a follow-up. The line is the meeting's notes, as private as any notes."""
    meeting = Meeting(
        organisation=organisation,
        created_by=user,
        kind=Meeting.Kind.INFORMAL,
        status=Meeting.Status.WRITTEN_UP,
        starts_at=when or timezone.now(),
        time_zone=user.time_zone,
        location=location,
        campaign=campaign,
        notes=line,
        lead=user,
        follow_up_owner=follow_up_owner or user,
    )
    meeting.full_clean()
    meeting.save()
    meeting.our_attendees.add(user)
    MeetingAttendee.objects.create(
        meeting=meeting, person=person, institution=first_institution(person)
    )
    if stance and campaign is not None:
        stance_record(meeting=meeting, person=person, stance=stance, user=user)
    if follow_up_title:
        follow_up = FollowUp(
            meeting=meeting,
            organisation=organisation,
            title=follow_up_title,
            owner=follow_up_owner or user,
            due_on=follow_up_due,
            person=person,
            created_by=user,
        )
        follow_up_save(follow_up=follow_up, user=user)
    relationships_touch(meeting=meeting)
    _audit(
        meeting,
        action=AuditEvent.Action.CREATED,
        actor=user,
        detail={"kind": meeting.kind, "quick_log": True},
        request=request,
    )
    return meeting


# Sharing -----------------------------------------------------------------------------------


@transaction.atomic
def meeting_share(
    *, meeting: Meeting, user: User, shared: bool, request: HttpRequest | None = None
) -> None:
    """Share the outcome report with the coalition, or stop sharing it. The report leaves out
    the notes, the questions, the checklist and anything off the record."""
    meeting.shared_report_at = timezone.now() if shared else None
    meeting.save(update_fields=["shared_report_at", "updated_at"])
    _audit(
        meeting,
        action=AuditEvent.Action.UPDATED,
        actor=user,
        detail={"shared_report": shared},
        request=request,
    )


def coalition_id_of(organisation: Organisation) -> int | None:
    return organisation.pk if organisation.is_coalition else organisation.coalition_id


# Follow-ups --------------------------------------------------------------------------------


def follow_up_due_at(follow_up: FollowUp) -> dt.datetime:
    """09:00 on the due date, in the owner's time zone."""
    local = dt.datetime.combine(follow_up.due_on, dt.time(FOLLOW_UP_HOUR))
    return local_to_utc(local, follow_up.owner.time_zone)


def follow_up_remind(*, follow_up: FollowUp) -> Reminder | None:
    """Bring the follow-up's reminder in line with it: one for the owner while it is open and
    has a due date, none otherwise. A new owner takes the reminder over."""
    # Cancelling everyone's first covers a change of owner; scheduling revives the owner's.
    reminders.reminder_cancel(source_key=follow_up.reminder_key)
    if follow_up.is_done or follow_up.due_on is None:
        return None
    owner = follow_up.owner
    url = (
        reverse("meetings:detail", args=[follow_up.meeting_id])
        if follow_up.meeting_id
        else reverse("meetings:follow_ups")
    )
    with translation.override(owner.language):
        title = _("Follow-up due: %(what)s") % {"what": follow_up.title}
    return reminders.reminder_schedule(
        recipient=owner,
        due_at=follow_up_due_at(follow_up),
        kind=Reminder.Kind.FOLLOW_UP,
        source_key=follow_up.reminder_key,
        title=title,
        message=follow_up.note,
        url=url,
        target=follow_up,
    )


@transaction.atomic
def follow_up_save(*, follow_up: FollowUp, user: User) -> FollowUp:
    """Create or change a follow-up and its reminder."""
    if follow_up._state.adding and follow_up.created_by_id is None:
        follow_up.created_by = user
    follow_up.full_clean()
    follow_up.save()
    follow_up_remind(follow_up=follow_up)
    return follow_up


def follow_ups_save(*, formset: BaseInlineFormSet, meeting: Meeting, user: User) -> None:
    """Save a meeting's validated follow-up formset, reminders included."""
    formset.instance = meeting
    for follow_up in formset.save(commit=False):
        follow_up.meeting = meeting
        follow_up.organisation_id = meeting.organisation_id
        follow_up_save(follow_up=follow_up, user=user)
    for follow_up in formset.deleted_objects:
        follow_up_delete(follow_up=follow_up)


@transaction.atomic
def follow_up_set_done(*, follow_up: FollowUp, done: bool) -> FollowUp:
    follow_up.done_at = timezone.now() if done else None
    follow_up.save(update_fields=["done_at"])
    follow_up_remind(follow_up=follow_up)
    return follow_up


@transaction.atomic
def follow_up_delete(*, follow_up: FollowUp) -> None:
    reminders.reminder_cancel(source_key=follow_up.reminder_key)
    follow_up.delete()


# For other apps ----------------------------------------------------------------------------


def meeting_entries(person: Person, user) -> Iterator[TimelineEntry]:
    """The meetings with a person that the user may see, for the person's timeline. One
    query, run when the timeline is built."""
    meetings = (
        Meeting.objects.visible_to(user)
        .filter(attendees__person=person)
        .exclude(status=Meeting.Status.CANCELLED)
        .select_related("campaign")
        .distinct()
    )
    for meeting in meetings:
        title = meeting.title or meeting.get_kind_display()
        if meeting.campaign_id:
            title = f"{title} · {meeting.campaign.name}"
        yield TimelineEntry(
            when=meeting.starts_at,
            kind="meeting",
            title=title,
            detail=meeting.summary,
            url=meeting.get_absolute_url(),
        )


def meetings_dashboard(user) -> dict:
    """For the home page: the user's next meetings with their checklist progress, and their
    open follow-ups, overdue first. Two queries."""
    next_meetings = (
        Meeting.objects.visible_to(user)
        .involving(user)
        .upcoming()
        .select_related("campaign")
        .with_progress()
    )
    follow_ups = FollowUp.objects.filter(owner=user).open_first().select_related("meeting")
    return {
        "next_meetings": list(next_meetings[:DASHBOARD_ROWS]),
        "follow_ups": list(follow_ups[:DASHBOARD_ROWS]),
    }
