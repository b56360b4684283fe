"""Reminder rules of a campaign, one's own reminders, relationships to keep warm, "remind me"."""

from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from advocacy.models import Membership
from campaigns import forms, reminders
from campaigns.models import Campaign, Relationship, Reminder, ReminderRule

# Who may change a campaign's reminder rules; everyone who sees the campaign may read them.
RULE_EDITORS = (Membership.Role.ADMIN, Membership.Role.COORDINATOR)
# Records without a visibility rule that anyone signed in may be reminded about: the
# directory of public officials is shared by the whole deployment.
SHARED_APPS = {"contacts"}


def _get_campaign_for_user(request: HttpRequest, pk: int) -> tuple[Campaign, bool]:
    """The campaign if the user can see it, and whether they may edit its reminder rules."""
    campaign = get_object_or_404(
        Campaign.objects.visible_to(request.user).select_related("organisation", "treaty"), pk=pk
    )
    can_edit = Membership.objects.filter(
        user=request.user, organisation_id=campaign.organisation_id, role__in=RULE_EDITORS
    ).exists()
    return campaign, can_edit


def _get_rule_for_editor(request: HttpRequest, pk: int, rule_pk: int) -> ReminderRule:
    campaign, can_edit = _get_campaign_for_user(request, pk)
    if not can_edit:
        raise PermissionDenied
    return get_object_or_404(campaign.reminder_rules.select_related("campaign"), pk=rule_pk)


def _next_url(request: HttpRequest, default: str) -> str:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return default


# Rules -------------------------------------------------------------------------------------


@login_required
def reminder_rule_list(request: HttpRequest, pk: int) -> HttpResponse:
    campaign, can_edit = _get_campaign_for_user(request, pk)
    rules = campaign.reminder_rules.annotate(
        planned=Count("reminders", filter=Q(reminders__state=Reminder.State.PENDING))
    )
    failed = Reminder.objects.none()
    if can_edit:
        failed = Reminder.objects.filter(
            rule__campaign=campaign, state=Reminder.State.FAILED
        ).select_related("recipient")[:50]
    context = {
        "campaign": campaign,
        "can_edit": can_edit,
        "rules": rules,
        "failed": failed,
        "can_add_defaults": can_edit and campaign.treaty_id is not None,
    }
    return render(request, "campaigns/reminders/rule_list.html", context)


def _rule_form(request: HttpRequest, campaign: Campaign, rule: ReminderRule) -> HttpResponse:
    form = forms.ReminderRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        reminders.reminder_rule_save(rule=form.save(commit=False), user=request.user)
        messages.success(request, _("Rule saved. Its reminders are being planned."))
        return redirect("campaigns:reminder_rule_list", campaign.pk)
    return render(
        request,
        "campaigns/reminders/rule_form.html",
        {"form": form, "campaign": campaign, "rule": rule},
        status=400 if form.errors else 200,
    )


@login_required
def reminder_rule_create(request: HttpRequest, pk: int) -> HttpResponse:
    campaign, can_edit = _get_campaign_for_user(request, pk)
    if not can_edit:
        raise PermissionDenied
    return _rule_form(request, campaign, ReminderRule(campaign=campaign))


@login_required
def reminder_rule_update(request: HttpRequest, pk: int, rule_pk: int) -> HttpResponse:
    rule = _get_rule_for_editor(request, pk, rule_pk)
    return _rule_form(request, rule.campaign, rule)


@login_required
def reminder_rule_delete(request: HttpRequest, pk: int, rule_pk: int) -> HttpResponse:
    rule = _get_rule_for_editor(request, pk, rule_pk)
    if request.method == "POST":
        reminders.reminder_rule_delete(rule=rule)
        messages.success(request, _("Rule deleted; its reminders will not be sent."))
        return redirect("campaigns:reminder_rule_list", pk)
    return render(request, "campaigns/reminders/rule_confirm_delete.html", {"rule": rule})


