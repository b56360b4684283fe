"""Who sees what of a meeting.

The visibility rule (advocacy.models.VisibleQuerySet) says who sees a meeting at all. Within
that, the notes, the questions, the checklist and the dossier are internal: for members of
the meeting's organisation and its author. Everyone else who sees it (a partner in the
coalition, for a meeting shared with the coalition) gets the shared view, which is the
outcome report. A report shared with the coalition is readable by its members even when the
meeting itself is not.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from advocacy.models import Membership, coalitions_of
from meetings.models import Meeting


@dataclass(frozen=True)
class Access:
    internal: bool
    can_edit: bool


def meeting_access(user, meeting: Meeting) -> Access:
    """What the user may do with a meeting they can see. One query."""
    if meeting.created_by_id == user.pk:
        return Access(internal=True, can_edit=True)
    role = (
        Membership.objects.filter(user=user, organisation_id=meeting.organisation_id)
        .values_list("role", flat=True)
        .first()
    )
    return Access(internal=role is not None, can_edit=role in Membership.EDITOR_ROLES)


def reports_visible_to(user, meetings: QuerySet[Meeting] | None = None) -> QuerySet[Meeting]:
    """Meetings whose outcome report the user may read: those they see, and those shared
    with a coalition they take part in."""
    meetings = Meeting.objects.all() if meetings is None else meetings
    if not user.is_authenticated:
        return meetings.none()
    coalitions = coalitions_of(user)
    shared = Q(shared_report_at__isnull=False) & (
        Q(organisation__coalition__in=coalitions) | Q(organisation__in=coalitions)
    )
    return meetings.filter(Q(pk__in=Meeting.objects.visible_to(user).values("pk")) | shared)


def get_meeting(user, pk: int, queryset: QuerySet[Meeting] | None = None) -> Meeting:
    queryset = Meeting.objects.all() if queryset is None else queryset
    meeting = queryset.visible_to(user).filter(pk=pk).first()
    if meeting is None:
        raise Http404
    return meeting
