"""Campaigns: the list, the page with everything a campaigner needs, and the form that edits
the campaign with its key messages, asks, facts, policy hooks and team in one go."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import URLPattern, path
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from campaigns import forms, reminders, services
from campaigns.models import Campaign, Treaty, TreatyStatus
from contacts.models import Country
from letters.models import LetterAction
from meetings.services import meetings_dashboard

PAGE_SIZE = 25


@dataclass
class Section:
    """One kind of row on the campaign form: its formset and what the page calls it."""

    prefix: str
    title: Promise
    row_label: Promise
    add_label: Promise
    formset: object = None


SECTIONS = [
    ("key_messages", gettext_lazy("Key messages"), gettext_lazy("Key message"),
     gettext_lazy("Add a key message")),
    ("asks", gettext_lazy("Asks"), gettext_lazy("Ask"), gettext_lazy("Add an ask")),
    ("facts", gettext_lazy("Facts and figures"), gettext_lazy("Fact"),
     gettext_lazy("Add a fact")),
    ("policy_hooks", gettext_lazy("Policy hooks"), gettext_lazy("Policy hook"),
     gettext_lazy("Add a policy hook")),
    ("members", gettext_lazy("Team"), gettext_lazy("Team member"),
     gettext_lazy("Add someone to the team")),
]  # fmt: skip


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The home page: the user's organisations and the campaigns they can see."""
    memberships = request.user.memberships.select_related("organisation__coalition")
    campaigns = (
        Campaign.objects.visible_to(request.user)
        .filter(is_active=True)
        .select_related("organisation")
        .order_by("-updated_at")[:8]
    )
    context = {"memberships": memberships, "campaigns": campaigns}
    context.update(meetings_dashboard(request.user))
    return render(request, "campaigns/dashboard.html", context)


