"""Writes that span campaign models, and the queries other apps reuse."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from advocacy.models import Organisation, User, Visibility
from campaigns.models import Campaign, CampaignMember, TreatyStatus, TreatyStatusChange
from contacts.models import Country


def treaty_statuses_for_country(country: Country | str) -> list[TreatyStatus]:
    """Where a country stands with every treaty we follow, for its page: one query."""
    code = country.code if isinstance(country, Country) else country
    return list(
        TreatyStatus.objects.filter(country_id=code.upper())
        .select_related("treaty")
        .order_by("treaty__name")
    )


def campaign_audience(
    *, organisation: Organisation, visibility: str, author: User | None
) -> QuerySet[User]:
    """Who can see a campaign with these settings: the people its team may be drawn from."""
    reach = audience_filter(organisation=organisation, visibility=visibility, author=author)
    return User.objects.filter(reach).distinct()


def audience_filter(*, organisation: Organisation, visibility: str, author: User | None) -> Q:
    """campaign_audience as a filter on users, to combine several. The same rule as
    VisibleQuerySet.visible_to, seen from the other side."""
    reach = Q(pk=author.pk) if author is not None else Q(pk__in=[])
    if visibility == Visibility.PRIVATE:
        return reach
    reach |= Q(memberships__organisation=organisation)
    if visibility == Visibility.COALITION:
        coalition_id = organisation.pk if organisation.is_coalition else organisation.coalition_id
        if coalition_id:
            reach |= Q(memberships__organisation_id=coalition_id)
            reach |= Q(memberships__organisation__coalition_id=coalition_id)
    return reach


@transaction.atomic
def campaign_save(*, form, formsets: list, user: User) -> Campaign:
    """Save a campaign form and the row formsets sent with it. A new campaign's author
    leads it unless the team named a lead."""
    creating = form.instance.pk is None
    if creating:
        form.instance.created_by = user
    campaign = form.save()
    for formset in formsets:
        formset.instance = campaign
        formset.save()
        _renumber(formset)
    if creating and not campaign.members.filter(role=CampaignMember.Role.LEAD).exists():
        CampaignMember.objects.update_or_create(
            campaign=campaign, user=user, defaults={"role": CampaignMember.Role.LEAD}
        )
    return campaign


def _renumber(formset) -> None:
    """Rows keep the order they have on the form."""
    if "position" not in {f.name for f in formset.model._meta.fields}:
        return
    deleted = {id(form) for form in formset.deleted_forms}
    kept = [form.instance for form in formset.forms if form.instance.pk and id(form) not in deleted]
    moved = []
    for position, row in enumerate(kept):
        if row.position != position:
            row.position = position
            moved.append(row)
    formset.model.objects.bulk_update(moved, ["position"])


@transaction.atomic
def treaty_status_save(
    *,
    status: TreatyStatus,
    changed_by: User | None,
    changed_on: dt.date | None = None,
    note: str = "",
    source: str = "",
) -> TreatyStatusChange | None:
    """Save a country's status with a treaty; a new status or decision stage goes into its
    history, dated `changed_on` (today by default). Returns the history entry, if any."""
    before = (
        TreatyStatus.objects.filter(pk=status.pk).values_list("status", "stage").first()
        if status.pk
        else None
    )
    status.full_clean()
    status.save()
    if before == (status.status, status.stage):
        return None
    return TreatyStatusChange.objects.create(
        treaty_status=status,
        status=status.status,
        stage=status.stage,
        changed_on=changed_on or timezone.localdate(),
        changed_by=changed_by,
        note=note,
        source=source,
    )