@login_required
@require_POST
def reminder_rule_defaults(request: HttpRequest, pk: int) -> HttpResponse:
    campaign, can_edit = _get_campaign_for_user(request, pk)
    if not can_edit:
        raise PermissionDenied
    created = reminders.reminder_rules_create_defaults(campaign=campaign, created_by=request.user)
    if created:
        messages.success(request, _("The treaty calendar's rules are added."))
    else:
        messages.info(request, _("This campaign already has the treaty calendar's rules."))
    return redirect("campaigns:reminder_rule_list", pk)


# One's own reminders -----------------------------------------------------------------------


@login_required
def reminder_list(request: HttpRequest) -> HttpResponse:
    own = Reminder.objects.filter(recipient=request.user)
    context = {
        "upcoming": own.filter(state=Reminder.State.PENDING, due_at__gte=timezone.now())[:30],
        "failed": own.filter(state=Reminder.State.FAILED),
        "sent": own.filter(state=Reminder.State.SENT).order_by("-sent_at")[:10],
    }
    return render(request, "campaigns/reminders/reminder_list.html", context)


def _may_retry(request: HttpRequest, reminder: Reminder) -> bool:
    if reminder.recipient_id == request.user.pk:
        return True
    rule = reminder.rule
    return rule is not None and (
        Membership.objects.filter(
            user=request.user, organisation_id=rule.organisation_id, role__in=RULE_EDITORS
        ).exists()
    )


@login_required
@require_POST
def reminder_retry(request: HttpRequest, pk: int) -> HttpResponse:
    reminder = get_object_or_404(Reminder.objects.select_related("rule"), pk=pk)
    if not _may_retry(request, reminder):
        raise Http404
    if reminders.reminder_retry(reminder=reminder):
        messages.success(request, _("The reminder will be sent again within a minute."))
    return redirect(_next_url(request, "campaigns:reminder_list"))


@login_required
@require_POST
def reminder_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    # Only one's own "remind me" requests: planning would bring a rule's reminder back.
    reminder = get_object_or_404(Reminder, pk=pk, recipient=request.user, kind=Reminder.Kind.CUSTOM)
    reminders.reminder_cancel(source_key=reminder.source_key, recipient=request.user)
    messages.success(request, _("Reminder cancelled."))
    return redirect(_next_url(request, "campaigns:reminder_list"))


# "Remind me" on any record -----------------------------------------------------------------


def _remindable(request: HttpRequest, content_type: str, object_id: str) -> models.Model:
    """The record, if the user may see it; 404 otherwise, so nothing is revealed."""
    try:
        model = apps.get_model(content_type)
    except (LookupError, ValueError) as error:
        raise Http404 from error
    manager = model._default_manager
    if hasattr(manager, "visible_to"):
        records = manager.visible_to(request.user)
    elif model._meta.app_label in SHARED_APPS:
        records = manager.all()
    else:
        raise Http404
    try:
        return records.get(pk=object_id)
    except (model.DoesNotExist, ValueError, TypeError) as error:
        raise Http404 from error


@login_required
@require_POST
def remind_me(request: HttpRequest) -> HttpResponse:
    form = forms.RemindMeForm.for_record(
        request.POST.get("content_type", ""), request.POST.get("object_id", ""), request.POST
    )
    if form.is_valid():
        data = form.cleaned_data
        target = _remindable(request, data["content_type"], data["object_id"])
        reminders.reminder_remind_me(
            user=request.user, target=target, due_at=data["due_at"], note=data["note"]
        )
    context = {
        "form": form,
        "done": form.is_valid(),
        "next": _next_url(request, ""),
        "content_type": request.POST.get("content_type", ""),
        "object_id": request.POST.get("object_id", ""),
    }
    if request.htmx:
        return render(request, "campaigns/reminders/remind-me.html", context)
    if form.is_valid():
        when = timezone.localtime(form.cleaned_data["due_at"])
        messages.success(
            request,
            _("We will remind you on %(when)s.") % {"when": when.strftime("%Y-%m-%d %H:%M")},
        )
        return redirect(_next_url(request, "campaigns:reminder_list"))
    return render(request, "campaigns/reminders/remind_me_form.html", context, status=400)


# Relationships -----------------------------------------------------------------------------


