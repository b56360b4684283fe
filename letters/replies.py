"""Replies to letters: logging one, and letters and replies on a person's timeline and in a
meeting's dossier.

A reply is logged on its letter by an editor of the action (received on, kind, summary,
commitment, their stance now) or reported by the letter's writer: a supporter through the
public reply form, a writer with an account on the letter's page (both through
`reply_log(signatory=...)`). Only an editor's log changes the target's stance: it becomes a
StanceAssessment for the action's campaign, with the letter as its evidence. A writer's
report is kept as they gave it and shown as "reported by the writer"; an editor's log is
never overwritten by one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from advocacy.models import AuditEvent, User
from advocacy.services import audit_record
from campaigns import reminders
from contacts import services as contacts_services
from contacts.models import Person, Stance, StanceAssessment
from contacts.services import TimelineEntry
from letters import access, services
from letters.models import Letter, LetterAction, Signatory


def evidence_key(letter: Letter) -> str:
    """How a stance assessment made from this letter's reply names it (`evidence_object`)."""
    return f"letters.letter:{letter.pk}"


def can_log_reply(user, action: LetterAction) -> bool:
    return access.can_edit(user, action)


def can_report_reply(user, letter: Letter) -> bool:
    """The letter's own writer, when they have an account (a partner in the coalition, say),
    may report the reply as a supporter does, unless an editor logged it already."""
    signatory = letter.signatory
    return (
        signatory is not None
        and user.is_authenticated
        and signatory.user_id == user.pk
        and not letter.reply_logged_by_id
    )


# Logging a reply ---------------------------------------------------------------------------


