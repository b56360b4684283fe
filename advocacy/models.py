"""What every other app leans on: people on our side, organisations and their roles,
the visibility rules for records that carry notes, and the audit trail."""

from __future__ import annotations

import secrets
import zoneinfo
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.db import models
from django.db.models import Case, F, Q, When
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


# Time zones are places: the zones named for a region of the world ("Europe/London"), and
# UTC. Left out: tzdata's aliases kept for old systems ("GB", "US/Eastern", "EST5EDT"),
# "Etc/GMT+3" and the like, and "Factory", "localtime", "posixrules".
GEOGRAPHIC_AREAS = {
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
}


def geographic_time_zones() -> list[str]:
    return sorted(
        name
        for name in zoneinfo.available_timezones()
        if name == "UTC" or ("/" in name and name.split("/", 1)[0] in GEOGRAPHIC_AREAS)
    )


def time_zone_choices(current: str = "") -> list[tuple[str, str]]:
    """The geographic zones, with `current` too when a person or record has another (an old
    alias such as "US/Eastern"), so that a form shows and keeps it rather than the first."""
    names = geographic_time_zones()
    if current and current not in names:
        names = sorted([*names, current])
    return [(name, name.replace("_", " ")) for name in names]


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, email: str) -> User:
        # Addresses are typed in every case on phones; sign-in ignores it.
        return self.get(email__iexact=email)

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """Someone on our side: a campaigner, coordinator or staff member. Signs in by email."""

    class ReminderDelivery(models.TextChoices):
        IN_APP = "in_app", _("In the app only")
        EMAIL = "email", _("In the app, and an email for each")
        DIGEST = "digest", _("In the app, and one email a day at 08:00 my time")

    username = None
    email = models.EmailField(_("email address"), unique=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    reminder_delivery = models.CharField(
        _("how reminders reach you"),
        max_length=10,
        choices=ReminderDelivery.choices,
        default=ReminderDelivery.EMAIL,
        help_text=_("Every reminder is in your inbox here; emails only carry a link to it."),
    )
    # The local date of the last digest sent, so each user gets at most one a day.
    last_digest_on = models.DateField(null=True, blank=True, editable=False)
    # Kept by advocacy.notifications with every change, so the count in the top bar of every
    # page costs no query; never set it directly.
    unread_notifications = models.PositiveIntegerField(default=0, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def display_name(self) -> str:
        return str(self)

    def role_in(self, organisation: Organisation) -> str | None:
        membership = self.memberships.filter(organisation=organisation).first()
        return membership.role if membership else None


class Organisation(models.Model):
    """A civil-society organisation, or the coalition that such organisations belong to."""

    class Kind(models.TextChoices):
        CSO = "cso", _("Civil-society organisation")
        COALITION = "coalition", _("Coalition")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("short name"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CSO)
    coalition = models.ForeignKey(
        "self",
        verbose_name=_("coalition"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member_organisations",
        limit_choices_to={"kind": Kind.COALITION},
    )
    country = CountryField(_("country"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    website = models.URLField(_("website"), blank=True)
    address = models.TextField(_("address"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(coalition=F("id")), name="organisation_not_own_coalition"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organisation_detail", args=[self.slug])

    @property
    def is_coalition(self) -> bool:
        return self.kind == self.Kind.COALITION

    def admin_count(self) -> int:
        return self.memberships.filter(role=Membership.Role.ADMIN).count()


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Admin")
        COORDINATOR = "coordinator", _("Coordinator")
        CAMPAIGNER = "campaigner", _("Campaigner")
        VIEWER = "viewer", _("Viewer")

    # Roles that may write records of their organisation; viewers only read.
    EDITOR_ROLES = (Role.ADMIN, Role.COORDINATOR, Role.CAMPAIGNER)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CAMPAIGNER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} ({self.get_role_display()})"


class Visibility(models.TextChoices):
    PRIVATE = "private", _("Only me")
    ORGANISATION = "organisation", _("My organisation")
    COALITION = "coalition", _("The whole coalition")


def organisations_of(user) -> models.QuerySet[Organisation]:
    """Organisations the user is a member of, as a subquery-friendly queryset."""
    return Organisation.objects.filter(memberships__user=user)


def coalitions_of(user) -> models.QuerySet:
    """Ids of the coalitions the user takes part in, directly or through a member organisation."""
    return (
        organisations_of(user)
        .annotate(
            coalition_ref=Case(
                When(kind=Organisation.Kind.COALITION, then=F("id")), default=F("coalition_id")
            )
        )
        .exclude(coalition_ref=None)
        .values("coalition_ref")
    )


class VisibleQuerySet(models.QuerySet):
    """The one rule for who may see a record that carries notes.

    private: its author only; organisation: members of the owning organisation;
    coalition: members of any organisation in the owning organisation's coalition.
    """

    def visible_to(self, user: User | AnonymousUser) -> VisibleQuerySet:
        if not user.is_authenticated:
            return self.none()
        own = organisations_of(user).values("id")
        coalitions = coalitions_of(user)
        shared = Q(visibility__in=[Visibility.ORGANISATION, Visibility.COALITION]) & Q(
            organisation__in=own
        )
        coalition = Q(visibility=Visibility.COALITION) & (
            Q(organisation__coalition__in=coalitions) | Q(organisation__in=coalitions)
        )
        return self.filter(Q(created_by=user) | shared | coalition)

    def editable_by(self, user: User | AnonymousUser) -> VisibleQuerySet:
        """Records the user may change: their own, or any of an organisation where they edit."""
        if not user.is_authenticated:
            return self.none()
        editing = Membership.objects.filter(user=user, role__in=Membership.EDITOR_ROLES)
        return self.visible_to(user).filter(
            Q(created_by=user) | Q(organisation__in=editing.values("organisation"))
        )


class VisibleRecord(models.Model):
    """Base for records that carry what an organisation thinks or noted."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    visibility = models.CharField(
        _("who can see this"),
        max_length=20,
        choices=Visibility.choices,
        default=Visibility.ORGANISATION,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = VisibleQuerySet.as_manager()

    class Meta:
        abstract = True


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> InvitationQuerySet:
        return self.filter(accepted_at=None, revoked_at=None, expires_at__gt=timezone.now())


class Invitation(models.Model):
    """A one-time link that lets someone join an organisation with a given role."""

    SALT = "advocacy.invitation"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(
        _("role"),
        max_length=20,
        choices=Membership.Role.choices,
        default=Membership.Role.CAMPAIGNER,
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Part of the signed token; a resend draws a new one so older links stop working.
    nonce = models.CharField(max_length=32, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    send_error = models.TextField(blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # One open invitation per address and organisation.
            models.UniqueConstraint(
                Lower("email"),
                "organisation",
                condition=Q(accepted_at=None, revoked_at=None),
                name="invitation_one_open_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"

    def renew(self) -> None:
        self.nonce = secrets.token_hex(16)
        self.expires_at = timezone.now() + timedelta(days=settings.INVITATION_MAX_AGE_DAYS)

    @property
    def token(self) -> str:
        return signing.dumps([self.pk, self.nonce], salt=self.SALT, compress=True)

    def get_accept_url(self) -> str:
        return reverse("invitation_accept", args=[self.token])

    @classmethod
    def from_token(cls, token: str) -> Invitation | None:
        try:
            pk, nonce = signing.loads(token, salt=cls.SALT)
        except (signing.BadSignature, ValueError, TypeError):
            return None
        invitation = cls.objects.select_related("organisation").filter(pk=pk).first()
        if invitation is None or not secrets.compare_digest(invitation.nonce, str(nonce)):
            return None
        return invitation

    @property
    def send_overdue(self) -> bool:
        """Not sent a few minutes after it was made or resent: the queue may have lost it."""
        if self.sent_at or self.send_error:
            return False
        issued_at = self.expires_at - timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
        return timezone.now() - issued_at > timedelta(minutes=5)

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"


class AuditEvent(models.Model):
    """Who did what to which record, and when. Rows are only ever added."""

    class Action(models.TextChoices):
        SIGN_IN = "sign_in", _("Signed in")
        SIGN_IN_FAILED = "sign_in_failed", _("Failed sign-in")
        SIGN_OUT = "sign_out", _("Signed out")
        PASSWORD_CHANGED = "password_changed", _("Changed their password")
        PASSWORD_RESET = "password_reset", _("Reset their password")
        INVITED = "invited", _("Invited a member")
        INVITATION_REVOKED = "invitation_revoked", _("Revoked an invitation")
        JOINED = "joined", _("Joined the organisation")
        ROLE_CHANGED = "role_changed", _("Changed a role")
        MEMBER_REMOVED = "member_removed", _("Removed a member")
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Updated")
        EXPORTED = "exported", _("Exported")
        VIEWED = "viewed", _("Viewed")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept as text so the trail still reads after the actor or record is deleted.
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=40, choices=Action.choices)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=300, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The organisation's activity page: newest first within one organisation.
            models.Index(fields=["organisation", "-created_at"], name="audit_org_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"


class WorkerHeartbeat(models.Model):
    """The last time a Celery worker ran the heartbeat task that beat schedules."""

    name = models.CharField(max_length=40, unique=True, default="worker")
    seen_at = models.DateTimeField()
    hostname = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"{self.name} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"


class ImportJob(models.Model):
    """One uploaded file on its way into the database: previewed, confirmed, then run by a task.

    Shared by every importer: `kind` names it ("contacts.popolo", "contacts.csv"; the calendar
    and treaty-status imports add theirs), `options` carries what it needs (a country),
    `preview` what the dry run found. The task records progress on this row, so any web
    process can show it; the file sits under MEDIA_ROOT so a worker on another machine that
    shares the media volume can read it.
    """

    class Status(models.TextChoices):
        READY = "ready", _("Ready to import")
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    kind = models.CharField(_("kind"), max_length=40)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.READY
    )
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", max_length=300)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    options = models.JSONField(default=dict, blank=True)
    preview = models.JSONField(default=dict, blank=True)
    progress = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    # created, updated, unchanged, errors: what the run did.
    counts = models.JSONField(default=dict, blank=True)
    error_message = models.TextField(blank=True)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The import page lists an organisation's recent imports, newest first.
            models.Index(fields=["organisation", "-created_at"], name="importjob_org_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, self.progress * 100 // self.total)


class NotificationQuerySet(models.QuerySet):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at=None)


class Notification(models.Model):
    """An item in someone's inbox. Email is only a channel for it: the inbox keeps every one.

    `source_key` names what produced it ("reminder:42"); unique per recipient, so a
    reminder delivered twice by a retried task still makes one notification.
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    source_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "source_key"], name="notification_once_per_source"
            )
        ]
        indexes = [
            # The inbox: one person's notifications, newest first.
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
            # Mark all read and the digest: one person's unread ones.
            models.Index(
                fields=["recipient", "created_at"],
                name="notification_unread",
                condition=Q(read_at=None),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} · {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("notification_detail", args=[self.pk])

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
