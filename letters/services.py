"""The life of a letter action: open it, launch it, take it back, close it; schedule the
letters that become ready later, retry the ones that failed, count them for the progress
bar, and mark printed letters delivered.

Views check who may do what (`LetterAction.objects.editable_by(user)`); these functions
take the `user` for the audit trail and the stamps. The sending itself is letters.delivery.

States. An action goes draft → open (templates checked) → scheduled (launched: every ready
letter has the moment it is due) → sending (the first letter went) → sent (nothing left
scheduled, queued or being sent) and may be closed at any point. A letter goes draft →
submitted (approval on) → ready → scheduled → queued → sending → sent, or → printed → sent
for printed channels, or → failed after too many refusals (and back to scheduled on retry).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, Max, Min, OuterRef, Q, prefetch_related_objects
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from advocacy.models import AuditEvent
from advocacy.services import audit_record
from advocacy.zones import local_to_utc, zone
from campaigns import reminders
from letters import merge
from letters.models import ActionTarget, Letter, LetterAction, LetterTemplate, Signatory

if TYPE_CHECKING:
    from advocacy.models import User

logger = logging.getLogger(__name__)

UTC = dt.UTC


class LaunchError(ValidationError):
    """Why an action cannot be launched (or opened): every problem at once, for the page to
    list. `error.messages` holds them."""


def _audit(action: LetterAction, *, user, detail: dict, request: HttpRequest | None = None):
    audit_record(
        action=AuditEvent.Action.UPDATED,
        actor=user,
        organisation=action.organisation,
        target=action,
        detail=detail,
        request=request,
    )


def _locked(action: LetterAction) -> LetterAction:
    """The action's row, locked for the rest of the transaction, with fresh values."""
    fresh = LetterAction.objects.select_for_update().get(pk=action.pk)
    for field in ("state", "launched_at", "sending_started_at", "sent_at", "closed_at"):
        setattr(action, field, getattr(fresh, field))
    return fresh


# Opening -----------------------------------------------------------------------------------


def template_problems(action: LetterAction) -> list[str]:
    """What is wrong with the action's templates: none at all, or merge-field errors (a
    co-signed letter may not use fields about one signatory)."""
    templates = list(action.templates.all())
    if not templates:
        return [_("Write the letter first: the action has no template.")]
    allow_signatory = not action.is_cosigned
    problems = []
    for template in sorted(templates, key=lambda t: t.language):
        language = template.get_language_display()
        for part, text in ((_("subject"), template.subject), (_("letter"), template.body)):
            for error in merge.find_errors(text, allow_signatory=allow_signatory):
                problems.append(
                    _("%(language)s %(part)s: %(error)s")
                    % {"language": language, "part": part, "error": error}
                )
    return problems


@transaction.atomic
def action_open(
    *, action: LetterAction, user: User, request: HttpRequest | None = None
) -> LetterAction:
    """Draft → open: people may now write or sign. Raises LaunchError when the templates
    are missing or have errors."""
    row = _locked(action)
    if row.state != LetterAction.State.DRAFT:
        raise LaunchError(_("Only a draft can be opened."))
    problems = template_problems(action)
    if problems:
        raise LaunchError(problems)
    action.state = LetterAction.State.OPEN
    action.save(update_fields=["state", "updated_at"])
    _audit(action, user=user, detail={"state": action.state}, request=request)
    return action


@transaction.atomic
def template_delete(
    *, template: LetterTemplate, user: User, request: HttpRequest | None = None
) -> None:
    """Remove the letter in one language; letters written from it keep their own text."""
    action = template.action
    language = template.language
    template.delete()
    _audit(action, user=user, detail={"template": language, "removed": True}, request=request)


# Launching ---------------------------------------------------------------------------------


def due_at(action: LetterAction, time_zone: str | None) -> dt.datetime:
    """When a letter to a target in `time_zone` is due: the delivery date at the delivery
    time, in that zone, or in the action's own zone when its policy is fixed. A local time
    the clocks skip (a spring-forward gap) moves forward by the gap."""
    name = action.time_zone if action.zone_policy == LetterAction.ZonePolicy.FIXED else time_zone
    local = dt.datetime.combine(action.deliver_on, action.deliver_at)
    return local_to_utc(local, name)


