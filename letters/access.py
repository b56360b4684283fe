"""Who may see and who may change a letter action.

Whoever sees the action (advocacy.models.VisibleQuerySet) reads it, its letters and its
results; its editors (`LetterAction.objects.editable_by`) change it, launch it, download
its letters and the signatories, and log replies. Others get 404; those who only read it
get 403 where editing is asked for.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from letters.models import LetterAction


def can_edit(user, action: LetterAction) -> bool:
    """Whether the user may change the action. One query."""
    return LetterAction.objects.editable_by(user).filter(pk=action.pk).exists()


def get_visible(user, pk: int, *, queryset: QuerySet[LetterAction] | None = None) -> LetterAction:
    """The action if the user may see it (404 otherwise), with its campaign and
    organisation, without asking whether they may edit it. One query."""
    actions = queryset if queryset is not None else LetterAction.objects.all()
    return get_object_or_404(
        actions.visible_to(user).select_related("campaign", "organisation"), pk=pk
    )


def get_action(
    user, pk: int, *, edit: bool = False, queryset: QuerySet[LetterAction] | None = None
) -> LetterAction:
    """The action if the user may see it (404 otherwise), with its campaign and
    organisation and `can_edit` set; with `edit`, 403 for those who only read it (viewers,
    partners)."""
    action = get_visible(user, pk, queryset=queryset)
    action.can_edit = can_edit(user, action)
    if edit and not action.can_edit:
        raise PermissionDenied
    return action
