"""Follow-ups: "My follow-ups" (open ones, overdue first, and those done lately), marking
one done, and changing its owner or date."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from advocacy.models import Membership
from meetings import forms, services
from meetings.models import FollowUp

# "Done recently" on the follow-ups page reaches this far back.
RECENT = dt.timedelta(days=14)
RECENT_LIMIT = 20


def _get_follow_up_for_user(request: HttpRequest, pk: int) -> FollowUp:
    """A follow-up its owner or an editor of its organisation may change."""
    editing = Membership.objects.filter(user=request.user, role__in=Membership.EDITOR_ROLES).values(
        "organisation"
    )
    return get_object_or_404(
        FollowUp.objects.for_list().filter(Q(owner=request.user) | Q(organisation__in=editing)),
        pk=pk,
    )


def _next_url(request: HttpRequest, default: str) -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return default


@login_required
def follow_up_list(request: HttpRequest) -> HttpResponse:
    mine = FollowUp.objects.filter(owner=request.user).for_list()
    context = {
        "open": list(mine.open_first()),
        "done": list(mine.done_since(timezone.now() - RECENT).order_by("-done_at")[:RECENT_LIMIT]),
    }
    return render(request, "meetings/follow_up_list.html", context)


@login_required
@require_POST
def follow_up_done(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark done (or open again): htmx swaps the row, a plain form goes back."""
    follow_up = _get_follow_up_for_user(request, pk)
    done = request.POST.get("done") == "1"
    services.follow_up_set_done(follow_up=follow_up, done=done)
    if request.htmx:
        context = {"follow_up": follow_up, "next": request.POST.get("next", "")}
        return render(request, "meetings/follow_up_list.html#follow-up-row", context)
    messages.success(request, _("Done.") if done else _("Open again."))
    return redirect(_next_url(request, "meetings:follow_ups"))


@login_required
def follow_up_update(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = _get_follow_up_for_user(request, pk)
    form = forms.FollowUpEditForm(request.POST or None, instance=follow_up)
    if request.method == "POST" and form.is_valid():
        services.follow_up_save(follow_up=form.save(commit=False), user=request.user)
        messages.success(request, _("Follow-up saved."))
        return redirect(_next_url(request, "meetings:follow_ups"))
    status = 400 if form.is_bound and form.errors else 200
    context = {"form": form, "follow_up": follow_up, "next": _next_url(request, "")}
    return render(request, "meetings/follow_up_form.html", context, status=status)


@login_required
@require_POST
def follow_up_delete(request: HttpRequest, pk: int) -> HttpResponse:
    follow_up = _get_follow_up_for_user(request, pk)
    services.follow_up_delete(follow_up=follow_up)
    messages.success(request, _("Follow-up deleted."))
    return redirect(_next_url(request, "meetings:follow_ups"))


urlpatterns: list[URLPattern] = [
    path("follow-ups/", follow_up_list, name="follow_ups"),
    path("follow-ups/<int:pk>/done/", follow_up_done, name="follow_up_done"),
    path("follow-ups/<int:pk>/edit/", follow_up_update, name="follow_up_update"),
    path("follow-ups/<int:pk>/delete/", follow_up_delete, name="follow_up_delete"),
]