class ReplyForm(forms.Form):
    """An editor logs the reply to a letter; errors show next to the fields."""

    kind = forms.ChoiceField(label=gettext_lazy("Reply"), choices=Letter.ReplyKind.choices)
    received_on = forms.DateField(
        label=gettext_lazy("Received on"),
        required=False,
        # A browser's date box reads only ISO dates, whatever the language of the page.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("Leave empty when there was no answer."),
    )
    summary = forms.CharField(
        label=gettext_lazy("What they said"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    commitment = forms.CharField(
        label=gettext_lazy("Commitment made"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("What they promised to do, if anything."),
    )
    stance = forms.ChoiceField(
        label=gettext_lazy("Their stance now"),
        required=False,
        choices=[("", gettext_lazy("No change"))] + list(Stance.choices),
        help_text=gettext_lazy(
            "A change becomes a stance assessment for the campaign, with this letter as its "
            "evidence."
        ),
    )

    def __init__(self, *args, letter: Letter, writer: bool = False, **kwargs) -> None:
        """`writer`: the letter's own writer reports the reply, in their words rather than an
        editor's; it changes no stance, and they may not remember the day it came."""
        self.letter = letter
        self.writer = writer
        if "initial" not in kwargs and letter.reply_kind:
            kwargs["initial"] = {
                "kind": letter.reply_kind,
                "received_on": letter.reply_received_on,
                "summary": letter.reply_summary,
                "commitment": letter.reply_commitment,
                "stance": letter.reply_stance,
            }
        super().__init__(*args, **kwargs)
        if writer:
            del self.fields["stance"]
            self._in_the_writers_words()

    def _in_the_writers_words(self) -> None:
        kind = self.fields["kind"]
        kind.label = gettext_lazy("Did a reply come?")
        kind.choices = [
            (Letter.ReplyKind.ANSWER, gettext_lazy("Yes, they answered")),
            (
                Letter.ReplyKind.ACKNOWLEDGEMENT,
                gettext_lazy("Only an acknowledgement that it arrived"),
            ),
            (Letter.ReplyKind.REFUSAL, gettext_lazy("Yes, they refused")),
            (Letter.ReplyKind.NO_ANSWER, gettext_lazy("No reply yet")),
        ]
        kind.widget = forms.RadioSelect(choices=kind.choices)
        received_on = self.fields["received_on"]
        received_on.label = gettext_lazy("When it came")
        received_on.help_text = gettext_lazy("If you remember.")
        self.fields["summary"].widget.attrs.update({"rows": 5, "dir": "auto"})

    def clean_received_on(self) -> dt.date | None:
        received_on = self.cleaned_data["received_on"]
        if received_on is None:
            return None
        if received_on > timezone.localdate():
            raise ValidationError(_("The reply can't have come in the future."))
        sent = self.letter.sent_at
        if sent is not None and received_on < timezone.localdate(sent):
            raise ValidationError(
                _("The letter went out on %(date)s: the reply came after that.")
                % {"date": timezone.localdate(sent).isoformat()}
            )
        return received_on

    def clean(self) -> dict:
        data = super().clean()
        kind = data.get("kind")
        # A writer may not remember the day; an editor logs it.
        missing = (
            not self.writer
            and kind
            and kind != Letter.ReplyKind.NO_ANSWER
            and not data.get("received_on")
        )
        if missing and "received_on" not in self.errors:
            self.add_error("received_on", _("When did the reply come?"))
        if kind == Letter.ReplyKind.NO_ANSWER:
            data["received_on"] = None
        return data


def _assessed_at(received_on: dt.date | None) -> dt.datetime:
    """A stance learnt from a reply dates from the day the reply came, not the day it was
    logged: midday of that day, or now when it came today (or no day was given)."""
    now = timezone.now()
    if received_on is None or received_on >= timezone.localdate(now):
        return now
    return timezone.make_aware(dt.datetime.combine(received_on, dt.time(12)))


@transaction.atomic
def reply_log(
    *,
    letter: Letter,
    user: User | None = None,
    signatory: Signatory | None = None,
    kind: str,
    received_on: dt.date | None = None,
    summary: str = "",
    commitment: str = "",
    stance: str = "",
    request: HttpRequest | None = None,
) -> Letter:
    """Record the reply to `letter`, by an editor of the action (`user`) or as the writer
    reported it (`signatory`, from the public form).

    An editor's stance change becomes a StanceAssessment (the action's campaign and
    organisation, evidence "letter"); a writer's report never changes a stance, and never
    replaces what an editor logged. A reply cancels the FOI deadline reminders and counts as
    a contact on the organisation's relationships with the target. Audit-logged.
    """
    if (user is None) == (signatory is None):
        raise ValueError("A reply is logged by an editor or reported by the letter's writer.")
    if kind not in Letter.ReplyKind.values:
        raise ValidationError({"kind": _("Choose what kind of reply it was.")})
    if stance and stance not in Stance.values:
        raise ValidationError({"stance": _("Choose a stance from the list.")})
    letter = (
        Letter.objects.select_for_update(of=("self",))
        .select_related("action__campaign", "action__organisation", "target")
        .get(pk=letter.pk)
    )
    action = letter.action
    if user is not None and not can_log_reply(user, action):
        raise PermissionDenied
    if signatory is not None and signatory.pk != letter.signatory_id:
        raise PermissionDenied
    if letter.state not in Letter.WENT_OUT:
        raise ValidationError(_("A reply can be logged once the letter has gone out."))
    if kind == Letter.ReplyKind.NO_ANSWER:
        received_on = None
    elif received_on is None and user is not None:
        # A writer may not remember the day; an editor logs it.
        raise ValidationError({"received_on": _("When did the reply come?")})

    if signatory is not None and letter.reply_logged_by_id:
        # An editor logged this reply already: theirs stands.
        return letter

    previous_stance = letter.reply_stance
    letter.reply_kind = kind
    letter.reply_received_on = received_on
    letter.reply_summary = summary.strip()
    letter.reply_commitment = commitment.strip()
    letter.reply_logged_at = timezone.now()
    letter.reply_logged_by = user
    if user is not None:
        letter.reply_stance = stance
    letter.save(
        update_fields=[
            "reply_kind",
            "reply_received_on",
            "reply_summary",
            "reply_commitment",
            "reply_stance",
            "reply_logged_at",
            "reply_logged_by",
            "updated_at",
        ]
    )

    assessment = None
    if user is not None and stance and stance != previous_stance:
        assessment = contacts_services.stance_record(
            person=letter.target,
            campaign=action.campaign,
            organisation=action.organisation,
            actor=user,
            stance=stance,
            evidence=StanceAssessment.Evidence.LETTER,
            note=letter.reply_summary,
            visibility=action.visibility,
            request=request,
        )
        assessment.evidence_object = evidence_key(letter)
        assessment.assessed_at = _assessed_at(received_on)
        assessment.save(update_fields=["evidence_object", "assessed_at"])

    if letter.has_reply:
        services.foi_reminders_cancel(letter=letter)
        reminders.relationships_contacted(
            organisation_id=letter.action.organisation_id,
            people=[letter.target_id],
            day=received_on or timezone.localdate(),
        )

    audit_record(
        action=AuditEvent.Action.UPDATED,
        actor=user,
        actor_label="" if user else f"{signatory.name} <{signatory.email}>",
        organisation=action.organisation,
        target=letter,
        detail={
            "reply": kind,
            "received_on": received_on.isoformat() if received_on else None,
            "stance": stance if user else "",
            "source": "editor" if user else "writer",
            "stance_assessment": assessment.pk if assessment else None,
        },
        request=request,
    )
    return letter


# On a person's timeline and in a meeting's dossier ------------------------------------------


def _letters_about(user, people: Iterable[Person]):
    """Letters to these people that went out or got a reply, in actions the user may see:
    one query."""
    return (
        Letter.objects.visible_to(user)
        .filter(target__in=[person.pk for person in people])
        .filter(Q(state__in=Letter.WENT_OUT) | ~Q(reply_kind=""))
        .select_related("action", "signatory")
        .only(
            "pk",
            "target_id",
            "subject",
            "state",
            "sent_at",
            "due_at",
            "created_at",
            "reply_kind",
            "reply_received_on",
            "reply_summary",
            "reply_commitment",
            "reply_logged_at",
            "reply_logged_by",
            "foi_deadline",
            "action",
            "action__title",
            "action__kind",
            "signatory",
            "signatory__name",
            "signatory__organisation_name",
        )
        .order_by("target_id", "sent_at", "pk")
    )


def _went_out_on(letter: Letter) -> dt.date | dt.datetime:
    return letter.sent_at or letter.due_at or letter.created_at


def _writer(letter: Letter) -> str:
    if letter.signatory_id is None:
        return ""
    if letter.signatory.organisation_name:
        return f"{letter.signatory.name} ({letter.signatory.organisation_name})"
    return letter.signatory.name


def _reply_title(letter: Letter) -> str:
    values = {"subject": letter.subject, "kind": letter.get_reply_kind_display()}
    if letter.reply_kind == Letter.ReplyKind.NO_ANSWER:
        title = _("No answer to “%(subject)s”") % values
    else:
        title = _("Reply to “%(subject)s”: %(kind)s") % values
    if letter.reported_by_writer:
        title = f"{title} · {_('reported by the writer')}"
    return title


def _reply_detail(letter: Letter) -> str:
    parts = [letter.reply_summary]
    if letter.reply_commitment:
        parts.append(_("Commitment: %(text)s") % {"text": letter.reply_commitment})
    return "\n".join(part for part in parts if part)


def _entries(letters: Iterable[Letter]) -> Iterator[tuple[int, TimelineEntry]]:
    """(person id, entry) pairs. Per person: one entry per action for the letters that went
    out (a letter day may bring dozens to one MP), and one per reply."""
    sent: dict[tuple[int, int], list[Letter]] = defaultdict(list)
    for letter in letters:
        if letter.state in Letter.WENT_OUT:
            sent[(letter.target_id, letter.action_id)].append(letter)
        if letter.reply_kind:
            yield (
                letter.target_id,
                TimelineEntry(
                    when=letter.reply_received_on
                    or letter.foi_deadline
                    or timezone.localdate(letter.reply_logged_at or _went_out_on(letter)),
                    kind="letter_reply",
                    title=_reply_title(letter),
                    detail=_reply_detail(letter),
                    url=letter.get_absolute_url(),
                ),
            )
    for (person_id, _action_id), group in sent.items():
        first = group[0]
        action = first.action
        if len(group) == 1:
            title = _("%(action)s: “%(subject)s”") % {
                "action": action.title,
                "subject": first.subject,
            }
            writer = _writer(first)
            detail = _("From %(writer)s") % {"writer": writer} if writer else ""
            url = first.get_absolute_url()
        else:
            title = ngettext(
                "%(action)s: %(count)d letter", "%(action)s: %(count)d letters", len(group)
            ) % {"action": action.title, "count": len(group)}
            detail = ""
            url = reverse("letters:results", args=[action.pk]) + f"#target-{person_id}"
        yield (
            person_id,
            TimelineEntry(
                when=_went_out_on(first),
                kind="letter",
                title=title,
                detail=detail,
                url=url,
            ),
        )


def letter_entries(person: Person, user) -> Iterator[TimelineEntry]:
    """Letters to a person and their replies, for the person's timeline (TIMELINE_SOURCES):
    only in actions the user may see; one query."""
    for _person_id, entry in _entries(_letters_about(user, [person])):
        yield entry


def dossier_entries(*, user, people: Sequence[Person], institutions: Sequence = ()) -> dict:
    """Letters sent and replies for a meeting's dossier (DOSSIER_SOURCES), keyed by
    meetings.dossier.target_key, newest first; one query however many people."""
    from meetings.dossier import DossierEntry

    found: dict[str, list[DossierEntry]] = defaultdict(list)
    if not people:
        return found
    entries = sorted(
        _entries(_letters_about(user, people)), key=lambda pair: pair[1].sort_key, reverse=True
    )
    for person_id, entry in entries:
        found[f"person:{person_id}"].append(
            DossierEntry(when=entry.when, title=entry.title, detail=entry.detail, url=entry.url)
        )
    return found
