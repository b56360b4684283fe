"""Campaigns, treaties and each country's status, the calendar, and reminders."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from advocacy.models import Membership, VisibleQuerySet, VisibleRecord
from contacts.models import DatePrecision, format_precise_date


class Treaty(models.Model):
    """An international treaty campaigns push states to join and implement."""

    code = models.SlugField(_("code"), max_length=30, unique=True, help_text=_("e.g. ccm, mbt"))
    name = models.CharField(_("name"), max_length=300)
    short_name = models.CharField(_("short name"), max_length=80, blank=True)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    entry_into_force_on = models.DateField(_("entered into force on"), null=True, blank=True)
    depositary = models.CharField(_("depositary"), max_length=200, blank=True)
    url = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("treaties")

    def __str__(self) -> str:
        return self.short_name or self.name

    def get_absolute_url(self) -> str:
        return reverse("campaigns:treaty", args=[self.code])


class TreatyStatus(models.Model):
    """Where one country stands with one treaty; every change is kept in its history."""

    class Status(models.TextChoices):
        NOT_SIGNED = "not_signed", _("Not signed")
        SIGNATORY = "signatory", _("Signatory")
        RATIFIED = "ratified", _("Ratified")
        ACCEDED = "acceded", _("Acceded")
        STATE_PARTY = "state_party", _("State party")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Stage(models.TextChoices):
        NONE = "", _("No process under way")
        DESK = "desk", _("Desk")
        INTER_MINISTERIAL = "inter_ministerial", _("Inter-ministerial")
        CABINET = "cabinet", _("Cabinet")
        COMMITTEE = "committee", _("Parliamentary committee")
        PLENARY = "plenary", _("Plenary")
        DEPOSITED = "deposited", _("Instrument deposited")

    # Bound by the treaty, whatever the word the source used.
    PARTY_STATUSES = (Status.RATIFIED, Status.ACCEDED, Status.STATE_PARTY)

    treaty = models.ForeignKey(Treaty, on_delete=models.CASCADE, related_name="statuses")
    country = models.ForeignKey(
        "contacts.Country", on_delete=models.CASCADE, related_name="treaty_statuses"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NOT_SIGNED
    )
    stage = models.CharField(
        _("decision stage"), max_length=20, choices=Stage.choices, blank=True, default=""
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    # Status lists often give only a year ("ratified in 1994"): kept as 1 January with the
    # precision, and shown as "1994".
    signed_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    consent_on = models.DateField(
        _("ratified or acceded on"),
        null=True,
        blank=True,
        help_text=_("Date of ratification, acceptance, approval or accession."),
    )
    consent_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    entry_into_force_on = models.DateField(_("in force for it on"), null=True, blank=True)
    withdrawn_on = models.DateField(_("withdrew on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["treaty", "country__name"]
        verbose_name_plural = _("treaty statuses")
        constraints = [
            models.UniqueConstraint(fields=["treaty", "country"], name="treaty_status_unique")
        ]

    def __str__(self) -> str:
        return f"{self.country_id} · {self.treaty} · {self.get_status_display()}"

    @property
    def is_party(self) -> bool:
        return self.status in self.PARTY_STATUSES

    @property
    def signed_label(self) -> str:
        return format_precise_date(self.signed_on, self.signed_precision)

    @property
    def consent_label(self) -> str:
        return format_precise_date(self.consent_on, self.consent_precision)


class TreatyStatusChange(models.Model):
    """One step in a country's history with a treaty (status or decision stage)."""

    treaty_status = models.ForeignKey(
        TreatyStatus, on_delete=models.CASCADE, related_name="changes"
    )
    status = models.CharField(max_length=20, choices=TreatyStatus.Status.choices)
    stage = models.CharField(max_length=20, choices=TreatyStatus.Stage.choices, blank=True)
    changed_on = models.DateField(_("date"), default=timezone.localdate)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    source = models.CharField(_("source"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.changed_on}: {self.get_status_display()}"


class CampaignQuerySet(VisibleQuerySet):
    def for_list(self) -> CampaignQuerySet:
        """With what a line of the list shows: organisation and treaty joined, countries
        in one more query for the whole page."""
        return (
            self.select_related("organisation", "treaty")
            .prefetch_related("countries")
            .order_by("-updated_at", "-id")
        )

    def for_detail(self) -> CampaignQuerySet:
        """With everything the campaign page shows, one query per kind of row."""
        return self.select_related("organisation", "created_by", "treaty").prefetch_related(
            "countries",
            "key_messages",
            "asks",
            models.Prefetch("facts", queryset=Fact.objects.select_related("checked_by")),
            models.Prefetch(
                "policy_hooks",
                queryset=PolicyHook.objects.select_related("institution__country", "tag"),
            ),
            models.Prefetch(
                "members",
                queryset=CampaignMember.objects.select_related("user").order_by(
                    "role", "user__first_name", "user__last_name", "user__email"
                ),
            ),
        )


class Campaign(VisibleRecord):
    """A lobbying campaign run by one organisation, shared with its coalition or not."""

    name = models.CharField(_("name"), max_length=200)
    goal = models.TextField(
        _("goal"), blank=True, help_text=_("What will have changed when we win?")
    )
    description = models.TextField(_("description"), blank=True)
    treaty = models.ForeignKey(
        Treaty,
        verbose_name=_("treaty"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="campaigns",
    )
    countries = models.ManyToManyField(
        "contacts.Country", verbose_name=_("countries"), blank=True, related_name="campaigns"
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("team"),
        blank=True,
        related_name="campaigns",
        through="CampaignMember",
    )
    is_active = models.BooleanField(_("active"), default=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("campaigns:detail", args=[self.pk])

    def close(self) -> None:
        """The campaign is over (won, lost or shelved); it stays readable, out of the way."""
        if self.is_active:
            self.is_active = False
            self.save(update_fields=["is_active", "updated_at"])

    def reopen(self) -> None:
        if not self.is_active:
            self.is_active = True
            self.save(update_fields=["is_active", "updated_at"])


class CampaignMember(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", _("Lead")
        MEMBER = "member", _("Member")

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="campaign_memberships"
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["campaign", "user"], name="campaign_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.campaign}"


class KeyMessage(models.Model):
    """One of the campaign's key messages, in the campaign's working language or another."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="key_messages")
    text = models.TextField(_("message"))
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class Ask(models.Model):
    """What the campaign asks policy makers to do: 'Table the ratification bill this session'."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="asks")
    text = models.TextField(_("ask"))
    audience = models.CharField(
        _("asked of"), max_length=200, blank=True, help_text=_("e.g. MPs, the foreign ministry")
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class Fact(models.Model):
    """A fact or figure with its source, and who checked it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="facts")
    statement = models.TextField(_("fact or figure"))
    source_name = models.CharField(_("source"), max_length=300, blank=True)
    source_url = models.URLField(_("source link"), max_length=1000, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    checked_on = models.DateField(_("checked on"), null=True, blank=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.statement[:80]


class PolicyHook(models.Model):
    """Why an institution should care: 'the ministry of health cares about victim assistance'."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="policy_hooks")
    institution = models.ForeignKey(
        "contacts.Institution",
        verbose_name=_("institution"),
        on_delete=models.CASCADE,
        related_name="policy_hooks",
    )
    hook = models.TextField(_("policy hook"))
    tag = models.ForeignKey(
        "contacts.Tag",
        verbose_name=_("theme"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_lead = models.BooleanField(
        _("lead institution"),
        default=False,
        help_text=_("The lead ministry, as opposed to one that is consulted."),
    )

    class Meta:
        ordering = ["-is_lead", "institution__name"]

    def __str__(self) -> str:
        return f"{self.institution}: {self.hook[:60]}"


class Calendar(VisibleRecord):
    """A named source of events: the treaty calendar, a parliament's sittings, an .ics feed."""

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="calendar_name_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("campaigns:calendar_detail", args=[self.pk])


class CalendarEventQuerySet(models.QuerySet):
    def visible_to(self, user) -> CalendarEventQuerySet:
        """Events of calendars the user can see, minus those of campaigns they cannot."""
        calendars = Calendar.objects.visible_to(user).values("id")
        campaigns = Campaign.objects.visible_to(user).values("id")
        return self.filter(calendar__in=calendars).filter(
            Q(campaign__isnull=True) | Q(campaign__in=campaigns)
        )

    def editable_by(self, user) -> CalendarEventQuerySet:
        """Visible events whose calendar the user may change (viewers only read)."""
        calendars = Calendar.objects.editable_by(user).values("id")
        return self.visible_to(user).filter(calendar__in=calendars)

    def for_agenda(self) -> CalendarEventQuerySet:
        """With what an agenda line shows, joined in the same query."""
        return self.select_related("calendar", "campaign", "country", "institution", "treaty")

    def in_window(self, start, end) -> CalendarEventQuerySet:
        """Events that may have an occurrence in [start, end): single events that overlap,
        and every recurring event that began before the end (expanded afterwards)."""
        single = Q(end__gt=start) | Q(end__isnull=True, start__gte=start)
        recurring = ~Q(rrule="")
        return self.filter(Q(start__lt=end) & (single | recurring) | ~Q(rdates=[]))


class CalendarEvent(models.Model):
    class Kind(models.TextChoices):
        MEETING_OF_STATES_PARTIES = "msp", _("Meeting of states parties")
        INTERSESSIONAL = "intersessional", _("Intersessional meeting")
        REVIEW_CONFERENCE = "review_conference", _("Review conference")
        ANNIVERSARY = "anniversary", _("Anniversary")
        SITTING = "sitting", _("Parliamentary sitting")
        RECESS = "recess", _("Recess")
        QUESTION_TIME = "question_time", _("Question time")
        COMMITTEE_HEARING = "committee_hearing", _("Committee hearing")
        CONSULTATION_DEADLINE = "consultation_deadline", _("Consultation deadline")
        DAY_OF_ACTION = "day_of_action", _("Day of action")
        FORUM = "forum", _("International forum")
        FIELD_VISIT = "field_visit", _("Field visit")
        ROUND_TABLE = "round_table", _("Round table")
        OTHER = "other", _("Other")

    calendar = models.ForeignKey(
        Calendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="events"
    )
    # The UID from the .ics file it came from: re-importing updates instead of duplicating.
    source_uid = models.CharField(max_length=500, blank=True)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.OTHER)
    # Stored in UTC; `time_zone` is the zone the event is held in, used for display and to
    # expand recurrences on local wall-clock time across daylight-saving changes.
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"), null=True, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    # The zone's own name in an imported file when it is not an IANA name (an Outlook zone
    # such as "Canberra, Melbourne, Sydney"); `time_zone` then holds an IANA zone with the
    # same offsets. See campaigns/ics/.
    time_zone_label = models.CharField(_("time zone in the source"), max_length=100, blank=True)
    all_day = models.BooleanField(_("all day"), default=False)
    location = models.CharField(_("location"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), max_length=1000, blank=True)
    interpretation_languages = models.JSONField(
        _("interpretation languages"), default=list, blank=True
    )
    rrule = models.CharField(
        _("repeats"), max_length=500, blank=True, help_text=_("RFC 5545 RRULE, e.g. FREQ=YEARLY")
    )
    exdates = models.JSONField(default=list, blank=True)  # ISO datetimes (UTC) skipped
    rdates = models.JSONField(default=list, blank=True)  # ISO datetimes (UTC) added
    country = models.ForeignKey(
        "contacts.Country",
        verbose_name=_("country"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    institution = models.ForeignKey(
        "contacts.Institution",
        verbose_name=_("institution"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    treaty = models.ForeignKey(
        Treaty,
        verbose_name=_("treaty"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CalendarEventQuerySet.as_manager()

    class Meta:
        ordering = ["start"]
        constraints = [
            models.UniqueConstraint(
                fields=["calendar", "source_uid"],
                condition=~Q(source_uid=""),
                name="event_source_uid_unique",
            ),
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="event_end_after_start",
            ),
        ]
        indexes = [
            # Agenda and month views: events in a window.
            models.Index(fields=["start"], name="event_start"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("campaigns:event", args=[self.pk])

    @property
    def is_recurring(self) -> bool:
        return bool(self.rrule or self.rdates)


class ReminderRule(models.Model):
    """'N days (or hours) before events of kind K in campaign C, notify role R with message M.'"""

    class Unit(models.TextChoices):
        DAYS = "days", _("days")
        HOURS = "hours", _("hours")

    class Direction(models.TextChoices):
        BEFORE = "before", _("before")
        AFTER = "after", _("after")

    organisation = models.ForeignKey(
        "advocacy.Organisation", on_delete=models.CASCADE, related_name="reminder_rules"
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="reminder_rules",
    )
    event_kind = models.CharField(
        _("events of kind"),
        max_length=30,
        choices=CalendarEvent.Kind.choices,
        blank=True,
        help_text=_("Leave empty for every kind."),
    )
    amount = models.PositiveIntegerField(_("how many"))
    unit = models.CharField(_("unit"), max_length=5, choices=Unit.choices, default=Unit.DAYS)
    direction = models.CharField(
        _("before or after"), max_length=6, choices=Direction.choices, default=Direction.BEFORE
    )
    notify_role = models.CharField(
        _("notify"),
        max_length=20,
        choices=Membership.Role.choices,
        default=Membership.Role.CAMPAIGNER,
        help_text=_("Everyone with this role in the campaign's organisation."),
    )
    message = models.TextField(_("message"))
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["campaign", "direction", "-amount"]

    def __str__(self) -> str:
        offset = f"{self.amount} {self.get_unit_display()} {self.get_direction_display()}"
        return f"{offset}: {self.message[:50]}"


class Reminder(models.Model):
    """One scheduled notification to one person. The database is the source of truth:
    beat's dispatcher claims due rows, a worker delivers each once."""

    class Kind(models.TextChoices):
        EVENT = "event", _("Event")
        FOLLOW_UP = "follow_up", _("Follow-up")
        LETTER_ACTION = "letter_action", _("Letter action")
        FOI_DEADLINE = "foi_deadline", _("FOI deadline")
        QUIET_RELATIONSHIP = "quiet", _("Quiet relationship")
        CUSTOM = "custom", _("Remind me")

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        QUEUED = "queued", _("Queued")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    due_at = models.DateTimeField(_("due"))
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # What produced it, e.g. "rule:4:event:17:20270901T080000Z:20270707T080000Z" (rule,
    # event, occurrence, due time) or "followup:9". Unique per recipient: planning again
    # never creates a second reminder for the same thing.
    source_key = models.CharField(max_length=200)
    rule = models.ForeignKey(
        ReminderRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="reminders"
    )
    event = models.ForeignKey(
        CalendarEvent, null=True, blank=True, on_delete=models.CASCADE, related_name="reminders"
    )
    occurrence_start = models.DateTimeField(null=True, blank=True)
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    target_id = models.CharField(max_length=64, blank=True)
    title = models.CharField(max_length=300)
    message = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    queued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "source_key"], name="reminder_once_per_source"
            )
        ]
        indexes = [
            # The dispatch tick: the first pending rows by due time. Partial, so the millions
            # of sent rows stay out of it and a tick that finds nothing reads one index page.
            models.Index(
                fields=["due_at"], name="reminder_due_pending", condition=Q(state="pending")
            ),
            # The same tick takes back rows queued long ago whose message was lost.
            models.Index(fields=["queued_at"], name="reminder_queued", condition=Q(state="queued")),
            # Someone's own reminders page.
            models.Index(fields=["recipient", "state", "due_at"], name="reminder_recipient"),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} · {self.title} · {self.due_at:%Y-%m-%d %H:%M}"


class Relationship(models.Model):
    """Someone we keep in touch with, and how often: a reminder fires when it goes quiet.

    Meetings, letters and stance assessments move `last_contact_on` forward.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="relationships"
    )
    person = models.ForeignKey(
        "contacts.Person",
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        related_name="relationships",
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="relationships",
    )
    cadence_days = models.PositiveIntegerField(_("keep in touch every (days)"), default=60)
    last_contact_on = models.DateField(_("last contact"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["last_contact_on"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "person"], name="relationship_unique")
        ]

    def __str__(self) -> str:
        return f"{self.owner} ↔ {self.person}"


class CalendarFeedQuerySet(models.QuerySet):
    def active(self) -> CalendarFeedQuerySet:
        return self.filter(revoked_at__isnull=True)


class CalendarFeed(models.Model):
    """A private iCalendar address: the owner's own events and follow-ups, or one campaign's.

    The token is the only secret; revoking it kills the address and a new one can be made.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.CASCADE, related_name="feeds"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.owner} · {self.campaign or _('personal')}"

    def get_absolute_url(self) -> str:
        return reverse("campaigns:feed", args=[self.token])

    @classmethod
    def new_token(cls) -> str:
        # 256 bits, URL-safe: the address is the only secret a calendar program keeps.
        return secrets.token_urlsafe(32)

    def revoke(self) -> None:
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])
