"""An action's targets: the directory's filters applied to it, and single people added,
removed or given another time zone.

The filter is kept on the action as a query string (`target_query`, as
`DirectoryFilterForm.query()` writes it) so the coordinator finds it again; applying it
makes `ActionTarget` rows, each with the time zone its letters arrive in: the zone of the
capital of the country where the person holds the seat (advocacy.zones).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext as _

from advocacy.models import AuditEvent, User
from advocacy.services import audit_record
from advocacy.zones import country_time_zone
from contacts.filters import DirectoryFilterForm
from contacts.models import ContactPoint, Person, Position
from letters import merge
from letters.models import ActionTarget, Letter, LetterAction

# How many people the filter's preview lists under its count.
PREVIEW_SIZE = 50


def _audit(action: LetterAction, *, user: User, detail: dict, request: HttpRequest | None) -> None:
    audit_record(
        action=AuditEvent.Action.UPDATED,
        actor=user,
        organisation=action.organisation,
        target=action,
        detail={"targets": detail},
        request=request,
    )


def _check_changeable(action: LetterAction) -> None:
    # Targets change before launch only: launching schedules letters to them.
    if not action.is_changeable:
        raise ValidationError(
            _("The targets can't change once the action is launched; take it back first.")
        )


# The filter ------------------------------------------------------------------------------


def filter_form(action: LetterAction, data: QueryDict | None, *, user: User) -> DirectoryFilterForm:
    """The directory's filter form, bound to `data` when the coordinator is choosing, or to
    the action's saved filter."""
    if not data:
        data = QueryDict(action.target_query)
    return DirectoryFilterForm(data, user=user)


@dataclass
class Preview:
    count: int
    people: list[Person]
    query: str
    # How many of those found are not targets yet: what "Add" would add.
    new: int = 0

    @property
    def more(self) -> int:
        return max(0, self.count - len(self.people))


def preview(form: DirectoryFilterForm, action: LetterAction) -> Preview:
    """How many people the filter finds, how many of them are not targets yet, and the
    first PREVIEW_SIZE of them, each with `is_target` set: two queries and the form's own."""
    people = form.people()
    is_target = Exists(ActionTarget.objects.filter(action=action, person=OuterRef("pk")))
    totals = people.order_by().aggregate(count=Count("pk"), new=Count("pk", filter=~Q(is_target)))
    shown = list(people.annotate(is_target=is_target).with_current_positions()[:PREVIEW_SIZE])
    return Preview(
        count=totals["count"], people=shown, query=form.query(page=""), new=totals["new"]
    )


def _time_zones(person_ids: list[int], country: str | None = None) -> dict[int, str]:
    """Each person's time zone: that of `country` when the filter names one (the seat it
    chose them for), else that of the country of their most telling current position."""
    if country:
        zone = country_time_zone(country)
        return dict.fromkeys(person_ids, zone)
    positions: dict[int, list[Position]] = {pk: [] for pk in person_ids}
    rows = (
        Position.objects.current()
        .filter(person__in=person_ids, to_person__isnull=True)
        .select_related("institution", "area")
        .only("person_id", "institution__kind", "institution__country_id", "area__country_id")
        .order_by("pk")
    )
    for position in rows:
        positions[position.person_id].append(position)
    return {pk: country_time_zone(_country_of(held)) for pk, held in positions.items()}


def _country_of(held: list[Position]) -> str | None:
    best = merge.best_position(held)
    for position in ([best] if best else []) + held:
        code = position.institution.country_id or (position.area and position.area.country_id)
        if code:
            return code
    return None


@dataclass
class Applied:
    added: int
    removed: int
    kept: int


def _written_to(action: LetterAction) -> QuerySet[Letter]:
    """Letters that make a target stay: anything but an unfinished draft."""
    return Letter.objects.filter(action=action).exclude(state=Letter.State.DRAFT)


