"""The policy-maker directory, modelled on Popolo so real legislature data imports without loss.

Popolo Organization is `Institution`, Membership is `Position`. Identifiers, other names,
links and contact points hang off a person, an institution (or, for identifiers, an area)
through nullable foreign keys with a check that exactly one is set: plain joins, and a merge
only has to repoint one column.

The directory is shared by the whole deployment; what an organisation thinks of a person
(`StanceAssessment`) is a visible record with the usual rules.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from advocacy.models import VisibleQuerySet, VisibleRecord


class DatePrecision(models.TextChoices):
    """Popolo dates may be a year, a year and month, or a full date."""

    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


def format_precise_date(value: dt.date | None, precision: str) -> str:
    """A date shown only as precisely as it is known: '2019', 'May 2019' or '14 May 2019'."""
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return str(value.year)
    if precision == DatePrecision.MONTH:
        return formats.date_format(value, "YEAR_MONTH_FORMAT")
    return formats.date_format(value, "DATE_FORMAT")


def one_owner(*fields: str, name: str) -> models.CheckConstraint:
    """Exactly one of the given foreign keys is set."""
    condition = Q()
    for field in fields:
        only_this = Q(**{f"{field}__isnull": False})
        for other in fields:
            if other != field:
                only_this &= Q(**{f"{other}__isnull": True})
        condition |= only_this
    return models.CheckConstraint(condition=condition, name=name)


class CountryQuerySet(models.QuerySet):
    def ensure(self, code: str) -> Country:
        """The country with this ISO code, adding its row on first use.

        Countries are reference data from django-countries; rows exist only for countries
        the directory mentions, so a form may offer every code and add the row when chosen.
        """
        code = code.upper()
        country, _created = self.get_or_create(
            code=code, defaults={"name": countries.name(code) or code}
        )
        return country


class Country(models.Model):
    code = models.CharField(_("ISO code"), max_length=2, primary_key=True)
    name = models.CharField(_("name"), max_length=100)

    objects = CountryQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = _("countries")

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("contacts:country", args=[self.code])

    @property
    def display_name(self) -> str:
        """The name in the reader's language, from django-countries' catalogues."""
        return str(countries.name(self.code)) or self.name


class Tag(models.Model):
    """Issue affinities (victim assistance, development...) and policy hooks."""

    class Kind(models.TextChoices):
        ISSUE = "issue", _("Issue affinity")
        HOOK = "hook", _("Policy hook")

    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.ISSUE)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Area(models.Model):
    """A constituency, county, region or other geographic division; nested."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("type"), max_length=60, blank=True, help_text=_("constituency, region…")
    )
    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="areas"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["country", "name"], name="area_country_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("contacts:area", args=[self.pk])