def _get_campaign_for_user(request: HttpRequest, pk: int, *, edit: bool = False) -> Campaign:
    campaigns = Campaign.objects.select_related("organisation", "created_by")
    if edit:
        return get_object_or_404(campaigns.editable_by(request.user), pk=pk)
    return get_object_or_404(campaigns.visible_to(request.user), pk=pk)


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    visible = Campaign.objects.visible_to(request.user)
    form = forms.CampaignFilterForm(
        request.GET or None,
        country_choices=sorted(
            (
                (c.code, c.display_name)
                for c in Country.objects.filter(campaigns__in=visible.values("id")).distinct()
            ),
            key=lambda choice: choice[1],
        ),
        treaty_choices=[(t.code, str(t)) for t in Treaty.objects.all()],
    )
    campaigns = form.filter(visible.for_list())
    page = Paginator(campaigns, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "campaigns/campaign_list.html"
    if request.htmx:
        template += "#campaign-results"
    return render(request, template, {"page": page, "filter_form": form})


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_object_or_404(Campaign.objects.visible_to(request.user).for_detail(), pk=pk)
    can_edit = Campaign.objects.editable_by(request.user).filter(pk=pk).exists()
    statuses = {}
    if campaign.treaty_id:
        # Joined on the campaign rather than listing its countries: one query, however many.
        statuses = {
            status.country_id: status
            for status in TreatyStatus.objects.filter(
                treaty_id=campaign.treaty_id, country__campaigns=campaign
            )
        }
    countries = sorted(campaign.countries.all(), key=lambda country: country.display_name)
    letter_actions = LetterAction.objects.visible_to(request.user).filter(campaign=campaign)
    context = {
        "campaign": campaign,
        "can_edit": can_edit,
        "country_statuses": [(country, statuses.get(country.pk)) for country in countries],
        "letter_actions": list(letter_actions.order_by("-created_at", "-pk")),
    }
    return render(request, "campaigns/campaign_detail.html", context)


def _formset_data(data: QueryDict | None) -> tuple[QueryDict | None, str]:
    """The posted data, with one more blank row where an "add a row" button was pressed
    (the way to add rows without JavaScript), and that button's section."""
    adding = data.get("add", "") if data is not None else ""
    if adding not in forms.ROW_FORMSETS:
        return data, ""
    data = data.copy()
    key = f"{adding}-TOTAL_FORMS"
    if data.get(key, "").isdigit():
        data[key] = str(int(data[key]) + 1)
    return data, adding


def _sections(data, campaign: Campaign, choices: dict, user) -> list[Section]:
    sections = []
    for prefix, title, row_label, add_label in SECTIONS:
        # A form sent without a section (a script, an older page) leaves its rows alone.
        bound = data is not None and f"{prefix}-TOTAL_FORMS" in data
        formset = forms.ROW_FORMSETS[prefix](
            data if bound else None,
            instance=campaign,
            prefix=prefix,
            form_kwargs={"choices": choices, "user": user},
        )
        sections.append(Section(prefix, title, row_label, add_label, formset))
    return sections


def _all_valid(form, sections: list[Section], author) -> bool:
    valid = form.is_valid()
    for section in sections:
        valid &= not section.formset.is_bound or section.formset.is_valid()
    if valid:
        team = next(s.formset for s in sections if s.prefix == "members")
        valid = not team.is_bound or not forms.team_errors(
            team,
            organisation=form.cleaned_data["organisation"],
            visibility=form.cleaned_data["visibility"],
            author=author,
        )
    return valid


def _campaign_form(request: HttpRequest, campaign: Campaign | None) -> HttpResponse:
    instance = campaign or Campaign()
    data, adding = _formset_data(request.POST if request.method == "POST" else None)
    form = forms.CampaignForm(data, instance=instance, user=request.user)
    choices = forms.row_choices(campaign=campaign, user=request.user)
    sections = _sections(data, instance, choices, request.user)
    author = campaign.created_by if campaign else request.user
    if data is not None and not adding and _all_valid(form, sections, author):
        saved = services.campaign_save(
            form=form,
            formsets=[s.formset for s in sections if s.formset.is_bound],
            user=request.user,
        )
        if campaign is None:
            # A campaign on a treaty starts with the treaty calendar's reminder rules.
            reminders.reminder_rules_create_defaults(campaign=saved, created_by=request.user)
        messages.success(request, _("Campaign saved.") if campaign else _("Campaign created."))
        return redirect(saved)
    has_errors = bool(form.errors) or any(s.formset.total_error_count() for s in sections)
    context = {
        "form": form,
        "campaign": campaign,
        "sections": sections,
        "adding": adding,
        "has_errors": has_errors,
    }
    return render(request, "campaigns/campaign_form.html", context)


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    if not forms.CampaignForm(user=request.user).fields["organisation"].queryset.exists():
        messages.error(request, _("Viewers cannot start campaigns; ask an admin for a new role."))
        return redirect("campaigns:list")
    return _campaign_form(request, None)


@login_required
def campaign_update(request: HttpRequest, pk: int) -> HttpResponse:
    return _campaign_form(request, _get_campaign_for_user(request, pk, edit=True))


@login_required
def campaign_row(request: HttpRequest, prefix: str) -> HttpResponse:
    """One blank row for a section of the campaign form, for htmx to append; the section's
    row count comes back out of band so the formset takes the row in."""
    if prefix not in forms.ROW_FORMSETS:
        return HttpResponse(status=404)
    campaign = None
    if request.GET.get("campaign", "").isdigit():
        campaign = _get_campaign_for_user(request, int(request.GET["campaign"]), edit=True)
    total = request.GET.get(f"{prefix}-TOTAL_FORMS", "")
    index = int(total) if total.isdigit() else 0
    title, row_label, add_label = next(s[1:] for s in SECTIONS if s[0] == prefix)
    formset = forms.ROW_FORMSETS[prefix](
        instance=campaign or Campaign(),
        prefix=prefix,
        form_kwargs={"choices": forms.row_choices(campaign=campaign, user=request.user)},
    )
    html = render_to_string(
        "campaigns/campaign_form.html#formset-row",
        {
            "row": formset.empty_form,
            "section": Section(prefix, title, row_label, add_label, formset),
            "number": index + 1,
            "total": index + 1,
            "oob": True,
        },
        request=request,
    )
    # The blank form's fields are named "<prefix>-__prefix__-…"; this row is number `index`.
    return HttpResponse(html.replace("__prefix__", str(index)))


def _set_active(request: HttpRequest, pk: int, *, active: bool) -> HttpResponse:
    campaign = _get_campaign_for_user(request, pk, edit=True)
    if active:
        campaign.reopen()
        messages.success(request, _("Campaign reopened."))
    else:
        campaign.close()
        messages.success(request, _("Campaign closed. It stays here, out of the active list."))
    return redirect(campaign)


@require_POST
@login_required
def campaign_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=False)


@require_POST
@login_required
def campaign_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=True)


urlpatterns: list[URLPattern] = [
    path("", campaign_list, name="list"),
    path("new/", campaign_create, name="create"),
    path("<int:pk>/", campaign_detail, name="detail"),
    path("<int:pk>/edit/", campaign_update, name="update"),
    path("<int:pk>/close/", campaign_close, name="close"),
    path("<int:pk>/reopen/", campaign_reopen, name="reopen"),
    path("rows/<slug:prefix>/", campaign_row, name="row"),
]
