from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from advocacy import forms, health, services
from advocacy.models import AuditEvent, Invitation, Membership, Organisation, User


def _get_membership(request: HttpRequest, slug: str, *roles: str) -> Membership:
    """The user's membership of the organisation: 404 for outsiders, 403 for a role too low."""
    membership = get_object_or_404(
        # The coalition too: the organisation's page names it.
        Membership.objects.select_related("organisation__coalition"),
        organisation__slug=slug,
        user=request.user,
    )
    if roles and membership.role not in roles:
        raise PermissionDenied
    return membership


class SignInView(auth_views.LoginView):
    form_class = forms.SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        services.audit_record(action=AuditEvent.Action.SIGN_IN, actor=user, request=self.request)
        _remember_language(response, user.language)
        return response

    def form_invalid(self, form):
        email = (self.request.POST.get("username") or "")[:254]
        services.audit_record(
            action=AuditEvent.Action.SIGN_IN_FAILED, actor_label=email, request=self.request
        )
        return super().form_invalid(form)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        services.audit_record(
            action=AuditEvent.Action.SIGN_OUT, actor=request.user, request=request
        )
    return auth_views.LogoutView.as_view()(request)


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("password_change_done")

    def form_valid(self, form):
        services.audit_record(
            action=AuditEvent.Action.PASSWORD_CHANGED, actor=self.request.user, request=self.request
        )
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    def form_valid(self, form):
        services.audit_record(
            action=AuditEvent.Action.PASSWORD_RESET, actor=form.user, request=self.request
        )
        return super().form_valid(form)


def _remember_language(response: HttpResponse, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.LANGUAGE_COOKIE_SECURE,
    )