class Institution(models.Model):
    """A Popolo Organization: government, ministry, parliament, committee, party, mission..."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government")
        MINISTRY = "ministry", _("Ministry")
        DEPARTMENT = "department", _("Department")
        PARLIAMENT = "parliament", _("Parliament")
        CHAMBER = "chamber", _("Chamber")
        COMMITTEE = "committee", _("Committee")
        PARTY = "party", _("Party")
        MISSION = "mission", _("Permanent mission")
        EMBASSY = "embassy", _("Embassy")
        INTERNATIONAL = "international", _("International organisation")
        CSO = "cso", _("Civil-society organisation")
        MEDIA = "media", _("Media")
        OTHER = "other", _("Other")

    # Kinds whose members are counted by party on the institution's page.
    LEGISLATIVE_KINDS = (Kind.PARLIAMENT, Kind.CHAMBER)

    name = models.CharField(_("name"), max_length=300)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    country = models.ForeignKey(
        Country,
        verbose_name=_("country"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="institutions",
    )
    city = models.CharField(
        _("city"), max_length=100, blank=True, help_text=_("For missions: Geneva, New York…")
    )
    is_governing = models.BooleanField(
        _("governing party"), default=False, help_text=_("For parties: in government now.")
    )
    seats = models.PositiveIntegerField(_("seats"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    founding_date = models.DateField(_("founded"), null=True, blank=True)
    dissolution_date = models.DateField(_("dissolved"), null=True, blank=True)
    tags = models.ManyToManyField(
        Tag, verbose_name=_("tags"), blank=True, related_name="institutions"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            # Directory filters and country pages: institutions of one kind in one country.
            models.Index(fields=["country", "kind"], name="institution_country_kind"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("contacts:institution", args=[self.pk])


class PersonQuerySet(models.QuerySet):
    def with_current_positions(self) -> PersonQuerySet:
        return self.prefetch_related(
            models.Prefetch(
                "positions",
                queryset=Position.objects.current().select_related("institution", "party", "area"),
                to_attr="current_positions",
            )
        )


class Person(models.Model):
    """A Popolo Person: an MP, a minister, a desk officer, a diplomat, an aide."""

    class Gender(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Other")

    name = models.CharField(_("full name"), max_length=300)
    given_name = models.CharField(_("given name"), max_length=150, blank=True)
    family_name = models.CharField(_("family name"), max_length=150, blank=True)
    sort_name = models.CharField(_("sort name"), max_length=300, blank=True)
    honorific_prefix = models.CharField(_("honorific"), max_length=60, blank=True)
    honorific_suffix = models.CharField(_("honorific suffix"), max_length=60, blank=True)
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    birth_date = models.CharField(
        _("birth date"), max_length=10, blank=True, help_text=_("YYYY, YYYY-MM or YYYY-MM-DD")
    )
    death_date = models.CharField(_("death date"), max_length=10, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    biography = models.TextField(_("biography"), blank=True)
    past_interests = models.TextField(
        _("past interests"), blank=True, help_text=_("Causes, votes and statements of note.")
    )
    image = models.URLField(_("photo"), blank=True, max_length=500)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="people")
    # Names, other names, roles and institutions, lower-cased and without accents; kept up
    # to date by contacts.search.person_refresh_search after every write.
    search_document = models.TextField(blank=True, editable=False)
    # PostgreSQL only; its GIN index is made by a migration that SQLite skips.
    search_vector = SearchVectorField(null=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["sort_name", "name"]
        verbose_name_plural = _("people")
        indexes = [
            # Directory default order and keyset paging.
            models.Index(fields=["sort_name", "name", "id"], name="person_sort"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("contacts:person", args=[self.pk])

    @property
    def display_name(self) -> str:
        return " ".join(part for part in (self.honorific_prefix, self.name) if part)


class Post(models.Model):
    """A seat or office held in turn: 'Minister of Foreign Affairs', a constituency's seat."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="posts")
    label = models.CharField(_("label"), max_length=200)
    role = models.CharField(_("role"), max_length=100, blank=True)
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="posts"
    )
    seats = models.PositiveIntegerField(
        _("seats"), default=1, help_text=_("How many people may hold it at once.")
    )

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class PositionQuerySet(models.QuerySet):
    def current(self, on: dt.date | None = None) -> PositionQuerySet:
        """Held on the given day (today by default): started, and not ended."""
        on = on or timezone.localdate()
        return self.filter(
            Q(start_date__isnull=True) | Q(start_date__lte=on),
            Q(end_date__isnull=True) | Q(end_date__gte=on),
        )

    def past(self, on: dt.date | None = None) -> PositionQuerySet:
        on = on or timezone.localdate()
        return self.filter(end_date__lt=on)


