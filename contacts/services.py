"""Writes to the directory: every create, update and merge goes through here.

Each write is atomic, validates the row (`full_clean`) before saving, refreshes the search
document of the people it touches and leaves an audit event. The directory is shared by the
whole deployment, so its audit events belong to no organisation; stance assessments belong to
the assessing organisation.

Also here: the timeline on a person's page, built from sources so later apps (meetings,
letters) add their own entries without this module knowing them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.db.models import Q
from django.forms import BaseModelFormSet
from django.http import HttpRequest
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from advocacy.models import AuditEvent, Membership, Organisation, Visibility
from advocacy.services import audit_record
from contacts.models import (
    Area,
    ContactPoint,
    DatePrecision,
    Institution,
    Person,
    Position,
    Post,
    StanceAssessment,
    Tag,
    format_precise_date,
)
from contacts.search import person_refresh_search

if TYPE_CHECKING:
    from advocacy.models import User
    from campaigns.models import Campaign


# Who may write


def editor_organisations(user) -> list[Organisation]:
    """Organisations where the user has a role that writes (not viewer)."""
    if not user.is_authenticated:
        return []
    return list(
        Organisation.objects.filter(
            memberships__user=user, memberships__role__in=Membership.EDITOR_ROLES
        )
    )


def can_edit_directory(user, organisations: Sequence[Organisation] | None = None) -> bool:
    """The shared directory is edited by anyone with an editor role in any organisation.

    Pass the user's editor organisations when already loaded, to save a query.
    """
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    if organisations is not None:
        return bool(organisations)
    return Membership.objects.filter(user=user, role__in=Membership.EDITOR_ROLES).exists()


def stance_assessor(
    *, campaign: Campaign, organisations: Sequence[Organisation]
) -> Organisation | None:
    """The organisation in whose name a user assesses targets for this campaign.

    The campaign's own organisation if the user edits there; for a campaign shared with the
    coalition, the user's organisation in that coalition (or the coalition itself). None when
    the user may not record stances for it. `organisations` are the user's editor ones.
    """
    by_id = {organisation.pk: organisation for organisation in organisations}
    if campaign.organisation_id in by_id:
        return by_id[campaign.organisation_id]
    if campaign.visibility != Visibility.COALITION:
        return None
    owner = campaign.organisation
    coalition_id = owner.pk if owner.is_coalition else owner.coalition_id
    if coalition_id is None:
        return None
    if coalition_id in by_id:
        return by_id[coalition_id]
    return next((o for o in organisations if o.coalition_id == coalition_id), None)


# Saving directory records


def _audit(
    *, action: str, actor: User, target: models.Model, detail: dict, request: HttpRequest | None
) -> None:
    audit_record(action=action, actor=actor, target=target, detail=detail, request=request)


def _save_related(formsets: Iterable[BaseModelFormSet], owner: models.Model) -> None:
    """Save validated inline formsets (other names, identifiers, links) for their owner."""
    for formset in formsets:
        formset.instance = owner
        formset.save()


@transaction.atomic
def person_create(
    *,
    person: Person,
    actor: User,
    tags: Iterable[Tag] = (),
    related: Iterable[BaseModelFormSet] = (),
    request: HttpRequest | None = None,
) -> Person:
    """Add a person, with tags and the rows of validated inline formsets."""
    person.full_clean()
    person.save()
    person.tags.set(tags)
    _save_related(related, person)
    person_refresh_search([person.pk])
    _audit(action=AuditEvent.Action.CREATED, actor=actor, target=person, detail={}, request=request)
    return person


@transaction.atomic
def person_update(
    *,
    person: Person,
    actor: User,
    tags: Iterable[Tag] | None = None,
    related: Iterable[BaseModelFormSet] = (),
    changed: Sequence[str] = (),
    request: HttpRequest | None = None,
) -> Person:
    person.full_clean()
    person.save()
    if tags is not None:
        person.tags.set(tags)
    _save_related(related, person)
    person_refresh_search([person.pk])
    _audit(
        action=AuditEvent.Action.UPDATED,
        actor=actor,
        target=person,
        detail={"fields": list(changed)},
        request=request,
    )
    return person


def _people_linked_to(institution: Institution | None = None, area: Area | None = None):
    """Ids of people whose search document names this institution (also as party) or area."""
    positions = Position.objects.all()
    if institution is not None:
        positions = positions.filter(Q(institution=institution) | Q(party=institution))
    if area is not None:
        positions = positions.filter(area=area)
    return positions.values_list("person_id", flat=True).distinct()


def _save(
    instance: models.Model,
    *,
    actor: User,
    changed: Sequence[str] | None,
    request: HttpRequest | None,
    detail: dict | None = None,
) -> None:
    """Validate, save and audit one directory row; `changed` is None for a new row."""
    instance.full_clean()
    instance.save()
    detail = dict(detail or {})
    if changed is not None:
        detail["fields"] = list(changed)
    _audit(
        action=AuditEvent.Action.CREATED if changed is None else AuditEvent.Action.UPDATED,
        actor=actor,
        target=instance,
        detail=detail,
        request=request,
    )


@transaction.atomic
def institution_create(
    *,
    institution: Institution,
    actor: User,
    tags: Iterable[Tag] = (),
    request: HttpRequest | None = None,
) -> Institution:
    _save(institution, actor=actor, changed=None, request=request)
    institution.tags.set(tags)
    return institution


@transaction.atomic
def institution_update(
    *,
    institution: Institution,
    actor: User,
    tags: Iterable[Tag] | None = None,
    changed: Sequence[str] = (),
    request: HttpRequest | None = None,
) -> Institution:
    """Save an institution; a new name reaches the search entries of its people."""
    _save(institution, actor=actor, changed=changed, request=request)
    if tags is not None:
        institution.tags.set(tags)
    if {"name", "short_name"} & set(changed):
        person_refresh_search(_people_linked_to(institution=institution))
    return institution


@transaction.atomic
def area_create(*, area: Area, actor: User, request: HttpRequest | None = None) -> Area:
    _save(area, actor=actor, changed=None, request=request)
    return area


@transaction.atomic
def area_update(
    *, area: Area, actor: User, changed: Sequence[str] = (), request: HttpRequest | None = None
) -> Area:
    _save(area, actor=actor, changed=changed, request=request)
    if "name" in changed:
        person_refresh_search(_people_linked_to(area=area))
    return area


def _lock_post(position: Position) -> None:
    # Two people taking the last seat of a post at once: the second waits for the first,
    # then the model check (Position.clean) sees the first one's position.
    if position.post_id:
        Post.objects.select_for_update().filter(pk=position.post_id).first()


@transaction.atomic
def position_create(
    *, position: Position, actor: User, request: HttpRequest | None = None
) -> Position:
    """Add a position. Its model check keeps a post within its seats and dates in order."""
    _lock_post(position)
    _save(
        position,
        actor=actor,
        changed=None,
        request=request,
        detail={"person": position.person_id},
    )
    person_refresh_search([position.person_id])
    return position


@transaction.atomic
def position_update(
    *,
    position: Position,
    actor: User,
    changed: Sequence[str] = (),
    request: HttpRequest | None = None,
) -> Position:
    _lock_post(position)
    _save(
        position,
        actor=actor,
        changed=changed,
        request=request,
        detail={"person": position.person_id},
    )
    person_refresh_search([position.person_id])
    return position


@transaction.atomic
def contact_point_create(
    *, contact_point: ContactPoint, actor: User, request: HttpRequest | None = None
) -> ContactPoint:
    _save(contact_point, actor=actor, changed=None, request=request)
    if contact_point.person_id:
        person_refresh_search([contact_point.person_id])
    return contact_point


@transaction.atomic
def contact_point_update(
    *,
    contact_point: ContactPoint,
    actor: User,
    changed: Sequence[str] = (),
    request: HttpRequest | None = None,
) -> ContactPoint:
    _save(contact_point, actor=actor, changed=changed, request=request)
    if contact_point.person_id:
        person_refresh_search([contact_point.person_id])
    return contact_point


@transaction.atomic
def tag_create(*, tag: Tag, actor: User, request: HttpRequest | None = None) -> Tag:
    _save(tag, actor=actor, changed=None, request=request)
    return tag


@transaction.atomic
def tag_update(
    *, tag: Tag, actor: User, changed: Sequence[str] = (), request: HttpRequest | None = None
) -> Tag:
    _save(tag, actor=actor, changed=changed, request=request)
    return tag


# Stance


@transaction.atomic
def stance_record(
    *,
    person: Person,
    campaign: Campaign,
    organisation: Organisation,
    actor: User,
    stance: str,
    influence: int | None = None,
    interest: str = "",
    evidence: str = "",
    evidence_url: str = "",
    note: str = "",
    visibility: str = Visibility.ORGANISATION,
    request: HttpRequest | None = None,
) -> StanceAssessment:
    """Add a stance assessment; the newest one is the current stance. Never edits old ones."""
    assessment = StanceAssessment(
        campaign=campaign,
        person=person,
        organisation=organisation,
        created_by=actor,
        visibility=visibility,
        stance=stance,
        influence=influence,
        interest=interest,
        evidence=evidence,
        evidence_url=evidence_url,
        note=note,
    )
    assessment.full_clean()
    assessment.save()
    audit_record(
        action=AuditEvent.Action.CREATED,
        actor=actor,
        organisation=organisation,
        target=assessment,
        detail={"campaign": campaign.pk, "person": person.pk, "stance": stance},
        request=request,
    )
    return assessment


# Merging two records of one person

# Scalar fields a merge lets the user choose between; languages are combined instead.
MERGE_FIELDS = [
    "honorific_prefix",
    "name",
    "given_name",
    "family_name",
    "sort_name",
    "honorific_suffix",
    "gender",
    "birth_date",
    "death_date",
    "image",
    "biography",
    "past_interests",
]


def _unique_field_sets(model: type[models.Model], field_name: str) -> list[list[str]]:
    """Unconditional uniqueness rules of a model that include the given field."""
    opts = model._meta
    sets = [list(fields) for fields in opts.unique_together]
    sets += [list(c.fields) for c in opts.total_unique_constraints]
    sets += [[f.name] for f in opts.local_fields if f.unique and not f.primary_key]
    return [fields for fields in sets if field_name in fields]


def _repoint(model: type[models.Model], field_name: str, keep: Person, duplicate: Person) -> int:
    """Move rows of `model` from the duplicate to the kept person.

    Where a uniqueness rule would be broken (both already linked to the same meeting, say),
    the duplicate's row says the same thing as the kept one's and is dropped.
    """
    manager = model._base_manager
    theirs = manager.filter(**{field_name: duplicate})
    for fields in _unique_field_sets(model, field_name):
        others = [f for f in fields if f != field_name]
        ours = manager.filter(**{field_name: keep})
        if not others:
            if ours.exists():
                theirs.delete()
            continue
        clash = Q(pk__in=[])
        for values in ours.values_list(*others):
            clash |= Q(**dict(zip(others, values, strict=True)))
        theirs.filter(clash).delete()
    return theirs.update(**{field_name: keep})


def _links_to_person() -> Iterator[tuple[type[models.Model], str, str]]:
    """Every (model, foreign key, label) that points at a person, found from the models so
    that relations added later (meeting attendees, letter targets) are merged too.

    Hidden relations count: the rows behind many-to-many fields (a person's tags, a meeting's
    attendees) are foreign keys of their through tables, and so are relations named "+".
    """
    for relation in Person._meta.get_fields(include_hidden=True):
        if relation.auto_created and not relation.concrete and not relation.many_to_many:
            model = relation.related_model
            yield model, relation.field.name, _link_label(model, relation.field.name)


def person_link_counts(person_ids: Sequence[int]) -> dict[int, list[tuple[str, int]]]:
    """For each person, how many rows of each kind point at them: what a merge moves."""
    counts: dict[int, list[tuple[str, int]]] = {pk: [] for pk in person_ids}
    for model, field_name, label in _links_to_person():
        rows = (
            model._base_manager.filter(**{f"{field_name}__in": person_ids})
            .values_list(field_name)
            .annotate(n=models.Count("pk"))
            .order_by()
        )
        for person_id, n in rows:
            counts[person_id].append((label, n))
    return counts


def _link_label(model: type[models.Model], field_name: str) -> str:
    if model._meta.auto_created:
        # A many-to-many's through table: name it after what it links to (tags).
        other = next(
            f for f in model._meta.fields if f.is_relation and f.related_model is not Person
        )
        return str(other.related_model._meta.verbose_name_plural)
    label = str(model._meta.verbose_name_plural)
    if field_name != "person":
        label += f" ({model._meta.get_field(field_name).verbose_name})"
    return label


@transaction.atomic
def person_merge(
    *,
    keep: Person,
    duplicate: Person,
    values: dict[str, Any],
    actor: User,
    request: HttpRequest | None = None,
) -> Person:
    """Fold `duplicate` into `keep`: every link of both is kept, then the duplicate goes.

    `values` holds the fields (from MERGE_FIELDS) whose duplicate value wins.
    """
    if keep.pk == duplicate.pk:
        raise ValueError("A person cannot be merged with themselves.")
    locked = {
        p.pk: p
        for p in Person.objects.select_for_update()
        .filter(pk__in=[keep.pk, duplicate.pk])
        .order_by("pk")
    }
    keep, duplicate = locked[keep.pk], locked[duplicate.pk]
    # An aide position between the two would make the merged person their own aide.
    Position.objects.filter(
        Q(person=keep, to_person=duplicate) | Q(person=duplicate, to_person=keep)
    ).update(to_person=None)
    moved = {}
    for model, field_name, label in _links_to_person():
        count = _repoint(model, field_name, keep, duplicate)
        if count:
            moved[label] = moved.get(label, 0) + count
    for name, value in values.items():
        if name in MERGE_FIELDS:
            setattr(keep, name, value)
    keep.languages = list(dict.fromkeys([*keep.languages, *duplicate.languages]))
    keep.full_clean()
    keep.save()
    merged = {"id": duplicate.pk, "name": duplicate.name}
    duplicate.delete()
    person_refresh_search([keep.pk])
    _audit(
        action=AuditEvent.Action.UPDATED,
        actor=actor,
        target=keep,
        detail={"merged": merged, "fields": sorted(values), "moved": moved},
        request=request,
    )
    return keep


# The timeline on a person's page


@dataclass(frozen=True)
class TimelineEntry:
    """One dated thing that happened with a person. `when` is a date (with its precision)
    or an aware datetime; `kind` names the source so templates can mark it."""

    when: dt.date | dt.datetime
    kind: str
    title: str
    detail: str = ""
    url: str = ""
    precision: str = DatePrecision.DAY

    @property
    def sort_key(self) -> tuple[dt.date, dt.time]:
        if isinstance(self.when, dt.datetime):
            local = timezone.localtime(self.when)
            return local.date(), local.time()
        return self.when, dt.time.min

    @property
    def when_label(self) -> str:
        if isinstance(self.when, dt.datetime):
            return formats.date_format(timezone.localtime(self.when), "DATE_FORMAT")
        return format_precise_date(self.when, self.precision)


def position_entries(
    positions: Iterable[Position], on: dt.date | None = None
) -> Iterator[TimelineEntry]:
    """A start for every position, and an end for those that have ended."""
    on = on or timezone.localdate()
    for position in positions:
        names = {"title": position.title or _("member"), "institution": position.institution}
        url = position.institution.get_absolute_url()
        if position.start_date:
            yield TimelineEntry(
                when=position.start_date,
                precision=position.start_precision,
                kind="position_start",
                title=_("Became %(title)s, %(institution)s") % names,
                url=url,
            )
        if position.end_date and position.end_date <= on:
            yield TimelineEntry(
                when=position.end_date,
                precision=position.end_precision,
                kind="position_end",
                title=_("Left %(title)s, %(institution)s") % names,
                url=url,
            )


def stance_entries(assessments: Iterable[StanceAssessment]) -> Iterator[TimelineEntry]:
    """One entry per stance assessment the reader may see (filter them before)."""
    for assessment in assessments:
        yield TimelineEntry(
            when=assessment.assessed_at,
            kind="stance",
            title=_("%(campaign)s: %(stance)s")
            % {"campaign": assessment.campaign, "stance": assessment.get_stance_display()},
            detail=assessment.note,
        )


# What other apps know about a person (meetings held, letters sent and replies): each adds a
# function of (person, user) yielding TimelineEntry in its AppConfig.ready(), so the
# directory never imports them. Each must show only what the user may see, in one query.
TIMELINE_SOURCES: list[Callable[..., Iterable[TimelineEntry]]] = []


def timeline(*sources: Iterable[TimelineEntry], limit: int | None = None) -> list[TimelineEntry]:
    """Entries from every source, newest first."""
    entries = sorted(
        (entry for source in sources for entry in source), key=lambda e: e.sort_key, reverse=True
    )
    return entries[:limit] if limit else entries