@require_POST
def language_switch(request: HttpRequest) -> HttpResponse:
    """Switch language: saved on the profile when signed in, in a cookie in any case."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language not in dict(settings.LANGUAGES):
        return response
    if request.user.is_authenticated:
        request.user.language = language
        request.user.save(update_fields=["language"])
    _remember_language(response, language)
    return response


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = forms.ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        messages.success(request, _("Your profile is saved."))
        response = redirect("profile")
        _remember_language(response, user.language)
        return response
    return render(request, "advocacy/profile.html", {"form": form})


@login_required
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    membership = _get_membership(request, slug)
    organisation = membership.organisation
    is_admin = membership.role == Membership.Role.ADMIN
    members = organisation.memberships.select_related("user").order_by(
        "user__first_name", "user__email"
    )
    context = {
        "organisation": organisation,
        "membership": membership,
        "is_admin": is_admin,
        "members": members,
        "roles": Membership.Role.choices,
        "coalition_members": Organisation.objects.filter(coalition=organisation)
        if organisation.is_coalition
        else Organisation.objects.none(),
    }
    if is_admin:
        context["invitations"] = organisation.invitations.pending().select_related("invited_by")
        context["invite_form"] = forms.InvitationForm()
    return render(request, "advocacy/organisation_detail.html", context)


@login_required
def organisation_update(request: HttpRequest, slug: str) -> HttpResponse:
    membership = _get_membership(request, slug, Membership.Role.ADMIN)
    organisation = membership.organisation
    form = forms.OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        form.save()
        services.audit_record(
            action=AuditEvent.Action.UPDATED,
            actor=request.user,
            organisation=organisation,
            target=organisation,
            detail={"fields": form.changed_data},
            request=request,
        )
        messages.success(request, _("The organisation's details are saved."))
        return redirect(organisation)
    return render(
        request, "advocacy/organisation_form.html", {"form": form, "organisation": organisation}
    )


@login_required
def invitation_create(request: HttpRequest, slug: str) -> HttpResponse:
    membership = _get_membership(request, slug, Membership.Role.ADMIN)
    organisation = membership.organisation
    form = forms.InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = services.invitation_create(
                organisation=organisation,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
                request=request,
            )
        except ValidationError as error:
            form.add_error("email", error)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect(organisation)
    return render(
        request,
        "advocacy/invitation_form.html",
        {"form": form, "organisation": organisation},
        status=400 if form.errors else 200,
    )


def _get_invitation_for_admin(request: HttpRequest, slug: str, pk: int) -> Invitation:
    membership = _get_membership(request, slug, Membership.Role.ADMIN)
    return get_object_or_404(membership.organisation.invitations, pk=pk)


@login_required
@require_POST
def invitation_resend(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    invitation = _get_invitation_for_admin(request, slug, pk)
    if invitation.accepted_at or invitation.revoked_at:
        messages.error(request, _("This invitation is closed; send a new one."))
    else:
        services.invitation_resend(invitation=invitation)
        messages.success(
            request, _("A new link is on its way to %(email)s.") % {"email": invitation.email}
        )
    return redirect(invitation.organisation)


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    invitation = _get_invitation_for_admin(request, slug, pk)
    if invitation.state == "pending":
        services.invitation_revoke(invitation=invitation, revoked_by=request.user, request=request)
        messages.success(
            request, _("The invitation to %(email)s is revoked.") % {"email": invitation.email}
        )
    return redirect(invitation.organisation)


def _get_member_for_admin(request: HttpRequest, slug: str, pk: int) -> Membership:
    membership = _get_membership(request, slug, Membership.Role.ADMIN)
    return get_object_or_404(
        membership.organisation.memberships.select_related("user", "organisation"), pk=pk
    )


@login_required
@require_POST
def membership_role(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    member = _get_member_for_admin(request, slug, pk)
    form = forms.RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the listed roles."))
        return redirect(member.organisation)
    try:
        services.membership_change_role(
            membership=member,
            role=form.cleaned_data["role"],
            changed_by=request.user,
            request=request,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(name)s is now %(role)s.")
            % {"name": member.user, "role": Membership.Role(form.cleaned_data["role"]).label},
        )
    return redirect(member.organisation)


@login_required
def membership_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    member = _get_member_for_admin(request, slug, pk)
    if request.method == "POST":
        try:
            services.membership_remove(membership=member, removed_by=request.user, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(member.organisation)
        messages.success(
            request,
            _("%(name)s no longer belongs to %(organisation)s.")
            % {"name": member.user, "organisation": member.organisation},
        )
        # Someone who removed themselves can no longer see the organisation's page.
        if member.user == request.user:
            return redirect("home")
        return redirect(member.organisation)
    return render(request, "advocacy/membership_confirm_delete.html", {"member": member})


@login_required
def organisation_activity(request: HttpRequest, slug: str) -> HttpResponse:
    membership = _get_membership(request, slug, Membership.Role.ADMIN)
    events = AuditEvent.objects.filter(organisation=membership.organisation).select_related(
        "target_type"
    )
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "advocacy/organisation_activity.html",
        {"organisation": membership.organisation, "page": page},
    )


@never_cache
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = Invitation.from_token(token)
    if invitation is None or invitation.state != "pending":
        state = invitation.state if invitation else "invalid"
        return render(request, "advocacy/invitation_invalid.html", {"state": state}, status=410)
    user = request.user
    if user.is_authenticated:
        if user.email.lower() != invitation.email.lower():
            return render(
                request,
                "advocacy/invitation_accept.html",
                {"invitation": invitation, "wrong_account": True},
                status=403,
            )
        if request.method == "POST":
            services.invitation_accept(invitation=invitation, user=user, request=request)
            messages.success(
                request,
                _("Welcome to %(organisation)s.") % {"organisation": invitation.organisation},
            )
            return redirect(invitation.organisation)
        return render(request, "advocacy/invitation_accept.html", {"invitation": invitation})

    if User.objects.filter(email__iexact=invitation.email).exists():
        sign_in = f"{reverse('login')}?next={request.path}"
        return render(
            request,
            "advocacy/invitation_accept.html",
            {"invitation": invitation, "sign_in_url": sign_in},
        )
    form = forms.AcceptInvitationForm(
        request.POST or None,
        email=invitation.email,
        initial={"language": request.LANGUAGE_CODE},
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create_from_invitation(
                invitation=invitation,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["password1"],
                language=form.cleaned_data["language"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("Welcome to %(organisation)s.") % {"organisation": invitation.organisation},
            )
            response = redirect(invitation.organisation)
            _remember_language(response, user.language)
            return response
    return render(
        request, "advocacy/invitation_accept.html", {"invitation": invitation, "form": form}
    )


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The state of the database, the broker and the worker; 503 when any is down."""
    healthy, report = health.check_all()
    report["status"] = "ok" if healthy else "down"
    return JsonResponse(report, status=200 if healthy else 503)


@require_GET
@never_cache
def healthz_live(request: HttpRequest) -> JsonResponse:
    """The web process answers; for container health checks that must not fail on others."""
    return JsonResponse({"status": "ok"})
