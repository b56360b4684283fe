from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, reverse_lazy

from advocacy import views
from campaigns.views import campaigns as campaign_views

urlpatterns = [
    path("", campaign_views.dashboard, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("healthz/live", views.healthz_live, name="healthz_live"),
    path("language/", views.language_switch, name="language_switch"),
    # Accounts
    path("accounts/sign-in/", views.SignInView.as_view(), name="login"),
    path("accounts/sign-out/", views.sign_out, name="logout"),
    path("accounts/profile/", views.profile, name="profile"),
    path("accounts/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "accounts/password-reset/",
        auth_views.PasswordResetView.as_view(
            success_url=reverse_lazy("password_reset_done"),
            subject_template_name="registration/password_reset_subject.txt",
            email_template_name="registration/password_reset_email.txt",
        ),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    # Organisations
    path("organisations/<slug:slug>/", views.organisation_detail, name="organisation_detail"),
    path("organisations/<slug:slug>/edit/", views.organisation_update, name="organisation_update"),
    path(
        "organisations/<slug:slug>/activity/",
        views.organisation_activity,
        name="organisation_activity",
    ),
    path(
        "organisations/<slug:slug>/invitations/new/",
        views.invitation_create,
        name="invitation_create",
    ),
    path(
        "organisations/<slug:slug>/invitations/<int:pk>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "organisations/<slug:slug>/invitations/<int:pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "organisations/<slug:slug>/members/<int:pk>/role/",
        views.membership_role,
        name="membership_role",
    ),
    path(
        "organisations/<slug:slug>/members/<int:pk>/remove/",
        views.membership_remove,
        name="membership_remove",
    ),
    path("notifications/", include("advocacy.notifications")),
    path("campaigns/", include("campaigns.urls")),
    path("directory/", include("contacts.urls")),
    path("meetings/", include("meetings.urls")),
    path("letters/", include("letters.urls")),
    path("admin/", admin.site.urls),
]
