from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils.translation import gettext as _

from campaigns import forms
from campaigns.models import Campaign


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The home page: the user's organisations and the campaigns they can see."""
    memberships = request.user.memberships.select_related("organisation__coalition")
    campaigns = Campaign.objects.visible_to(request.user).for_list()[:8]
    return render(
        request, "campaigns/dashboard.html", {"memberships": memberships, "campaigns": campaigns}
    )


def _get_campaign_for_user(request: HttpRequest, pk: int, *, edit: bool = False) -> Campaign:
    campaigns = Campaign.objects.select_related("organisation", "created_by")
    if edit:
        return get_object_or_404(campaigns.editable_by(request.user), pk=pk)
    return get_object_or_404(campaigns.visible_to(request.user), pk=pk)


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = Campaign.objects.visible_to(request.user).for_list()
    page = Paginator(campaigns, 25).get_page(request.GET.get("page"))
    return render(request, "campaigns/campaign_list.html", {"page": page})


@login_required
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _get_campaign_for_user(request, pk)
    can_edit = Campaign.objects.editable_by(request.user).filter(pk=pk).exists()
    return render(
        request, "campaigns/campaign_detail.html", {"campaign": campaign, "can_edit": can_edit}
    )


@login_required
def campaign_create(request: HttpRequest) -> HttpResponse:
    form = forms.CampaignForm(request.POST or None, user=request.user)
    if not form.fields["organisation"].queryset.exists():
        messages.error(request, _("Viewers cannot start campaigns; ask an admin for a new role."))
        return redirect("campaigns:list")
    if request.method == "POST" and form.is_valid():
        campaign = form.save(commit=False)
        campaign.created_by = request.user
        campaign.save()
        messages.success(request, _("Campaign created."))
        return redirect(campaign)
    return render(request, "campaigns/campaign_form.html", {"form": form})


@login_required
def campaign_update(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _get_campaign_for_user(request, pk, edit=True)
    form = forms.CampaignForm(request.POST or None, instance=campaign, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Campaign saved."))
        return redirect(campaign)
    return render(request, "campaigns/campaign_form.html", {"form": form, "campaign": campaign})


urlpatterns: list[URLPattern] = [
    path("", campaign_list, name="list"),
    path("new/", campaign_create, name="create"),
    path("<int:pk>/", campaign_detail, name="detail"),
    path("<int:pk>/edit/", campaign_update, name="update"),
]
