"""The prep checklist: ticking a meeting's items, and the organisation's template that
admins and coordinators edit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from advocacy.models import Membership, Organisation
from meetings import access, forms, services
from meetings.models import ChecklistItem, ChecklistTemplateItem, Meeting

# Who may change an organisation's checklist; everyone ticks their meetings' copies.
TEMPLATE_EDITORS = (Membership.Role.ADMIN, Membership.Role.COORDINATOR)


@login_required
@require_POST
def checklist_tick(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """Tick or untick one item: htmx swaps the checklist, a plain form reloads the page."""
    meeting = access.get_meeting(request.user, pk)
    if not access.meeting_access(request.user, meeting).can_edit:
        raise PermissionDenied
    item = get_object_or_404(ChecklistItem, pk=item_pk, meeting=meeting)
    services.checklist_item_set(item=item, user=request.user, done=request.POST.get("done") == "1")
    if not request.htmx:
        return redirect(reverse("meetings:detail", args=[pk]) + "#checklist")
    meeting = Meeting.objects.prefetch_related("checklist").get(pk=pk)
    context = {"meeting": meeting, "access": access.Access(internal=True, can_edit=True)}
    return render(request, "meetings/meeting_detail.html#checklist", context)


def _get_organisation_for_editor(request: HttpRequest, slug: str) -> Organisation:
    membership = get_object_or_404(
        Membership.objects.select_related("organisation"),
        organisation__slug=slug,
        user=request.user,
    )
    if membership.role not in TEMPLATE_EDITORS:
        raise PermissionDenied
    return membership.organisation


@login_required
def checklist_template(request: HttpRequest, slug: str) -> HttpResponse:
    """The organisation's prep checklist: add, remove and reorder items. Meetings planned
    from now on get the new list; those already planned keep theirs."""
    organisation = _get_organisation_for_editor(request, slug)
    template = services.checklist_template_for(organisation=organisation)
    form = forms.ChecklistItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.checklist_template_add(template=template, text=form.cleaned_data["text"])
        messages.success(request, _("Item added."))
        return redirect("meetings:checklist_template", slug=slug)
    context = {
        "organisation": organisation,
        "template": template,
        "items": list(template.items.all()),
        "form": form,
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "meetings/checklist_template.html", context, status=status)


@login_required
@require_POST
def checklist_template_item(request: HttpRequest, slug: str, item_pk: int) -> HttpResponse:
    """Move an item up or down, or remove it."""
    organisation = _get_organisation_for_editor(request, slug)
    item = get_object_or_404(
        ChecklistTemplateItem.objects.select_related("template"),
        pk=item_pk,
        template__organisation=organisation,
    )
    action = request.POST.get("action")
    if action == "remove":
        services.checklist_template_remove(item=item)
        messages.success(request, _("Item removed."))
    elif action in ("up", "down"):
        services.checklist_template_move(item=item, by=-1 if action == "up" else 1)
    return redirect("meetings:checklist_template", slug=slug)


urlpatterns: list[URLPattern] = [
    path("<int:pk>/checklist/<int:item_pk>/", checklist_tick, name="checklist_tick"),
    path("checklist/<slug:slug>/", checklist_template, name="checklist_template"),
    path(
        "checklist/<slug:slug>/items/<int:item_pk>/",
        checklist_template_item,
        name="checklist_template_item",
    ),
]
