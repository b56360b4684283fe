"""The results of a letter action, in a fixed number of queries however many letters:

letters by state, by target (and the targets nobody wrote to; before launch, not those of a
co-signed letter or FOI requests, whose letters are made at launch), by the role of their
writers (account holders together, as the organisation's own people; and, for a co-signed
letter, its signatories by role; letters from the organisation itself, such as FOI requests
and co-signed letters, in a row of their own), replies by kind and the response rate, and
for FOI requests the answers that came on time, late, or not at all.

The response rate is what a coordinator asks of an action: of the targets a letter went out
to, how many replied. Two letters to one target and one reply is a target who replied.

The page, the CSV and the PDF report all show these numbers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from letters.models import ActionTarget, Letter, LetterAction, Signatory

WENT_OUT = Q(state__in=Letter.WENT_OUT)
REPLIED = Q(reply_kind__in=Letter.REPLY_KINDS)
WRITTEN = ~Q(state=Letter.State.DRAFT)
# How many replies the page and the report list, newest first.
REPLIES_SHOWN = 100


def _rate(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


@dataclass
class StateCount:
    state: str
    label: str
    count: int


@dataclass
class TargetResult:
    target: ActionTarget
    written: int = 0
    sent: int = 0
    failed: int = 0
    replies: int = 0
    latest_reply: dt.date | None = None

    @property
    def person(self):
        return self.target.person

    @property
    def nobody_wrote(self) -> bool:
        """No letter to them beyond a draft, when that is a gap: before launch, a co-signed
        letter's or FOI requests' targets are not "unwritten", their letters are made at
        launch (LetterAction.unwritten_is_gap)."""
        return not self.written and self.target.action.unwritten_is_gap

    @property
    def replied(self) -> bool | None:
        """Whether the target replied to any of the letters; None when none went out."""
        if not self.sent and not self.replies:
            return None
        return self.replies > 0


@dataclass
class RoleResult:
    """`role` is empty for the letters from the organisation itself (no signatory of their
    own), which count no signatories (None)."""

    role: str
    label: str
    signatories: int | None = 0
    letters: int = 0
    sent: int = 0
    replies: int = 0


@dataclass
class FoiResult:
    on_time: int = 0
    late: int = 0
    no_answer: int = 0
    waiting: int = 0


@dataclass
class Results:
    action: LetterAction
    total: int = 0
    written: int = 0
    sent: int = 0
    replies: int = 0
    # Targets a letter went out to, and those of them who replied.
    targets_written_to: int = 0
    targets_replied: int = 0
    by_state: list[StateCount] = field(default_factory=list)
    by_reply_kind: list[StateCount] = field(default_factory=list)
    by_target: list[TargetResult] = field(default_factory=list)
    by_role: list[RoleResult] = field(default_factory=list)
    foi: FoiResult | None = None
    recent_replies: list[Letter] = field(default_factory=list)

    @property
    def response_rate(self) -> int | None:
        """Per cent of the targets written to who replied; None when nothing went out."""
        return _rate(self.targets_replied, self.targets_written_to)

    @property
    def reply_kinds(self) -> list[StateCount]:
        return [row for row in self.by_reply_kind if row.count]

    @property
    def unwritten(self) -> list[TargetResult]:
        """The targets nobody wrote to (no letter beyond a draft)."""
        return [row for row in self.by_target if row.nobody_wrote]

    @property
    def made_at_launch(self) -> bool:
        """A co-signed letter or FOI requests not launched yet: the letters to the targets
        are made at launch, which the page says instead of "nobody wrote to them"."""
        return not self.action.unwritten_is_gap

    @property
    def signatories(self) -> int:
        return sum(row.signatories or 0 for row in self.by_role)


def _totals(action: LetterAction, results: Results, today: dt.date) -> None:
    """Every count over the action's letters in one aggregate query."""
    letters = Letter.objects.filter(action=action)
    counts = {f"state_{state}": Count("pk", filter=Q(state=state)) for state in Letter.State}
    counts |= {f"reply_{kind}": Count("pk", filter=Q(reply_kind=kind)) for kind in Letter.ReplyKind}
    counts |= {
        "total": Count("pk"),
        "written": Count("pk", filter=WRITTEN),
        "sent": Count("pk", filter=WENT_OUT),
        "replies": Count("pk", filter=REPLIED),
        "targets_written_to": Count("target", filter=WENT_OUT, distinct=True),
        "targets_replied": Count("target", filter=REPLIED, distinct=True),
    }
    if action.is_foi:
        deadline = Q(foi_deadline__isnull=False)
        counts |= {
            "foi_on_time": Count(
                "pk", filter=deadline & REPLIED & Q(reply_received_on__lte=F("foi_deadline"))
            ),
            "foi_late": Count(
                "pk", filter=deadline & REPLIED & Q(reply_received_on__gt=F("foi_deadline"))
            ),
            "foi_none": Count(
                "pk",
                filter=deadline
                & (
                    Q(reply_kind=Letter.ReplyKind.NO_ANSWER)
                    | Q(reply_kind="", foi_deadline__lt=today)
                ),
            ),
            "foi_waiting": Count("pk", filter=deadline & Q(reply_kind="", foi_deadline__gte=today)),
        }
    row = letters.aggregate(**counts)
    results.total = row["total"]
    results.written = row["written"]
    results.sent = row["sent"]
    results.replies = row["replies"]
    results.targets_written_to = row["targets_written_to"]
    results.targets_replied = row["targets_replied"]
    results.by_state = [
        StateCount(state.value, str(state.label), row[f"state_{state}"]) for state in Letter.State
    ]
    results.by_reply_kind = [
        StateCount(kind.value, str(kind.label), row[f"reply_{kind}"]) for kind in Letter.ReplyKind
    ]
    if action.is_foi:
        results.foi = FoiResult(
            on_time=row["foi_on_time"],
            late=row["foi_late"],
            no_answer=row["foi_none"],
            waiting=row["foi_waiting"],
        )


