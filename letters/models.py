"""Letter actions: coordinated letter days, co-signed letters and FOI requests.

A `LetterAction` belongs to a campaign. Its targets are people from the directory, chosen
with the directory's filters and kept as `ActionTarget` rows (with the time zone their
letters arrive in). `LetterTemplate` holds the text per language with merge fields (see
letters.merge). `Signatory` is someone who writes or signs: a user, or a supporter who came
through the public action page and confirmed their address. `Letter` is one letter to one
target: its own idempotent unit of delivery (state, message id), and where the reply is
logged.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core import signing
from django.db import models
from django.db.models import Case, Count, Min, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Lower
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from advocacy.models import Membership, VisibleQuerySet, VisibleRecord
from contacts.models import Stance
from letters import foi


def new_public_key() -> str:
    return secrets.token_urlsafe(9)


def _count(model: type[models.Model], **where) -> Coalesce:
    """Rows of `model` per action (those matching `where`), as a subquery: two joined
    counts would multiply."""
    rows = (
        model.objects.filter(action=OuterRef("pk"), **where)
        .order_by()
        .values("action")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=models.IntegerField()), Value(0))


def _first_answer_due() -> Subquery:
    """The earliest day an FOI request of the action must be answered by, as a subquery."""
    rows = (
        Letter.objects.filter(action=OuterRef("pk"), foi_deadline__isnull=False)
        .order_by()
        .values("action")
        .annotate(first=Min("foi_deadline"))
        .values("first")
    )
    return Subquery(rows, output_field=models.DateField())


class LetterActionQuerySet(VisibleQuerySet):
    def for_list(self) -> LetterActionQuerySet:
        """For the list: campaign and organisation joined; each with its `target_count`,
        `letter_count`, `signed_count` (confirmed signatories) and `answer_due` (the
        first FOI deadline), counted in the same query."""
        return (
            self.select_related("campaign", "organisation")
            .annotate(
                target_count=_count(ActionTarget),
                letter_count=_count(Letter),
                signed_count=_count(Signatory, email_confirmed_at__isnull=False),
                answer_due=_first_answer_due(),
            )
            .order_by("-updated_at", "-id")
        )


class LetterAction(VisibleRecord):
    class Kind(models.TextChoices):
        LETTER_DAY = "letter_day", _("Coordinated letter day")
        COSIGNED = "cosigned", _("Co-signed letter")
        FOI = "foi", _("Freedom-of-information request")

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        PRINT = "print", _("Printed, sent by post")
        HAND = "hand", _("Printed, delivered by hand")

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open for letters")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        SENT = "sent", pgettext_lazy("a letter or letter action", "Sent")
        CLOSED = "closed", _("Closed")

    class ZonePolicy(models.TextChoices):
        TARGET = "target", _("At that time in each target's own time zone")
        FIXED = "fixed", _("At that time in one time zone")

    # Launched and not closed: ready letters are scheduled, failed ones can go again.
    SENDS_STATES = (State.SCHEDULED, State.SENDING, State.SENT)
    PRINTED_CHANNELS = (Channel.PRINT, Channel.HAND)

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="letter_actions",
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(
        _("why write"),
        blank=True,
        help_text=_("Shown to everyone taking part, on the public page too."),
    )
    talking_points = models.TextField(
        _("talking points"),
        blank=True,
        help_text=_("One per line: what a good letter says, in the writer's own words."),
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.EMAIL
    )
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    # When the letters arrive: the date, the local time, and whose local time.
    deliver_on = models.DateField(_("delivery date"), null=True, blank=True)
    deliver_at = models.TimeField(_("delivery time"), default=dt.time(9, 0))
    zone_policy = models.CharField(
        _("time zone"), max_length=10, choices=ZonePolicy.choices, default=ZonePolicy.TARGET
    )
    time_zone = models.CharField(
        _("fixed time zone"),
        max_length=64,
        default="UTC",
        help_text=_("Used when every letter arrives at the same moment."),
    )
    # The targets as a directory filter (DirectoryFilterForm.query()), e.g.
    # "committee=12&country=KE"; applying it fills ActionTarget.
    target_query = models.CharField(_("target selection"), max_length=1000, blank=True)
    copy_aides = models.BooleanField(
        _("copy their aides"), default=True, help_text=_("Aides with an email address get a copy.")
    )
    requires_approval = models.BooleanField(_("a coordinator approves each letter"), default=False)
    public_page = models.BooleanField(
        _("public action page"),
        default=False,
        help_text=_("Supporters without an account can take part through a link."),
    )
    public_key = models.CharField(max_length=20, unique=True, default=new_public_key)
    constituency_matching = models.BooleanField(
        _("constituents only"),
        default=False,
        help_text=_("Supporters write to, or co-sign for, only their own representatives."),
    )
    reply_to = models.EmailField(
        _("replies go to"),
        blank=True,
        help_text=_("For co-signed letters and requests. Letters with one writer use theirs."),
    )
    # FOI requests: the law that applies, and an override of its deadline.
    foi_country = models.ForeignKey(
        "contacts.Country",
        verbose_name=_("country whose law applies"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    foi_deadline_days = models.PositiveSmallIntegerField(
        _("days to answer"),
        null=True,
        blank=True,
        help_text=_("Leave empty to use the law of the country."),
    )
    foi_working_days = models.BooleanField(_("counted in working days"), null=True, blank=True)
    launched_at = models.DateTimeField(null=True, blank=True)
    launched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sending_started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = LetterActionQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["campaign", "state"], name="letteraction_campaign_state"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("letters:detail", args=[self.pk])

    def get_public_url(self) -> str:
        return reverse("letters:public", args=[self.public_key])

    @property
    def is_printed(self) -> bool:
        return self.channel in self.PRINTED_CHANNELS

    @property
    def is_cosigned(self) -> bool:
        return self.kind == self.Kind.COSIGNED

    @property
    def is_foi(self) -> bool:
        return self.kind == self.Kind.FOI

    @property
    def takes_part(self) -> bool:
        """Whether letters may still be written or signed."""
        return self.state in (self.State.OPEN, self.State.SCHEDULED)

    @property
    def foi_deadline_rule(self) -> foi.Deadline | None:
        """The days an FOI request's answer is due in: the action's own when it sets them,
        else the law of its country; None when neither is known."""
        return foi.deadline_for(
            self.foi_country_id, days=self.foi_deadline_days, working_days=self.foi_working_days
        )

    @property
    def sends(self) -> bool:
        """Whether it sends letters as they become ready (launched and not closed): a failed
        letter can be sent again."""
        return self.state in self.SENDS_STATES

    @property
    def is_changeable(self) -> bool:
        """Whether its targets, templates and delivery settings may still change: before
        launch, which schedules letters to its targets by them."""
        return self.state in (self.State.DRAFT, self.State.OPEN)

    @property
    def unwritten_is_gap(self) -> bool:
        """Whether a target without a letter is one nobody wrote to. A co-signed letter or
        an FOI request is made for every target at launch: before it, no target has one and
        none is missing."""
        return bool(self.launched_at) or not (self.is_cosigned or self.is_foi)

    @property
    def copies_aides(self) -> bool:
        """Whether the targets' aides get a copy: emailed letters of an action that copies
        them (letters.delivery puts them in Cc); a printed letter copies nobody."""
        return self.copy_aides and self.channel == self.Channel.EMAIL

    @property
    def public_page_live(self) -> bool:
        return self.public_page and self.takes_part

    def template_for(self, language: str) -> LetterTemplate | None:
        """The template in `language`, else English, else the first there is. Uses the
        prefetched templates when there are (prefetch_related("templates"))."""
        templates = {template.language: template for template in self.templates.all()}
        if not templates:
            return None
        return (
            templates.get(language)
            or templates.get(settings.LANGUAGE_CODE)
            or templates[sorted(templates)[0]]
        )

    def template_for_person(self, person, fallback: str) -> LetterTemplate | None:
        """The template in the first of `person`'s languages the action has a text in (a
        French-speaking minister reads French), else as `template_for(fallback)`."""
        templates = {template.language: template for template in self.templates.all()}
        for code in person.languages:
            template = templates.get(code.split("-")[0].lower())
            if template is not None:
                return template
        return self.template_for(fallback)


class LetterTemplate(models.Model):
    """The subject and body in one language, with merge fields such as
    {{ target.full_name }}; letters.merge checks and renders them."""

    action = models.ForeignKey(LetterAction, on_delete=models.CASCADE, related_name="templates")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("letter"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["action", "language"]
        constraints = [
            models.UniqueConstraint(fields=["action", "language"], name="template_one_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.action} · {self.language}"


class ActionTarget(models.Model):
    """Someone the action writes to, with the time zone their letters arrive in."""

    action = models.ForeignKey(LetterAction, on_delete=models.CASCADE, related_name="targets")
    person = models.ForeignKey(
        "contacts.Person", on_delete=models.CASCADE, related_name="letter_targets"
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="letter_targets",
    )
    # Printed letters: the file made on the day, and when it was handed over or posted.
    pdf = models.FileField(upload_to="letters/%Y/%m/", blank=True, max_length=300)
    delivered_at = models.DateTimeField(null=True, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["action", "person__sort_name", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["action", "person"], name="target_once_per_action")
        ]

    def __str__(self) -> str:
        return f"{self.action} → {self.person}"


class Signatory(models.Model):
    """Someone who writes or co-signs: a user, or a supporter without an account whose
    address is confirmed by a link before their letter or signature counts."""

    SALT = "letters.signatory"

    class Role(models.TextChoices):
        CONSTITUENT = "constituent", _("Constituent")
        FAITH_LEADER = "faith_leader", _("Faith leader")
        COMMUNITY_LEADER = "community_leader", _("Community leader")
        ORGANISATION = "organisation", _("On behalf of an organisation")
        EXPERT = "expert", _("Expert or academic")
        SURVIVOR = "survivor", _("Survivor or person affected")
        CAMPAIGNER = "campaigner", _("Campaigner")
        OTHER = "other", _("Other")

    action = models.ForeignKey(LetterAction, on_delete=models.CASCADE, related_name="signatories")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="signatures",
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email address"))
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)
    title = models.CharField(
        _("your role there"), max_length=200, blank=True, help_text=_("Imam, head teacher…")
    )
    role = models.CharField(
        _("you write as"), max_length=20, choices=Role.choices, default=Role.CONSTITUENT
    )
    area = models.ForeignKey(
        "contacts.Area",
        verbose_name=_("constituency"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    address = models.TextField(_("address"), blank=True)
    nonce = models.CharField(max_length=32, default="", editable=False)
    confirmation_sent_at = models.DateTimeField(null=True, blank=True)
    email_confirmed_at = models.DateTimeField(null=True, blank=True)
    consent_named_at = models.DateTimeField(null=True, blank=True)
    consent_contact_at = models.DateTimeField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["action", "name"]
        constraints = [
            models.UniqueConstraint(
                "action", Lower("email"), name="signatory_once_per_action_email"
            )
        ]
        indexes = [
            # Rate limits: sign-ups from one address (IP) in the last hour.
            models.Index(fields=["ip_address", "created_at"], name="signatory_ip_recent"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    @cached_property
    def role_label(self) -> str:
        """What the signatory is, as a page about their letter says it. Someone with an
        account who writes as themselves (the role `participation.signatory_for_user` gives)
        is what they are in the organisation, as the letters list says ("Coordinator"): in
        the action's organisation, else their own (a coalition partner). Anyone else is what
        they said they write or sign as ("Constituent"). One query for a member, else none."""
        if self.user_id and self.role == self.Role.CAMPAIGNER:
            here = LetterAction.objects.filter(pk=self.action_id).values("organisation_id")
            role = (
                Membership.objects.filter(user_id=self.user_id)
                .order_by(
                    Case(When(organisation_id=Subquery(here), then=Value(0)), default=Value(1)),
                    "pk",
                )
                .values_list("role", flat=True)
                .first()
            )
            if role in Membership.Role.values:
                return str(Membership.Role(role).label)
        return str(self.get_role_display())

    def renew_nonce(self) -> None:
        self.nonce = secrets.token_hex(16)

    @property
    def token(self) -> str:
        """Signed (id, nonce): the link in the confirmation email and, after it, the
        supporter's way back to their letter without an account."""
        return signing.dumps([self.pk, self.nonce], salt=self.SALT, compress=True)

    @classmethod
    def from_token(cls, token: str, *, related: tuple[str, ...] = ("action",)) -> Signatory | None:
        """The signatory the link is for, with `related` joined; None when it does not
        verify."""
        try:
            pk, nonce = signing.loads(token, salt=cls.SALT)
        except (signing.BadSignature, ValueError, TypeError):
            return None
        signatory = cls.objects.select_related(*related).filter(pk=pk).first()
        if signatory is None or not secrets.compare_digest(signatory.nonce, str(nonce)):
            return None
        return signatory