@transaction.atomic
def targets_apply(
    *,
    action: LetterAction,
    form: DirectoryFilterForm,
    replace: bool,
    user: User,
    request: HttpRequest | None = None,
) -> Applied:
    """Save the filter on the action and make its people targets. With `replace`, targets
    the filter no longer finds are removed, except those somebody already wrote to."""
    _check_changeable(action)
    action.target_query = form.query(page="")
    action.save(update_fields=["target_query", "updated_at"])
    found = set(form.people().order_by().values_list("pk", flat=True))
    existing = set(ActionTarget.objects.filter(action=action).values_list("person_id", flat=True))
    new = sorted(found - existing)
    country = form.cleaned_data.get("country")
    zones = _time_zones(new, country.code if country else None)
    ActionTarget.objects.bulk_create(
        [ActionTarget(action=action, person_id=pk, time_zone=zones[pk]) for pk in new],
        ignore_conflicts=True,
        batch_size=1000,
    )
    removed = kept = 0
    if replace:
        gone = ActionTarget.objects.filter(action=action).exclude(person__in=found)
        stay = gone.filter(person__in=_written_to(action).values("target"))
        kept = stay.count()
        removed, _detail = gone.exclude(pk__in=stay.values("pk")).delete()
    detail = {"filter": action.target_query, "added": len(new), "removed": removed}
    _audit(action, user=user, detail=detail, request=request)
    return Applied(added=len(new), removed=removed, kept=kept)


@transaction.atomic
def target_add(
    *, action: LetterAction, person: Person, user: User, request: HttpRequest | None = None
) -> ActionTarget:
    _check_changeable(action)
    zone = _time_zones([person.pk])[person.pk]
    target, created = ActionTarget.objects.get_or_create(
        action=action, person=person, defaults={"time_zone": zone}
    )
    if created:
        _audit(action, user=user, detail={"added": [person.pk]}, request=request)
    return target


@transaction.atomic
def target_remove(*, target: ActionTarget, user: User, request: HttpRequest | None = None) -> None:
    _check_changeable(target.action)
    if _written_to(target.action).filter(target=target.person_id).exists():
        raise ValidationError(
            _("Somebody has written to %(name)s already; their letter stays, so do they.")
            % {"name": target.person.name}
        )
    target.delete()
    _audit(target.action, user=user, detail={"removed": [target.person_id]}, request=request)


def target_update(*, target: ActionTarget, time_zone: str, assigned_to: User | None) -> None:
    target.time_zone = time_zone
    target.assigned_to = assigned_to
    target.save(update_fields=["time_zone", "assigned_to"])


# The list of targets ---------------------------------------------------------------------


@dataclass
class Aide:
    name: str
    has_email: bool


def _current_emails() -> QuerySet[ContactPoint]:
    """Email addresses valid today, as delivery finds them (delivery.current_emails)."""
    return ContactPoint.objects.current().filter(kind=ContactPoint.Kind.EMAIL).exclude(value="")


def targets_for_list(action: LetterAction, *, unwritten: bool = False) -> QuerySet[ActionTarget]:
    """The action's targets with their person, assignee, whether they have an email address
    and whether they have a letter (`has_letter`: anything but an unfinished draft, as
    services.target_counts counts them): one query, however many. With `unwritten`, only
    those without a letter."""
    email = _current_emails().filter(person=OuterRef("person"))
    letter = _written_to(action).filter(target=OuterRef("person_id"))
    rows = (
        ActionTarget.objects.filter(action=action)
        .select_related("person", "assigned_to")
        .annotate(has_email=Exists(email), has_letter=Exists(letter))
        .order_by("person__sort_name", "person__name", "pk")
    )
    return rows.filter(has_letter=False) if unwritten else rows


def left_out(action: LetterAction, form: DirectoryFilterForm) -> Applied:
    """What "make these the targets" would do to the targets the filter does not find:
    `removed` (nobody wrote to them) and `kept` (somebody did, so they stay), as
    targets_apply with `replace` does it. One query."""
    written = _written_to(action).filter(target=OuterRef("person_id"))
    counts = (
        ActionTarget.objects.filter(action=action)
        .exclude(person__in=form.people().order_by().values("pk"))
        .aggregate(
            removed=Count("pk", filter=~Q(Exists(written))),
            kept=Count("pk", filter=Q(Exists(written))),
        )
    )
    return Applied(added=0, removed=counts["removed"], kept=counts["kept"])


def aides_of(people: Iterable[int]) -> dict[int, list[Aide]]:
    """The current aides of each person (by id), with whether they have an email address
    and so get a copy: one query."""
    email = _current_emails().filter(person=OuterRef("person"))
    rows = (
        Position.objects.current()
        .filter(to_person__in=list(people))
        .annotate(has_email=Exists(email))
        .select_related("person")
        .only("to_person_id", "person__name")
        .order_by("person__sort_name", "person__name")
    )
    aides: dict[int, list[Aide]] = {}
    for position in rows:
        aides.setdefault(position.to_person_id, []).append(
            Aide(position.person.name, position.has_email)
        )
    return aides