def _by_target(action: LetterAction, results: Results) -> None:
    """Every target with its counts (two queries: the targets, the letters grouped)."""
    targets = list(
        ActionTarget.objects.filter(action=action)
        .select_related("person")
        .order_by("person__sort_name", "person__name", "pk")
    )
    rows = (
        Letter.objects.filter(action=action)
        .values("target_id")
        .annotate(
            written=Count("pk", filter=WRITTEN),
            sent=Count("pk", filter=WENT_OUT),
            failed=Count("pk", filter=Q(state__in=[Letter.State.FAILED, Letter.State.BOUNCED])),
            replies=Count("pk", filter=REPLIED),
            latest_reply=Max("reply_received_on", filter=REPLIED),
        )
        .order_by()
    )
    counts = {row.pop("target_id"): row for row in rows}
    results.by_target = [TargetResult(t, **counts.get(t.person_id, {})) for t in targets]
    for target in targets:
        target.action = action


def _organisation_label(action: LetterAction) -> str:
    if action.is_cosigned:
        return _("Co-signed letters, from all the signatories")
    return _("%(organisation)s, in its own name") % {"organisation": action.organisation}


def _by_role(action: LetterAction, results: Results) -> None:
    """Writers' letters and confirmed signatories by role, then the letters the organisation
    sent in its own name (an FOI request, a co-signed letter): two queries."""
    letters = {
        row.pop("signatory__role"): row
        for row in Letter.objects.filter(action=action)
        .values("signatory__role")
        .annotate(
            letters=Count("pk", filter=WRITTEN),
            sent=Count("pk", filter=WENT_OUT),
            replies=Count("pk", filter=REPLIED),
        )
        .order_by()
    }
    signatories = dict(
        Signatory.objects.filter(action=action, email_confirmed_at__isnull=False)
        .values("role")
        .annotate(count=Count("pk"))
        .values_list("role", "count")
        .order_by()
    )
    # The kinds supporters say they are, then the organisation's own people: campaigners
    # and partners with an account, whom `signatory_for_user` makes "campaigner" (each page
    # about one letter says what they are in the organisation: Signatory.role_label).
    campaigner = Signatory.Role.CAMPAIGNER
    kinds = [role for role in Signatory.Role if role != campaigner] + [campaigner]
    for role in kinds:
        row = letters.get(role.value, {})
        if not row and not signatories.get(role.value):
            continue
        label = role.label
        if role == campaigner:
            label = _("Campaigners and partners (with an account)")
        results.by_role.append(
            RoleResult(
                role=role.value,
                label=str(label),
                signatories=signatories.get(role.value, 0),
                **row,
            )
        )
    own = letters.get(None)
    if own and own["letters"]:
        results.by_role.append(
            RoleResult(role="", label=_organisation_label(action), signatories=None, **own)
        )


def action_results(action: LetterAction, *, today: dt.date | None = None) -> Results:
    """The numbers of one action: six queries."""
    today = today or timezone.localdate()
    results = Results(action=action)
    _totals(action, results, today)
    _by_target(action, results)
    _by_role(action, results)
    results.recent_replies = list(
        Letter.objects.filter(action=action)
        .exclude(reply_kind="")
        .select_related("target", "signatory")
        .order_by("-reply_received_on", "-reply_logged_at", "-pk")[:REPLIES_SHOWN]
    )
    for letter in results.recent_replies:
        letter.action = action
    return results