class LetterQuerySet(models.QuerySet):
    def visible_to(self, user) -> LetterQuerySet:
        return self.filter(action__in=LetterAction.objects.visible_to(user).values("pk"))


class Letter(models.Model):
    """One letter to one target, from one signatory (a letter day, an FOI request) or from
    all of the action's confirmed signatories (a co-signed letter: `signatory` is empty)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Waiting for approval")
        READY = "ready", _("Ready")
        SCHEDULED = "scheduled", _("Scheduled")
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        PRINTED = "printed", _("Printed, to deliver")
        SENT = "sent", pgettext_lazy("a letter or letter action", "Sent")
        FAILED = "failed", _("Failed")
        BOUNCED = "bounced", _("Bounced")

    # Written but not yet on its way: the writer may still change it.
    EDITABLE = (State.DRAFT, State.SUBMITTED, State.READY)
    # On its way: the dispatcher and the send task own it.
    IN_FLIGHT = (State.QUEUED, State.SENDING)
    # Went out of our hands, sent by email or printed for delivery: a reply may come.
    WENT_OUT = (State.SENT, State.PRINTED)

    class ReplyKind(models.TextChoices):
        ANSWER = "answer", _("Answer")
        ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement only")
        REFUSAL = "refusal", _("Refusal")
        NO_ANSWER = "no_answer", _("No answer")

    # The kinds that are a reply (the rest: none came).
    REPLY_KINDS = (ReplyKind.ANSWER, ReplyKind.ACKNOWLEDGEMENT, ReplyKind.REFUSAL)

    action = models.ForeignKey(LetterAction, on_delete=models.CASCADE, related_name="letters")
    target = models.ForeignKey(
        "contacts.Person",
        verbose_name=_("to"),
        on_delete=models.PROTECT,
        related_name="letters_received",
    )
    signatory = models.ForeignKey(
        Signatory, null=True, blank=True, on_delete=models.CASCADE, related_name="letters"
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("letter"))
    # How close the body is to the template rendered for the same target, 0 to 1.
    similarity = models.FloatField(null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # Why a coordinator sent it back to its writer; cleared when the writer submits again.
    review_note = models.TextField(_("changes asked for"), blank=True)
    # Delivery: the moment it should arrive (UTC), then the send task's own bookkeeping.
    due_at = models.DateTimeField(null=True, blank=True)
    queued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    message_id = models.CharField(max_length=255, blank=True)
    to_email = models.CharField(max_length=254, blank=True)
    cc = models.JSONField(default=list, blank=True)
    # FOI requests: when the answer is due by law.
    foi_deadline = models.DateField(_("answer due by"), null=True, blank=True)
    # The writer was asked whether a reply came (fourteen days after sending).
    reply_check_sent_at = models.DateTimeField(null=True, blank=True)
    reply_kind = models.CharField(_("reply"), max_length=20, choices=ReplyKind.choices, blank=True)
    reply_received_on = models.DateField(_("received on"), null=True, blank=True)
    reply_summary = models.TextField(_("what they said"), blank=True)
    reply_commitment = models.TextField(_("commitment made"), blank=True)
    reply_stance = models.CharField(
        _("their stance now"), max_length=12, choices=Stance.choices, blank=True
    )
    reply_logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reply_logged_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LetterQuerySet.as_manager()

    class Meta:
        ordering = ["action", "target__sort_name", "target__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["message_id"], condition=~Q(message_id=""), name="letter_message_id_unique"
            ),
            # One letter per writer and target; one co-signed letter per target.
            models.UniqueConstraint(
                fields=["action", "target", "signatory"],
                condition=Q(signatory__isnull=False),
                name="letter_once_per_signatory_target",
            ),
            models.UniqueConstraint(
                fields=["action", "target"],
                condition=Q(signatory__isnull=True),
                name="letter_cosigned_once_per_target",
            ),
        ]
        indexes = [
            # The dispatcher: scheduled letters by the time they are due.
            models.Index(
                fields=["due_at"], name="letter_due_scheduled", condition=Q(state="scheduled")
            ),
            # The sweeper: letters queued or claimed long ago whose task was lost.
            models.Index(
                fields=["claimed_at"],
                name="letter_in_flight",
                condition=Q(state__in=["queued", "sending"]),
            ),
            # Progress and results: an action's letters by state.
            models.Index(fields=["action", "state"], name="letter_action_state"),
            # A person's timeline and a meeting's dossier: letters to them, newest first.
            models.Index(fields=["target", "-sent_at"], name="letter_target_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {self.target}"

    def get_absolute_url(self) -> str:
        return reverse("letters:letter", args=[self.action_id, self.pk])

    @property
    def is_editable(self) -> bool:
        return self.state in self.EDITABLE

    @property
    def has_reply(self) -> bool:
        return self.reply_kind in self.REPLY_KINDS

    @property
    def reported_by_writer(self) -> bool:
        """The reply was reported by the writer (public form), not logged by an editor."""
        return (
            bool(self.reply_kind)
            and self.reply_logged_at is not None
            and not (self.reply_logged_by_id)
        )