def _earliest_local_date(action: LetterAction, now: dt.datetime) -> dt.date:
    """Today where it is earliest among the zones the letters arrive in."""
    if action.zone_policy == LetterAction.ZonePolicy.FIXED:
        names = {action.time_zone}
    else:
        names = set(action.targets.values_list("time_zone", flat=True).distinct()) or {
            action.time_zone
        }
    return min(now.astimezone(zone(name)).date() for name in names)


def launch_problems(action: LetterAction, *, now: dt.datetime | None = None) -> list[str]:
    """Every reason the action cannot be launched now; empty when it can."""
    now = now or timezone.now()
    problems: list[str] = []
    if not action.is_changeable:
        problems.append(_("Only a draft or open action can be launched."))
    if action.deliver_on is None:
        problems.append(_("Choose the delivery date."))
    elif action.deliver_on < _earliest_local_date(action, now):
        problems.append(_("The delivery date has passed: choose another."))
    problems += template_problems(action)
    if not action.targets.exists():
        problems.append(_("Choose who the letters go to: the action has no targets."))
    if (
        action.is_cosigned
        and not action.signatories.filter(email_confirmed_at__isnull=False).exists()
    ):
        problems.append(_("Nobody has signed yet: a co-signed letter needs a confirmed signatory."))
    if action.is_foi and action.foi_deadline_rule is None:
        problems.append(
            _(
                "The answer's deadline is not known: choose the country whose law "
                "applies, or set the days to answer."
            )
        )
    return problems


def _zone_counts(action: LetterAction) -> dict[str, int]:
    """How many targets receive their letters in each time zone (one zone when it is
    fixed)."""
    if action.zone_policy == LetterAction.ZonePolicy.FIXED:
        return {action.time_zone: action.targets.count()}
    rows = action.targets.order_by().values("time_zone").annotate(n=Count("pk"))
    return {row["time_zone"]: row["n"] for row in rows}


def delivery_passed(action: LetterAction, *, now: dt.datetime | None = None) -> bool:
    """Whether the delivery time has passed in every zone the letters arrive in, so that
    nothing is still "to arrive"."""
    if action.deliver_on is None:
        return False
    now = now or timezone.now()
    zones = _zone_counts(action) or {action.time_zone: 0}
    return all(due_at(action, name) <= now for name in zones)


def launch_preview(action: LetterAction, *, now: dt.datetime | None = None) -> dict:
    """What launching now would do, for the coordinator to confirm it:

    - `scheduled`: letters that would be scheduled (those ready, and for a co-signed letter
      or an FOI request the ones made at launch);
    - `targets`: the action's targets; `unwritten`: those who would get no letter;
    - `waiting`: letters written but not ready (drafts, waiting for approval), which follow
      as they become ready;
    - `late`: targets whose delivery time has passed already: their letters go at once.
    """
    now = now or timezone.now()
    counts = target_counts(action)
    letters = Letter.objects.filter(action=action)
    if action.is_cosigned:
        letters = letters.filter(signatory__isnull=True)
    ready = letters.filter(state=Letter.State.READY).count()
    waiting = letters.filter(state__in=(Letter.State.DRAFT, Letter.State.SUBMITTED)).count()
    made = 0
    if action.is_cosigned or action.is_foi:
        # Every target without a letter gets one from the organisation.
        made = action.targets.exclude(person__in=letters.values("target")).count()
    late = 0
    if action.deliver_on is not None:
        late = sum(
            number for name, number in _zone_counts(action).items() if due_at(action, name) <= now
        )
    return {
        "scheduled": ready + made,
        "targets": counts["targets"],
        "unwritten": 0 if (action.is_cosigned or action.is_foi) else counts["unwritten"],
        "waiting": waiting,
        "late": late,
    }


def _organisation_values(action: LetterAction) -> dict[str, str]:
    # Letters without a signatory (an FOI request made by the organisation) sign with it.
    name = action.organisation.name
    return {"signatory.name": name, "signatory.organisation": name}