@login_required
def relationship_list(request: HttpRequest) -> HttpResponse:
    relationships = list(
        Relationship.objects.filter(owner=request.user).select_related("person", "campaign")
    )
    today = timezone.localdate()
    rows = []
    for relationship in relationships:
        relationship.owner = request.user  # saves a query per row
        quiet_since = reminders.relationship_quiet_since(relationship)
        rows.append(
            {
                "relationship": relationship,
                "quiet_since": quiet_since,
                "is_quiet": quiet_since <= today,
            }
        )
    rows.sort(key=lambda row: row["quiet_since"])
    return render(request, "campaigns/reminders/relationship_list.html", {"rows": rows})


def _relationship_form(
    request: HttpRequest, relationship: Relationship, initial: dict | None = None
) -> HttpResponse:
    form = forms.RelationshipForm(
        request.POST or None, instance=relationship, initial=initial, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        relationship = form.save(commit=False)
        relationship.owner = request.user
        existing = Relationship.objects.filter(owner=request.user, person=relationship.person)
        if relationship.pk is None and existing.exists():
            messages.info(request, _("You already keep in touch with this person."))
            return redirect("campaigns:relationship_update", existing.get().pk)
        reminders.relationship_save(relationship=relationship)
        messages.success(request, _("Saved. We will remind you when it goes quiet."))
        return redirect("campaigns:relationship_list")
    return render(
        request,
        "campaigns/reminders/relationship_form.html",
        {"form": form, "relationship": relationship},
        status=400 if form.errors else 200,
    )


@login_required
def relationship_create(request: HttpRequest) -> HttpResponse:
    from contacts.models import Person

    person_id = request.POST.get("person") or request.GET.get("person")
    person = Person.objects.filter(pk=person_id).first() if str(person_id).isdigit() else None
    if person is None:
        messages.info(
            request, _("Open a person's page in the directory to keep in touch with them.")
        )
        return redirect("campaigns:relationship_list")
    existing = Relationship.objects.filter(owner=request.user, person=person).first()
    if existing is not None:
        return redirect("campaigns:relationship_update", existing.pk)
    relationship = Relationship(owner=request.user, person=person)
    return _relationship_form(request, relationship, initial={"person": person.pk})


@login_required
def relationship_update(request: HttpRequest, pk: int) -> HttpResponse:
    relationship = get_object_or_404(
        Relationship.objects.select_related("person"), pk=pk, owner=request.user
    )
    return _relationship_form(request, relationship)


@login_required
@require_POST
def relationship_delete(request: HttpRequest, pk: int) -> HttpResponse:
    relationship = get_object_or_404(Relationship, pk=pk, owner=request.user)
    reminders.relationship_delete(relationship=relationship)
    messages.success(request, _("You will no longer be reminded about this person."))
    return redirect("campaigns:relationship_list")


urlpatterns: list[URLPattern] = [
    path("<int:pk>/reminder-rules/", reminder_rule_list, name="reminder_rule_list"),
    path("<int:pk>/reminder-rules/new/", reminder_rule_create, name="reminder_rule_create"),
    path(
        "<int:pk>/reminder-rules/defaults/", reminder_rule_defaults, name="reminder_rule_defaults"
    ),
    path(
        "<int:pk>/reminder-rules/<int:rule_pk>/edit/",
        reminder_rule_update,
        name="reminder_rule_update",
    ),
    path(
        "<int:pk>/reminder-rules/<int:rule_pk>/delete/",
        reminder_rule_delete,
        name="reminder_rule_delete",
    ),
    path("reminders/", reminder_list, name="reminder_list"),
    path("reminders/remind-me/", remind_me, name="remind_me"),
    path("reminders/<int:pk>/retry/", reminder_retry, name="reminder_retry"),
    path("reminders/<int:pk>/cancel/", reminder_cancel, name="reminder_cancel"),
    path("reminders/relationships/", relationship_list, name="relationship_list"),
    path("reminders/relationships/new/", relationship_create, name="relationship_create"),
    path(
        "reminders/relationships/<int:pk>/edit/",
        relationship_update,
        name="relationship_update",
    ),
    path(
        "reminders/relationships/<int:pk>/delete/",
        relationship_delete,
        name="relationship_delete",
    ),
]
