"""The background dossier of a meeting: assembled from what the app holds, never typed.

For each of their attendees: current positions, the stance history in the meeting's
campaign, previous meetings and their outcomes, open commitments both ways, the policy hook
of the institution they represent, and whatever other apps add as sources (the letters app
adds letters sent and replies). Then the campaign's key messages, asks and facts.

Everything is read as the user may see it, and the result is plain values (strings, dates,
lists and dicts) so that a page and a PDF render the same thing. It never holds anyone's
notes: outcomes are the written-up summaries, so nothing typed near an off-the-record part
can reach a meeting pack.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import Q
from django.utils.functional import Promise

from campaigns.models import Campaign, PolicyHook
from contacts.models import Institution, Person, Position, StanceAssessment
from meetings.models import Commitment, Meeting, MeetingAttendee


@dataclass(frozen=True)
class DossierEntry:
    """One item a source contributes about a target: a letter sent, a reply received."""

    when: dt.date | dt.datetime | None
    title: str
    detail: str = ""
    url: str = ""


# entries(user=, people=, institutions=) -> {target key: entries}; see target_key().
EntriesFunction = Callable[..., Mapping[str, Sequence[DossierEntry]]]


@dataclass(frozen=True)
class DossierSource:
    """Another app's contribution to every dossier, e.g. letters sent and their replies.

    `entries` is called once per dossier with the user and every person and institution
    the meeting is with, and returns entries keyed by `target_key()`. It must show only
    what the user may see, in a fixed number of queries.
    """

    name: str
    label: str | Promise
    entries: EntriesFunction


# Sources every dossier includes. Another app appends its own in its AppConfig.ready(), so
# this module never has to know it.
DOSSIER_SOURCES: list[DossierSource] = []


def target_key(target: Person | Institution) -> str:
    kind = "person" if isinstance(target, Person) else "institution"
    return f"{kind}:{target.pk}"


def _targets(meeting: Meeting) -> list[MeetingAttendee]:
    """Their attendees: people first (with the institution each represented), then
    institutions that came without a named person."""
    if "attendees" in getattr(meeting, "_prefetched_objects_cache", {}):
        attendees = list(meeting.attendees.all())  # from Meeting.objects.for_detail()
    else:
        attendees = list(meeting.attendees.select_related("person", "institution"))
    people = [a for a in attendees if a.person_id]
    alone = [a for a in attendees if not a.person_id]
    return people + alone


def _campaign(meeting: Meeting, user) -> Campaign | None:
    if meeting.campaign_id is None:
        return None
    return (
        Campaign.objects.visible_to(user)
        .filter(pk=meeting.campaign_id)
        .prefetch_related("key_messages", "asks", "facts")
        .first()
    )


def _campaign_part(campaign: Campaign | None) -> dict[str, Any] | None:
    if campaign is None:
        return None
    return {
        "name": campaign.name,
        "goal": campaign.goal,
        "url": campaign.get_absolute_url(),
        "key_messages": [message.text for message in campaign.key_messages.all()],
        "asks": [{"text": ask.text, "audience": ask.audience} for ask in campaign.asks.all()],
        "facts": [
            {
                "statement": fact.statement,
                "source_name": fact.source_name,
                "source_url": fact.source_url,
            }
            for fact in campaign.facts.all()
        ],
    }


def _position_part(position: Position) -> dict[str, Any]:
    return {
        "title": position.title,
        "institution": position.institution.name,
        "institution_id": position.institution_id,
        "party": position.party.name if position.party_id else "",
        "since": position.start_label,
    }


def _stance_part(assessment: StanceAssessment) -> dict[str, Any]:
    return {
        "when": assessment.assessed_at,
        "stance": assessment.stance,
        "label": str(assessment.get_stance_display()),
        "organisation": assessment.organisation.name,
        "evidence": str(assessment.get_evidence_display()) if assessment.evidence else "",
    }


def _meeting_part(meeting: Meeting) -> dict[str, Any]:
    return {
        "when": meeting.starts_at,
        "title": str(meeting),
        "kind": str(meeting.get_kind_display()),
        "status": str(meeting.get_status_display()),
        "outcome": meeting.summary,
        "url": meeting.get_absolute_url(),
    }


def _commitment_part(commitment: Commitment) -> dict[str, Any]:
    return {
        "text": commitment.text,
        "by": commitment.by,
        "due_on": commitment.due_on,
        "meeting": str(commitment.meeting),
        "url": commitment.meeting.get_absolute_url(),
    }


def _hook_part(hook: PolicyHook) -> dict[str, Any]:
    return {"institution": hook.institution.name, "hook": hook.hook, "is_lead": hook.is_lead}


def _empty_target(attendee: MeetingAttendee) -> dict[str, Any]:
    target = attendee.person or attendee.institution
    return {
        "key": target_key(target),
        "kind": "person" if attendee.person_id else "institution",
        "name": attendee.person.display_name if attendee.person_id else attendee.institution.name,
        "url": target.get_absolute_url(),
        "representing": attendee.institution.name if attendee.institution_id else "",
        "positions": [],
        "stance": {"current": None, "history": []},
        "previous_meetings": [],
        "commitments": {"them": [], "us": []},
        "policy_hooks": [],
        "sources": [],
    }


def dossier(
    meeting: Meeting, user, *, sources: Sequence[DossierSource] | None = None
) -> dict[str, Any]:
    """What to know before this meeting, as `user` may know it.

    Returns {"meeting", "campaign", "targets", "policy_hooks"}; each target holds its
    positions, stance, previous meetings, commitments, policy hooks and the entries of every
    source. A fixed number of queries however many people, meetings or assessments there are.
    """
    sources = DOSSIER_SOURCES if sources is None else sources
    attendees = _targets(meeting)
    people = [a.person for a in attendees if a.person_id]
    institutions = {a.institution_id: a.institution for a in attendees if a.institution_id}
    targets = {target_key(a.person or a.institution): _empty_target(a) for a in attendees}
    person_keys = {person.pk: target_key(person) for person in people}

    positions = (
        Position.objects.current()
        .filter(person__in=people)
        .select_related("institution", "party")
        .order_by("person", "-start_date", "pk")
    )
    for position in positions:
        targets[person_keys[position.person_id]]["positions"].append(_position_part(position))
        institutions.setdefault(position.institution_id, position.institution)

    campaign = _campaign(meeting, user)
    if campaign is not None:
        _add_stances(targets, campaign, user, people, institutions)
    _add_meetings_and_commitments(targets, meeting, user, person_keys)
    hooks = _add_hooks(targets, attendees, campaign, institutions)

    for source in sources:
        found = source.entries(user=user, people=people, institutions=list(institutions.values()))
        for key, target in targets.items():
            target["sources"].append(
                {
                    "name": source.name,
                    "label": str(source.label),
                    "entries": [asdict(entry) for entry in found.get(key, ())],
                }
            )

    return {
        "meeting": {
            "title": str(meeting),
            "kind": str(meeting.get_kind_display()),
            "when": meeting.local_start,
            "time_zone": meeting.time_zone,
            "where": meeting.location,
            "online_url": meeting.online_url,
            "objective": str(meeting.get_objective_display()) if meeting.objective else "",
            "objective_detail": meeting.objective_detail,
            "ask": meeting.ask,
            "questions": meeting.questions,
            "url": meeting.get_absolute_url(),
        },
        "campaign": _campaign_part(campaign),
        "targets": list(targets.values()),
        "policy_hooks": [_hook_part(hook) for hook in hooks],
    }


def _add_stances(targets, campaign: Campaign, user, people, institutions) -> None:
    """Stance history in the campaign, oldest first; the last is the current stance."""
    assessments = (
        StanceAssessment.objects.visible_to(user)
        .filter(campaign=campaign)
        .filter(Q(person__in=people) | Q(institution__in=list(institutions)))
        .select_related("organisation")
        .order_by("assessed_at", "pk")
    )
    for assessment in assessments:
        if assessment.person_id:
            key = f"person:{assessment.person_id}"
        else:
            key = f"institution:{assessment.institution_id}"
        target = targets.get(key)
        if target is None:
            continue  # an institution someone works for, not one at the table
        target["stance"]["history"].append(_stance_part(assessment))
        target["stance"]["current"] = target["stance"]["history"][-1]


def _add_meetings_and_commitments(targets, meeting: Meeting, user, person_keys) -> None:
    """Previous meetings with each person, newest first, and the open commitments of every
    meeting with them (this one included), by them and by us."""
    visible = Meeting.objects.visible_to(user).exclude(status=Meeting.Status.CANCELLED)
    rows = (
        MeetingAttendee.objects.filter(person__in=list(person_keys), meeting__in=visible)
        .select_related("meeting")
        .order_by("-meeting__starts_at", "pk")
    )
    people_at: dict[int, set[int]] = defaultdict(set)
    for row in rows:
        people_at[row.meeting_id].add(row.person_id)
        earlier = row.meeting.starts_at < meeting.starts_at
        if row.meeting_id != meeting.pk and earlier:
            targets[person_keys[row.person_id]]["previous_meetings"].append(
                _meeting_part(row.meeting)
            )
    commitments = (
        Commitment.objects.filter(done_on__isnull=True, meeting_id__in=list(people_at))
        .select_related("meeting")
        .order_by("due_on", "pk")
    )
    for commitment in commitments:
        # A commitment names its person, or concerns everyone at that meeting.
        if commitment.person_id:
            whom = {commitment.person_id} & set(person_keys)
        else:
            whom = people_at[commitment.meeting_id]
        for person_id in whom:
            side = "them" if commitment.by == Commitment.By.THEM else "us"
            part = _commitment_part(commitment)
            targets[person_keys[person_id]]["commitments"][side].append(part)


def _add_hooks(targets, attendees, campaign: Campaign | None, institutions) -> list[PolicyHook]:
    """The campaign's policy hooks for the institutions at the table and those the people
    work for; each target gets those of the institution it represents and its own."""
    if campaign is None or not institutions:
        return []
    hooks = list(
        PolicyHook.objects.filter(campaign=campaign, institution__in=list(institutions))
        .select_related("institution")
        .order_by("-is_lead", "institution__name", "pk")
    )
    by_institution = defaultdict(list)
    for hook in hooks:
        by_institution[hook.institution_id].append(_hook_part(hook))
    for attendee in attendees:
        target = targets[target_key(attendee.person or attendee.institution)]
        ids = [attendee.institution_id] + [p["institution_id"] for p in target["positions"]]
        for institution_id in dict.fromkeys(i for i in ids if i):
            target["policy_hooks"] += by_institution[institution_id]
    return hooks