def _create_organisation_letters(action: LetterAction, user: User | None) -> int:
    """Co-signed: one letter per target, from all the signatories. FOI: one request per
    target nobody wrote to, from the organisation. Rendered from the template in a language
    the target reads, else the site's (else the first there is); kept when they exist
    already."""
    if not (action.is_cosigned or action.is_foi):
        return 0
    prefetch_related_objects([action], "templates")
    written = Letter.objects.filter(action=action)
    if action.is_cosigned:
        written = written.filter(signatory__isnull=True)
    have = set(written.values_list("target_id", flat=True))
    people = [t.person for t in action.targets.select_related("person") if t.person_id not in have]
    if not people:
        return 0
    values = merge.target_values(people)
    action_values = merge.action_values(action)
    signatory_values = {} if action.is_cosigned else _organisation_values(action)
    letters = []
    for person in people:
        template = action.template_for_person(person, settings.LANGUAGE_CODE)
        subject, body = merge.letter_text(
            template, target=values[person.pk], action=action_values, signatory=signatory_values
        )
        letters.append(
            Letter(
                action=action,
                target=person,
                signatory=None,
                language=template.language,
                subject=subject[:300],
                body=body,
                state=Letter.State.READY,
                created_by=user,
            )
        )
    Letter.objects.bulk_create(letters, ignore_conflicts=True, batch_size=500)
    return len(letters)


def _schedule(action: LetterAction, letters, *, now: dt.datetime) -> int:
    """Schedule the given READY letters (a queryset of the action's letters): one UPDATE per
    distinct due time. A due time already past means as soon as possible."""
    zones = dict(action.targets.values_list("person_id", "time_zone"))
    by_due: dict[dt.datetime, list[int]] = defaultdict(list)
    for pk, target_id in letters.filter(state=Letter.State.READY).values_list("pk", "target_id"):
        moment = max(due_at(action, zones.get(target_id, action.time_zone)), now)
        by_due[moment].append(pk)
    count = 0
    for moment, ids in by_due.items():
        count += Letter.objects.filter(pk__in=ids, state=Letter.State.READY).update(
            state=Letter.State.SCHEDULED, due_at=moment, updated_at=now
        )
    return count