class Position(models.Model):
    """A Popolo Membership: a person holds a role in an institution, maybe for a party or area.

    An aide's position is held *to* another person (`to_person`).
    """

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="positions")
    institution = models.ForeignKey(
        Institution,
        verbose_name=_("institution"),
        on_delete=models.CASCADE,
        related_name="positions",
    )
    role = models.CharField(
        _("role"), max_length=100, blank=True, help_text=_("MP, minister, desk officer, aide…")
    )
    post = models.ForeignKey(
        Post,
        verbose_name=_("post"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="positions",
    )
    post_label = models.CharField(_("post"), max_length=200, blank=True)
    area = models.ForeignKey(
        Area,
        verbose_name=_("constituency or area"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="positions",
    )
    party = models.ForeignKey(
        Institution,
        verbose_name=_("party"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="party_positions",
        limit_choices_to={"kind": Institution.Kind.PARTY},
    )
    to_person = models.ForeignKey(
        Person,
        verbose_name=_("aide to"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="aide_positions",
    )
    legislative_period = models.CharField(_("legislative period"), max_length=100, blank=True)
    start_date = models.DateField(_("start"), null=True, blank=True)
    start_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    # A year-only end date is stored as the year's last day, so "current" compares simply.
    end_date = models.DateField(_("end"), null=True, blank=True)
    end_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PositionQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "institution__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="position_dates_in_order",
            ),
            models.CheckConstraint(
                condition=~Q(to_person=models.F("person")), name="position_not_own_aide"
            ),
        ]
        indexes = [
            # Directory filters: current members of an institution / of a party.
            models.Index(fields=["institution", "end_date"], name="position_institution_end"),
            models.Index(fields=["party", "end_date"], name="position_party_end"),
            models.Index(fields=["person", "end_date"], name="position_person_end"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.role or self.post_label} · {self.institution}"

    @property
    def title(self) -> str:
        return self.post_label or self.role

    @property
    def start_label(self) -> str:
        return format_precise_date(self.start_date, self.start_precision)

    @property
    def end_label(self) -> str:
        return format_precise_date(self.end_date, self.end_precision)

    def is_current(self, on: dt.date | None = None) -> bool:
        on = on or timezone.localdate()
        started = self.start_date is None or self.start_date <= on
        return started and (self.end_date is None or self.end_date >= on)

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end comes before the start.")})
        if self.to_person_id and self.to_person_id == self.person_id:
            raise ValidationError({"to_person": _("Someone cannot be their own aide.")})
        if self.post_id:
            self._check_post_free()

    def _check_post_free(self) -> None:
        """A post holds at most `seats` people at any one time."""
        overlapping = Position.objects.filter(post_id=self.post_id).exclude(pk=self.pk)
        if self.end_date:
            overlapping = overlapping.filter(
                Q(start_date__isnull=True) | Q(start_date__lte=self.end_date)
            )
        if self.start_date:
            overlapping = overlapping.filter(
                Q(end_date__isnull=True) | Q(end_date__gte=self.start_date)
            )
        if overlapping.count() >= self.post.seats:
            raise ValidationError({"post": _("Someone else holds this post over the same dates.")})


class ContactPointQuerySet(models.QuerySet):
    def current(self, on: dt.date | None = None) -> ContactPointQuerySet:
        """Valid on the given day (today by default): from its start, to its end."""
        on = on or timezone.localdate()
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=on),
            Q(valid_until__isnull=True) | Q(valid_until__gte=on),
        )


class ContactPoint(models.Model):
    class Kind(models.TextChoices):
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone")
        FAX = "fax", _("Fax")
        CAPITAL_OFFICE = "capital_office", _("Capital office")
        CONSTITUENCY_OFFICE = "constituency_office", _("Constituency office")
        WEBSITE = "website", _("Website")
        TWITTER = "twitter", _("X / Twitter")
        FACEBOOK = "facebook", _("Facebook")
        OTHER_SOCIAL = "social", _("Other social media")

    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="contact_points"
    )
    institution = models.ForeignKey(
        Institution, null=True, blank=True, on_delete=models.CASCADE, related_name="contact_points"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    value = models.CharField(
        _("value"), max_length=500, help_text=_("Address, number, email or handle.")
    )
    label = models.CharField(_("label"), max_length=100, blank=True)
    hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = ContactPointQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "label"]
        constraints = [
            one_owner("person", "institution", name="contact_point_one_owner"),
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="contact_point_dates_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"

    @property
    def is_expired(self) -> bool:
        return self.valid_until is not None and self.valid_until < timezone.localdate()

    @property
    def is_upcoming(self) -> bool:
        return self.valid_from is not None and self.valid_from > timezone.localdate()


class Identifier(models.Model):
    """An id in another system: EveryPolitician, Wikidata, a parliament's own."""

    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="identifiers"
    )
    institution = models.ForeignKey(
        Institution, null=True, blank=True, on_delete=models.CASCADE, related_name="identifiers"
    )
    area = models.ForeignKey(
        Area, null=True, blank=True, on_delete=models.CASCADE, related_name="identifiers"
    )
    scheme = models.CharField(_("scheme"), max_length=60)
    value = models.CharField(_("identifier"), max_length=300)

    class Meta:
        ordering = ["scheme"]
        constraints = [
            one_owner("person", "institution", "area", name="identifier_one_owner"),
            # One id names one record: what makes imports idempotent.
            models.UniqueConstraint(
                fields=["scheme", "value"],
                condition=Q(person__isnull=False),
                name="identifier_person_unique",
            ),
            models.UniqueConstraint(
                fields=["scheme", "value"],
                condition=Q(institution__isnull=False),
                name="identifier_institution_unique",
            ),
            models.UniqueConstraint(
                fields=["scheme", "value"],
                condition=Q(area__isnull=False),
                name="identifier_area_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scheme}:{self.value}"


# BCP 47 primary language subtags and ISO 15924 scripts written right to left.
RTL_LANGUAGES = {"ar", "arc", "ckb", "dv", "fa", "he", "ks", "ku", "ps", "sd", "ug", "ur", "yi"}
RTL_SCRIPTS = {"Arab", "Hebr", "Nkoo", "Syrc", "Thaa", "Adlm", "Rohg"}


class OtherName(models.Model):
    """Another name or spelling, often in another script; `language` is a BCP 47 tag."""

    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="other_names"
    )
    institution = models.ForeignKey(
        Institution, null=True, blank=True, on_delete=models.CASCADE, related_name="other_names"
    )
    name = models.CharField(_("name"), max_length=300)
    language = models.CharField(_("language"), max_length=20, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["language", "name"]
        constraints = [one_owner("person", "institution", name="other_name_one_owner")]

    def __str__(self) -> str:
        return self.name

    @property
    def text_direction(self) -> str:
        """'rtl' for right-to-left languages and scripts; otherwise the browser decides."""
        subtags = self.language.replace("_", "-").split("-")
        scripts = [tag.title() for tag in subtags[1:] if len(tag) == 4]
        if scripts:
            return "rtl" if scripts[0] in RTL_SCRIPTS else "ltr"
        return "rtl" if subtags[0].lower() in RTL_LANGUAGES else "auto"


class Link(models.Model):
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="links"
    )
    institution = models.ForeignKey(
        Institution, null=True, blank=True, on_delete=models.CASCADE, related_name="links"
    )
    url = models.URLField(_("address"), max_length=1000)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        constraints = [one_owner("person", "institution", name="link_one_owner")]

    def __str__(self) -> str:
        return self.url


class Stance(models.TextChoices):
    CHAMPION = "champion", _("Champion")
    SUPPORTIVE = "supportive", _("Supportive")
    UNDECIDED = "undecided", _("Undecided")
    UNKNOWN = "unknown", _("Unknown")
    OPPOSED = "opposed", _("Opposed")
    HOSTILE = "hostile", _("Hostile")


# From most to least favourable; charts plot this as the vertical position.
STANCE_SCALE = {
    Stance.CHAMPION: 5,
    Stance.SUPPORTIVE: 4,
    Stance.UNDECIDED: 3,
    Stance.UNKNOWN: 3,
    Stance.OPPOSED: 2,
    Stance.HOSTILE: 1,
}


class StanceAssessmentQuerySet(VisibleQuerySet):
    def current_for(self, user) -> StanceAssessmentQuerySet:
        """The current stance as the user may know it: per campaign and target, the newest
        assessment among those visible to them. Portable SQL (no DISTINCT ON) for SQLite."""
        visible = StanceAssessment.objects.visible_to(user).order_by("-assessed_at", "-id")
        newest_for_person = visible.filter(
            campaign=models.OuterRef("campaign"), person=models.OuterRef("person")
        ).values("id")[:1]
        newest_for_institution = visible.filter(
            campaign=models.OuterRef("campaign"), institution=models.OuterRef("institution")
        ).values("id")[:1]
        return self.visible_to(user).filter(
            Q(person__isnull=False, id=models.Subquery(newest_for_person))
            | Q(institution__isnull=False, id=models.Subquery(newest_for_institution))
        )


class StanceAssessment(VisibleRecord):
    """What one organisation judged a person or institution thinks of a campaign's ask.

    Append-only: a change of mind is a new row; the newest is the current stance and the
    history is what charts draw.
    """

    class Interest(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    class Evidence(models.TextChoices):
        MEETING = "meeting", _("Meeting")
        STATEMENT = "statement", _("Public statement")
        VOTE = "vote", _("Vote")
        LETTER = "letter", _("Letter or reply")
        LINK = "link", _("Link")
        OTHER = "other", _("Other")

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="stance_assessments",
    )
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.CASCADE, related_name="stance_assessments"
    )
    institution = models.ForeignKey(
        Institution,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="stance_assessments",
    )
    stance = models.CharField(_("stance"), max_length=12, choices=Stance.choices)
    influence = models.PositiveSmallIntegerField(
        _("influence"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 (little) to 5 (decisive)"),
    )
    interest = models.CharField(_("interest"), max_length=6, choices=Interest.choices, blank=True)
    evidence = models.CharField(_("evidence"), max_length=10, choices=Evidence.choices, blank=True)
    evidence_url = models.URLField(_("evidence link"), blank=True, max_length=1000)
    note = models.TextField(_("note"), blank=True)
    # The meeting or letter behind it, once those apps record it (generic: they come later).
    evidence_object = models.CharField(max_length=100, blank=True, editable=False)
    assessed_at = models.DateTimeField(_("assessed on"), default=timezone.now)

    objects = StanceAssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-assessed_at", "-id"]
        constraints = [
            one_owner("person", "institution", name="stance_one_target"),
            models.CheckConstraint(
                condition=Q(influence__isnull=True) | Q(influence__gte=1, influence__lte=5),
                name="stance_influence_range",
            ),
        ]
        indexes = [
            # Latest stance per person in a campaign (person page, directory stance filter).
            models.Index(
                fields=["campaign", "person", "-assessed_at"], name="stance_person_latest"
            ),
            models.Index(
                fields=["campaign", "institution", "-assessed_at"], name="stance_institution_latest"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person or self.institution}: {self.get_stance_display()}"

    @property
    def target(self) -> Person | Institution:
        return self.person or self.institution

    @property
    def assessed_by(self):
        return self.created_by
