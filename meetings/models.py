"""Lobby meetings and informal encounters: preparation, the log, outcomes and follow-ups.

Off the record means off the record: the app keeps *that* part of a meeting was off the
record and roughly for how long (`OffRecordSegment`), never what was said. Nothing here has
a field for it, so no report, export or PDF can leak it.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Count, F, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from advocacy.models import Organisation, VisibleQuerySet, VisibleRecord
from advocacy.zones import zone


def _count_per_meeting(rows: models.QuerySet) -> Coalesce:
    """A subquery counting related rows of each meeting: no join that would multiply rows."""
    counted = rows.filter(meeting=OuterRef("pk")).order_by().values("meeting")
    return Coalesce(
        Subquery(counted.annotate(n=Count("pk")).values("n"), output_field=models.IntegerField()),
        0,
    )


class MeetingQuerySet(VisibleQuerySet):
    def upcoming(self) -> MeetingQuerySet:
        return self.filter(
            starts_at__gte=timezone.now(),
            status__in=[Meeting.Status.PLANNED, Meeting.Status.PREPARED],
        ).order_by("starts_at")

    def past(self) -> MeetingQuerySet:
        return self.filter(starts_at__lt=timezone.now()).order_by("-starts_at")

    def involving(self, user) -> MeetingQuerySet:
        """Meetings the user attends, leads, follows up or planned."""
        mine = Meeting.objects.filter(
            Q(our_attendees=user) | Q(lead=user) | Q(follow_up_owner=user) | Q(created_by=user)
        )
        return self.filter(pk__in=mine.values("pk"))

    def with_progress(self) -> MeetingQuerySet:
        """Annotated with `checklist_total` and `checklist_done`, one subquery each."""
        return self.annotate(
            checklist_total=_count_per_meeting(ChecklistItem.objects.all()),
            checklist_done=_count_per_meeting(ChecklistItem.objects.filter(done_at__isnull=False)),
        )

    def for_list(self) -> MeetingQuerySet:
        """With what a line of a list shows: campaign, organisation and lead joined, checklist
        progress annotated, their attendees in one more query for the whole page."""
        return (
            self.select_related("campaign", "organisation", "lead")
            .prefetch_related(
                Prefetch(
                    "attendees",
                    queryset=MeetingAttendee.objects.select_related("person", "institution"),
                )
            )
            .with_progress()
        )

    def for_detail(self) -> MeetingQuerySet:
        """With everything the meeting page shows, one query per kind of row."""
        return self.select_related(
            "campaign", "organisation", "lead", "follow_up_owner", "created_by"
        ).prefetch_related(
            Prefetch(
                "attendees",
                queryset=MeetingAttendee.objects.select_related("person", "institution").order_by(
                    "pk"
                ),
            ),
            "our_attendees",
            "checklist",
            "off_record",
            Prefetch("commitments", queryset=Commitment.objects.select_related("person")),
            Prefetch(
                "follow_ups",
                queryset=FollowUp.objects.select_related("owner").order_by(
                    F("done_at").asc(nulls_first=True), F("due_on").asc(nulls_last=True), "pk"
                ),
            ),
        )


class Meeting(VisibleRecord):
    class Kind(models.TextChoices):
        FORMAL = "formal", _("Formal meeting")
        INFORMAL = "informal", _("Informal encounter")
        CALL = "call", _("Call")
        ROUND_TABLE = "round_table", _("Round table")
        FIELD_VISIT = "field_visit", _("Field visit")
        CHECK_IN = "check_in", _("Recurring check-in")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        PREPARED = "prepared", _("Prepared")
        HELD = "held", _("Held")
        WRITTEN_UP = "written_up", _("Written up")
        CANCELLED = "cancelled", _("Cancelled")

    class Objective(models.TextChoices):
        INFORMATION = "information", _("Get information")
        CHANGE_POSITION = "change_position", _("Change a position")
        ACTION = "action", _("Ask for an action")
        RELATIONSHIP = "relationship", _("Build the relationship")
        THANKS = "thanks", _("Thank them")
        OTHER = "other", _("Other")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.FORMAL)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    title = models.CharField(_("title"), max_length=300, blank=True)
    starts_at = models.DateTimeField(_("when"))
    ends_at = models.DateTimeField(_("until"), null=True, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    location = models.CharField(_("where"), max_length=300, blank=True)
    online_url = models.URLField(_("online link"), max_length=1000, blank=True)
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings",
    )
    our_attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("our attendees"),
        blank=True,
        related_name="meetings_attended",
    )
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who leads"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meetings_led",
    )
    follow_up_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who follows up"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    objective = models.CharField(
        _("objective"), max_length=20, choices=Objective.choices, blank=True
    )
    objective_detail = models.TextField(_("objective in a sentence"), blank=True)
    ask = models.TextField(_("the ask"), blank=True, help_text=_("What are we asking them to do?"))
    questions = models.TextField(_("questions to ask"), blank=True)
    # The write-up. Off-the-record parts are never typed here: see OffRecordSegment.
    notes = models.TextField(_("notes"), blank=True)
    summary = models.TextField(_("outcome"), blank=True)
    # Set when the user shares an outcome report with the coalition (private parts omitted).
    shared_report_at = models.DateTimeField(null=True, blank=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=models.F("starts_at")),
                name="meeting_ends_after_start",
            )
        ]
        indexes = [
            # "My meetings" and the dashboard: a user's organisation's meetings by date.
            models.Index(fields=["organisation", "-starts_at"], name="meeting_org_date"),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} {self.starts_at:%Y-%m-%d}"

    def get_absolute_url(self) -> str:
        return reverse("meetings:detail", args=[self.pk])

    @property
    def evidence_key(self) -> str:
        """How a stance assessment made at this meeting names it (its `evidence_object`)."""
        return f"meetings.meeting:{self.pk}"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zone(self.time_zone)

    @property
    def local_start(self) -> dt.datetime:
        """The start on the wall clock where the meeting takes place."""
        return self.starts_at.astimezone(self.zone)

    @property
    def local_end(self) -> dt.datetime | None:
        return self.ends_at.astimezone(self.zone) if self.ends_at else None

    @property
    def local_date(self) -> dt.date:
        return self.local_start.date()

    @property
    def is_open(self) -> bool:
        """Still to be held or written up."""
        return self.status in (self.Status.PLANNED, self.Status.PREPARED, self.Status.HELD)

    @property
    def progress(self) -> tuple[int, int]:
        """(items ticked, items) of the prep checklist, from `with_progress()` when annotated."""
        if hasattr(self, "checklist_total"):
            return self.checklist_done, self.checklist_total
        items = list(self.checklist.all())
        return sum(1 for item in items if item.done_at), len(items)

    def note_blocks(self) -> list[NoteBlock]:
        """The notes paragraph by paragraph, with a marker wherever a part was off the
        record. Internal views only: shared ones show no notes at all."""
        paragraphs = note_paragraphs(self.notes)
        segments = sorted(self.off_record.all(), key=lambda s: (s.after_paragraph, s.pk))
        blocks: list[NoteBlock] = []
        for index in range(len(paragraphs) + 1):
            # A marker placed after a paragraph since deleted shows at the end.
            last = index == len(paragraphs)
            for segment in segments:
                at = min(segment.after_paragraph, len(paragraphs))
                if at == index:
                    blocks.append(NoteBlock(off_record=segment))
            if not last:
                blocks.append(NoteBlock(text=paragraphs[index]))
        return blocks


def note_paragraphs(notes: str) -> list[str]:
    """Each non-empty line of the notes is a paragraph: notes typed on a phone are lines."""
    return [line.strip() for line in notes.splitlines() if line.strip()]


@dataclass(frozen=True)
class NoteBlock:
    """A paragraph of the notes, or the place where a part was off the record."""

    text: str = ""
    off_record: OffRecordSegment | None = None


class MeetingAttendee(models.Model):
    """Someone on their side, and the institution they represented at this meeting."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendees")
    person = models.ForeignKey(
        "contacts.Person",
        verbose_name=_("person"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="meeting_attendances",
    )
    institution = models.ForeignKey(
        "contacts.Institution",
        verbose_name=_("institution"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="meeting_attendances",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(institution__isnull=False),
                name="attendee_person_or_institution",
            ),
            models.UniqueConstraint(
                fields=["meeting", "person"],
                condition=Q(person__isnull=False),
                name="attendee_person_once",
            ),
        ]

    def __str__(self) -> str:
        return str(self.person or self.institution)


class ChecklistTemplate(models.Model):
    """An organisation's editable prep checklist, copied into each meeting when planned."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="checklist_templates"
    )
    name = models.CharField(_("name"), max_length=200)
    is_default = models.BooleanField(_("default for new meetings"), default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(is_default=True),
                name="checklist_one_default",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ChecklistTemplateItem(models.Model):
    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    text = models.CharField(_("item"), max_length=300)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class ChecklistItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="checklist")
    text = models.CharField(_("item"), max_length=300)
    position = models.PositiveSmallIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.text


class OffRecordSegment(models.Model):
    """That part of a meeting was off the record, and roughly how long. Never what was said."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="off_record")
    # Where it fell in the notes (after which paragraph), so the write-up can show a marker.
    after_paragraph = models.PositiveSmallIntegerField(default=0)
    approx_minutes = models.PositiveSmallIntegerField(
        _("about how many minutes"), null=True, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["after_paragraph", "id"]

    def __str__(self) -> str:
        return f"off the record ({self.approx_minutes or '?'} min)"


class Commitment(models.Model):
    """Something promised at the meeting, by them or by us."""

    class By(models.TextChoices):
        THEM = "them", _("They committed")
        US = "us", _("We committed")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="commitments")
    by = models.CharField(_("by"), max_length=4, choices=By.choices)
    text = models.TextField(_("commitment"))
    person = models.ForeignKey(
        "contacts.Person",
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="commitments",
    )
    due_on = models.DateField(_("by when"), null=True, blank=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["by", "due_on", "id"]

    def __str__(self) -> str:
        return self.text[:80]


class FollowUpQuerySet(models.QuerySet):
    def open(self) -> FollowUpQuerySet:
        return self.filter(done_at__isnull=True)

    def overdue(self) -> FollowUpQuerySet:
        return self.open().filter(due_on__lt=timezone.localdate())

    def done_since(self, since: dt.datetime) -> FollowUpQuerySet:
        return self.filter(done_at__gte=since)

    def for_list(self) -> FollowUpQuerySet:
        """With the meeting, its campaign, the owner and the person joined."""
        return self.select_related("meeting__campaign", "owner", "person")

    def open_first(self) -> FollowUpQuerySet:
        """Open ones by due date, overdue first and undated last."""
        return self.open().order_by(F("due_on").asc(nulls_last=True), "id")


class FollowUp(models.Model):
    """An action point with an owner and a date; feeds the reminder engine."""

    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="follow_ups"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("what"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="follow_ups",
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    person = models.ForeignKey(
        "contacts.Person",
        verbose_name=_("about"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
    )
    note = models.TextField(_("note"), blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        ordering = ["done_at", "due_on", "id"]
        indexes = [
            # "My follow-ups": a user's open ones by due date.
            models.Index(fields=["owner", "done_at", "due_on"], name="followup_owner_open"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:follow_ups")

    @property
    def reminder_key(self) -> str:
        """The `source_key` of its reminder in campaigns.reminders."""
        return f"followup:{self.pk}"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def is_overdue(self) -> bool:
        return not self.is_done and self.due_on is not None and self.due_on < timezone.localdate()


class Brief(models.Model):
    """The leave-behind for one meeting, edited before rendering; the PDF is kept."""

    class Kind(models.TextChoices):
        LEAVE_BEHIND = "leave_behind", _("Leave-behind brief")
        PACK = "pack", _("Meeting pack (internal)")
        REPORT = "report", _("Meeting report")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="briefs")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.LEAVE_BEHIND)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    # The edited content: title, ask, messages, facts (with sources), hook, contact.
    content = models.JSONField(default=dict, blank=True)
    pdf = models.FileField(upload_to="briefs/%Y/%m/", blank=True, max_length=300)
    rendered_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.language}) · {self.meeting}"