@transaction.atomic
def action_launch(
    *,
    action: LetterAction,
    user: User,
    now: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> int:
    """Launch the action: check it (LaunchError lists every problem), make the co-signed
    letters or FOI requests, schedule every ready letter, and move the action to scheduled.
    Letters that become ready later are scheduled by `letter_schedule`. Returns how many
    letters were scheduled."""
    now = now or timezone.now()
    _locked(action)
    problems = launch_problems(action, now=now)
    if problems:
        raise LaunchError(problems)
    _create_organisation_letters(action, user)
    scheduled = _schedule(action, action.letters.all(), now=now)
    action.state = LetterAction.State.SCHEDULED
    action.launched_at = now
    action.launched_by = user
    action.save(update_fields=["state", "launched_at", "launched_by", "updated_at"])
    _audit(
        action,
        user=user,
        detail={"state": action.state, "scheduled": scheduled},
        request=request,
    )
    return scheduled


@transaction.atomic
def action_unschedule(
    *, action: LetterAction, user: User, request: HttpRequest | None = None
) -> int:
    """Scheduled → open again, as long as no letter went out (none queued, being sent,
    printed, sent, failed or bounced). Scheduled letters are ready again; the co-signed
    letters and FOI requests made at launch are removed (made afresh at the next launch).
    Returns how many letters were taken back."""
    _locked(action)
    if action.state != LetterAction.State.SCHEDULED:
        raise LaunchError(_("Only a scheduled action can be taken back."))
    # Lock every letter: the dispatcher skips locked rows, so none leaves meanwhile.
    states = set(
        Letter.objects.select_for_update().filter(action=action).values_list("state", flat=True)
    )
    gone = states - {*Letter.EDITABLE, Letter.State.SCHEDULED}
    if gone:
        raise LaunchError(_("Letters have gone out already: the action can only be closed."))
    taken = Letter.objects.filter(action=action, state=Letter.State.SCHEDULED)
    made_at_launch = taken.filter(signatory__isnull=True)
    count = taken.count()
    made_at_launch.delete()
    taken.update(state=Letter.State.READY, due_at=None, updated_at=timezone.now())
    action.state = LetterAction.State.OPEN
    action.launched_at = None
    action.launched_by = None
    action.save(update_fields=["state", "launched_at", "launched_by", "updated_at"])
    _audit(action, user=user, detail={"state": action.state}, request=request)
    return count


@transaction.atomic
def action_close(
    *, action: LetterAction, user: User, request: HttpRequest | None = None
) -> LetterAction:
    """Close the action: no more letters or signatures. Letters still scheduled stay
    unsent (ready again); letters already on their way finish."""
    _locked(action)
    if action.state == LetterAction.State.CLOSED:
        return action
    now = timezone.now()
    Letter.objects.filter(action=action, state=Letter.State.SCHEDULED).update(
        state=Letter.State.READY, due_at=None, updated_at=now
    )
    action.state = LetterAction.State.CLOSED
    action.closed_at = now
    action.save(update_fields=["state", "closed_at", "updated_at"])
    _audit(action, user=user, detail={"state": action.state}, request=request)
    return action


# Letters after launch ----------------------------------------------------------------------

# States of an action in which ready letters are scheduled as soon as they are ready.
SCHEDULING_STATES = LetterAction.SENDS_STATES


def _sending_again(action_id: int) -> None:
    """An action that had sent everything has a letter to send again."""
    LetterAction.objects.filter(pk=action_id, state=LetterAction.State.SENT).update(
        state=LetterAction.State.SENDING, sent_at=None
    )


@transaction.atomic
def letters_schedule(*, action_id: int, letters, now: dt.datetime | None = None) -> int:
    """Schedule letters of one action that became ready after it was launched (written,
    confirmed or approved later), together. Before launch they wait; returns how many were
    scheduled. Past the delivery time they go at once."""
    now = now or timezone.now()
    action = LetterAction.objects.select_for_update().get(pk=action_id)
    if action.state not in SCHEDULING_STATES:
        return 0
    scheduled = _schedule(action, letters, now=now)
    if scheduled:
        _sending_again(action.pk)
    return scheduled


def letter_schedule(*, letter: Letter, now: dt.datetime | None = None) -> bool:
    """`letters_schedule` for one letter; returns whether it was scheduled."""
    letters = Letter.objects.filter(pk=letter.pk)
    scheduled = letters_schedule(action_id=letter.action_id, letters=letters, now=now)
    if scheduled:
        letter.refresh_from_db(fields=["state", "due_at"])
    return bool(scheduled)


def _retry(letters, *, now: dt.datetime) -> int:
    """FAILED → SCHEDULED, due now, attempts counted afresh; not for a closed action (it
    sends nothing any more)."""
    return letters.filter(state=Letter.State.FAILED, action__state__in=SCHEDULING_STATES).update(
        state=Letter.State.SCHEDULED,
        due_at=now,
        attempts=0,
        queued_at=None,
        claimed_at=None,
        updated_at=now,
    )


@transaction.atomic
def letter_retry(*, letter: Letter, user: User, request: HttpRequest | None = None) -> bool:
    """Send a failed letter again, at once (its error stays shown until it goes). False
    when it had not failed, or its action is closed."""
    now = timezone.now()
    retried = _retry(Letter.objects.filter(pk=letter.pk), now=now)
    if retried:
        _sending_again(letter.action_id)
        letter.refresh_from_db(fields=["state", "due_at", "attempts"])
        _audit(letter.action, user=user, detail={"retried": [letter.pk]}, request=request)
    return bool(retried)


@transaction.atomic
def action_retry_failed(
    *, action: LetterAction, user: User, request: HttpRequest | None = None
) -> int:
    """Send every failed letter of the action again; returns how many (none for a closed
    action: it sends nothing any more)."""
    retried = _retry(Letter.objects.filter(action=action), now=timezone.now())
    if retried:
        _sending_again(action.pk)
        _audit(action, user=user, detail={"retried": retried}, request=request)
    return retried


# Progress ----------------------------------------------------------------------------------

# Letters on their way or delivered: what the progress bar counts.
LAUNCHED_STATES = (
    Letter.State.SCHEDULED,
    Letter.State.QUEUED,
    Letter.State.SENDING,
    Letter.State.PRINTED,
    Letter.State.SENT,
    Letter.State.FAILED,
    Letter.State.BOUNCED,
)
FINISHED_STATES = (
    Letter.State.PRINTED,
    Letter.State.SENT,
    Letter.State.FAILED,
    Letter.State.BOUNCED,
)


def action_progress(action: LetterAction) -> dict:
    """The action's letters by state (one query), for the progress bar:

    - `counts`: {state: number} for every letter state (zeros included);
    - `states`: [(state, label, number)] in the order of Letter.State, non-zero only;
    - `total`: letters launched (scheduled or further); `finished`: printed, sent, failed or
      bounced among them; `percent`: finished of total, 0–100 (100 when there are none);
    - `sent`, `printed`, `failed`, `in_flight` (queued or being sent), `scheduled`,
      `waiting` (written but not launched: draft, waiting for approval, ready);
    - `done`: nothing left scheduled or on its way;
    - `answer_due_first`, `answer_due_last`: the earliest and latest day FOI requests must
      be answered by (None before any is sent).
    """
    by_state = (
        Letter.objects.filter(action=action)
        .order_by()
        .values_list("state")
        .annotate(n=Count("pk"), first=Min("foi_deadline"), last=Max("foi_deadline"))
        .values_list("state", "n", "first", "last")
    )
    rows = {}
    deadlines = []
    for state, number, first, last in by_state:
        rows[state] = number
        deadlines += [day for day in (first, last) if day is not None]
    counts = {state: rows.get(state, 0) for state in Letter.State.values}
    total = sum(counts[state] for state in LAUNCHED_STATES)
    finished = sum(counts[state] for state in FINISHED_STATES)
    in_flight = counts[Letter.State.QUEUED] + counts[Letter.State.SENDING]
    return {
        "counts": counts,
        "states": [
            (state, label, counts[state]) for state, label in Letter.State.choices if counts[state]
        ],
        "total": total,
        "finished": finished,
        "percent": round(100 * finished / total) if total else 100,
        "sent": counts[Letter.State.SENT],
        "printed": counts[Letter.State.PRINTED],
        "failed": counts[Letter.State.FAILED],
        "in_flight": in_flight,
        "scheduled": counts[Letter.State.SCHEDULED],
        "waiting": sum(counts[state] for state in Letter.EDITABLE),
        "done": counts[Letter.State.SCHEDULED] + in_flight == 0,
        "answer_due_first": min(deadlines, default=None),
        "answer_due_last": max(deadlines, default=None),
    }


def target_counts(action: LetterAction) -> dict[str, int]:
    """The action's `targets`, and how many of them have no letter (`unwritten`): nobody
    wrote to them, or only a draft. One query."""
    written = (
        Letter.objects.filter(action=action, target=OuterRef("person_id"))
        .exclude(state=Letter.State.DRAFT)
        .values("pk")
    )
    return ActionTarget.objects.filter(action=action).aggregate(
        targets=Count("pk"), unwritten=Count("pk", filter=~Q(Exists(written)))
    )


def signatory_counts(action: LetterAction) -> dict[str, int]:
    """Who signed: `confirmed` (their address confirmed) and `unconfirmed` (waiting for
    them to follow the link in the email). One query."""
    return Signatory.objects.filter(action=action).aggregate(
        confirmed=Count("pk", filter=Q(email_confirmed_at__isnull=False)),
        unconfirmed=Count("pk", filter=Q(email_confirmed_at__isnull=True)),
    )


# Printed letters ---------------------------------------------------------------------------


@transaction.atomic
def targets_mark_delivered(
    *,
    action: LetterAction,
    targets: Iterable[ActionTarget],
    user: User,
    now: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> int:
    """The printed letters to these targets were handed over or posted: they are sent now
    (FOI deadlines start, the reply check counts from today). Returns how many letters."""
    from letters import delivery

    now = now or timezone.now()
    targets = [t for t in targets if t.action_id == action.pk]
    if not targets:
        return 0
    ActionTarget.objects.filter(pk__in=[t.pk for t in targets], delivered_at=None).update(
        delivered_at=now
    )
    letters = list(
        Letter.objects.select_for_update()
        .filter(
            action=action,
            target_id__in=[t.person_id for t in targets],
            state=Letter.State.PRINTED,
        )
        .values_list("pk", flat=True)
    )
    Letter.objects.filter(pk__in=letters).update(
        state=Letter.State.SENT, sent_at=now, updated_at=now
    )
    if letters:
        delivery.letters_after_sending(letter_ids=letters, now=now)
    delivery.actions_refresh_state(action_ids=[action.pk], now=now)
    _audit(
        action,
        user=user,
        detail={"delivered": [t.person_id for t in targets], "letters": len(letters)},
        request=request,
    )
    return len(letters)


# Reminders about a letter ------------------------------------------------------------------


def foi_reminder_keys(letter: Letter) -> list[str]:
    return [f"letter:{letter.pk}:foi:before", f"letter:{letter.pk}:foi:due"]


def reply_check_key(letter: Letter) -> str:
    return f"letter:{letter.pk}:reply-check"


def foi_reminders_cancel(*, letter: Letter) -> int:
    """A reply was logged: cancel the reminders about the letter that are not sent yet (the
    FOI deadline's, and the writer's "did they reply?"). Returns how many."""
    cancelled = 0
    for key in [*foi_reminder_keys(letter), reply_check_key(letter)]:
        cancelled += reminders.reminder_cancel(source_key=key)
    return cancelled
