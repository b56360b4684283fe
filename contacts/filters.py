"""The directory's filters: one form reads the query string and builds the list of people.

The directory page, its htmx fragment and the CSV and vCard exports all go through
`DirectoryFilterForm`, so an export holds exactly the people the list shows and a
bookmarked URL brings back the same list. Bad values become form errors, never a 500.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from functools import cached_property, lru_cache
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.db import connection
from django.db.models import Exists, F, Min, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.expressions import OrderBy
from django.db.models.functions import Coalesce, Collate, Lower, NullIf
from django.forms.utils import flatatt
from django.utils import timezone, translation
from django.utils.choices import CallableChoiceIterator
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from campaigns.models import Campaign
from contacts.models import Country, Institution, Person, Position, Stance, StanceAssessment, Tag
from contacts.search import search_people

PAGE_SIZE = 50
# Without a country chosen, the institution, party and committee lists show every choice
# only while there are this many institutions; past that a page would weigh too much, so
# they wait for a country.
OPTION_LIMIT = 300
# PostgreSQL sorts names with the ICU root collation, so "Álvarez" files under A and
# "de Gaulle" under D whatever the server's locale; migration 0100 indexes this key.
NAME_COLLATION = "und-x-icu"


class Sort:
    NAME = "name"
    NAME_DESC = "-name"
    COUNTRY = "country"
    UPDATED = "updated"
    CHOICES = [
        (NAME, _("Name (A–Z)")),
        (NAME_DESC, _("Name (Z–A)")),
        (COUNTRY, _("Country")),
        (UPDATED, _("Recently updated")),
    ]


YES, NO = "yes", "no"


def name_key() -> Coalesce | Collate | Lower:
    """The name people are filed under: the sort name, or the full name when it is blank."""
    key = Coalesce(NullIf("sort_name", Value("")), "name")
    if connection.vendor == "postgresql":
        return Collate(key, NAME_COLLATION)
    return Lower(key)  # SQLite (make run) has no ICU; case-insensitive is close enough


class QuickSelect(forms.Select):
    """A select whose options are written in Python. Django draws each option through a
    template; with the directory's hundreds of institutions that took most of the page's
    time (about 0.15 ms an option on the benchmark machine)."""

    def render(self, name, value, attrs=None, renderer=None) -> str:
        chosen = {str(item) for item in self.format_value(value)}
        options = "".join(
            f'<option value="{escape(key)}"{" selected" if str(key) in chosen else ""}>'
            f"{escape(label)}</option>"
            for key, label in self.choices
        )
        final_attrs = flatatt(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<select name="{escape(name)}"{final_attrs}>{options}</select>')


@lru_cache(maxsize=len(settings.LANGUAGES))
def _country_names_in(language: str) -> dict[str, str]:
    with translation.override(language):
        return {code: str(name) for code, name in countries}


def country_names() -> dict[str, str]:
    """Every country's name in the reader's language, by ISO code. Worked out once per
    language and process: translating names one by one took a tenth of a page's time."""
    return _country_names_in(translation.get_language() or settings.LANGUAGE_CODE)


class CountryField(forms.ModelChoiceField):
    """Country codes are upper case in the database; a shared `?country=ke` still works."""

    widget = QuickSelect

    def to_python(self, value):
        return super().to_python(value.upper() if isinstance(value, str) else value)

    def label_from_instance(self, obj: Country) -> str:
        return country_names().get(obj.code, obj.name)


class InstitutionField(forms.ModelChoiceField):
    """Validates any institution of its kinds; the options listed are set by the form."""

    widget = QuickSelect

    def label_from_instance(self, obj: Institution) -> str:
        return obj.name


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search names, roles and institutions"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    country = CountryField(
        label=_("Country"), queryset=Country.objects.all(), required=False, empty_label=_("Any")
    )
    kind = forms.ChoiceField(
        label=_("Kind of institution"),
        choices=[("", _("Any"))] + Institution.Kind.choices,
        required=False,
        widget=QuickSelect,
    )
    institution = InstitutionField(
        label=_("Institution"),
        queryset=Institution.objects.exclude(
            kind__in=[Institution.Kind.PARTY, Institution.Kind.COMMITTEE]
        ),
        required=False,
        empty_label=_("Any"),
        help_text=_("Includes its departments."),
    )
    party = InstitutionField(
        label=_("Party"),
        queryset=Institution.objects.filter(kind=Institution.Kind.PARTY),
        required=False,
        empty_label=_("Any"),
    )
    committee = InstitutionField(
        label=_("Committee"),
        queryset=Institution.objects.filter(kind=Institution.Kind.COMMITTEE),
        required=False,
        empty_label=_("Any"),
    )
    role = forms.CharField(
        label=_("Role"),
        required=False,
        max_length=100,
        help_text=_("MP, minister, desk officer…"),
    )
    governing = forms.ChoiceField(
        label=_("Party in government"),
        help_text=_("No: members of parties outside government."),
        choices=[("", _("Any")), (YES, _("Yes")), (NO, _("No"))],
        required=False,
        widget=QuickSelect,
    )
    current = forms.ChoiceField(
        label=_("Positions"),
        choices=[(YES, _("Current positions only")), (NO, _("Current and past positions"))],
        required=False,
        widget=QuickSelect,
    )
    campaign = forms.ModelChoiceField(
        label=_("Campaign"),
        queryset=Campaign.objects.none(),
        required=False,
        empty_label=_("None"),
        help_text=_("Shows each person's stance in it."),
        widget=QuickSelect,
    )
    stance = forms.ChoiceField(
        label=_("Stance"),
        choices=[("", _("Any"))] + Stance.choices,
        required=False,
        widget=QuickSelect,
    )
    tag = forms.ModelChoiceField(
        label=_("Tag"),
        queryset=Tag.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("Any"),
        widget=QuickSelect,
    )
    sort = forms.ChoiceField(
        label=_("Sort by"), choices=Sort.CHOICES, required=False, widget=QuickSelect
    )
    page = forms.IntegerField(min_value=1, max_value=100_000, required=False)

    # Filters that live in the collapsible "More filters" part of the page.
    MORE = (
        "country",
        "kind",
        "institution",
        "party",
        "committee",
        "role",
        "governing",
        "campaign",
        "stance",
        "tag",
        "current",
    )
    SCOPED = ("institution", "party", "committee")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # The visibility query takes longer to build than most pages take to run, so it
        # is built only to check a campaign named in the query string or to list them.
        if self.data.get("campaign"):
            self.fields["campaign"].queryset = self._campaigns()
        self.fields["campaign"].widget.choices = CallableChoiceIterator(
            lambda: self._campaign_choices
        )
        for name in self.SCOPED:
            # Evaluated only when the select is drawn: the htmx fragment and the exports
            # validate the query string without listing every institution.
            self.fields[name].widget.choices = CallableChoiceIterator(
                lambda name=name: self._scoped_choices(name)
            )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("stance") and not data.get("campaign"):
            self.add_error("stance", _("Choose a campaign to filter by stance."))
        data["current"] = data.get("current") or YES
        data["sort"] = data.get("sort") or Sort.NAME
        data["page"] = data.get("page") or 1
        return data

    # Values that need not be spelt out in a URL.
    DEFAULTS = {"current": YES, "sort": Sort.NAME, "page": "1"}

    def query(self, **changes) -> str:
        """The filters as a short query string: empty and default values left out, so a
        shared link reads `?country=KE&party=12`. Call after is_valid()."""
        values = {name: self.data.get(name, "") for name in self.fields if name != "page"}
        values.update(changes)
        kept = {
            name: str(value)
            for name, value in values.items()
            if value not in ("", None) and self.DEFAULTS.get(name) != str(value)
        }
        return urlencode(kept)

    @property
    def has_more_filters(self) -> bool:
        """Whether the "More filters" part should start open: some are set, or wrong."""
        unset = ("", None)
        changed = any(
            self.data.get(name) not in (*unset, self.DEFAULTS.get(name)) for name in self.MORE
        )
        return changed or bool(self.errors)

    @property
    def current_only(self) -> bool:
        return self.cleaned_data["current"] == YES

    @property
    def stance_campaign(self) -> Campaign | None:
        return self.cleaned_data.get("campaign")

    def _campaigns(self) -> QuerySet[Campaign]:
        return Campaign.objects.visible_to(self.user).order_by("name")

    @cached_property
    def _campaign_choices(self) -> list[tuple[str, str]]:
        campaigns = self._campaigns().values_list("pk", "name")
        return [("", self.fields["campaign"].empty_label)] + [
            (str(pk), name) for pk, name in campaigns
        ]

    # The lists of institutions, parties and committees

    @cached_property
    def _scoped_options(self) -> tuple[list[tuple[int, str, str, str | None]], bool]:
        """(id, name, kind, country code) of the chosen country's institutions; without a
        country, of every institution while there are at most OPTION_LIMIT, else none. And
        whether some were left out. Tuples, not models: the lists can run to hundreds."""
        country = self.data.get("country", "")
        options = Institution.objects.order_by("name").values_list(
            "pk", "name", "kind", "country_id"
        )
        if country:
            return list(options.filter(country_id=country.upper())), False
        rows = list(options[: OPTION_LIMIT + 1])
        if len(rows) > OPTION_LIMIT:
            return [], True
        return rows, False

    _SCOPED_KINDS = {"party": Institution.Kind.PARTY, "committee": Institution.Kind.COMMITTEE}

    def _scoped_choices(self, name: str) -> list[tuple[str, str]]:
        """One select's choices. Names that repeat (the Foreign Affairs Committees of
        several countries, before a country is chosen) say which country is which."""
        options, _cut = self._scoped_options
        kind = self._SCOPED_KINDS.get(name)
        others = self._SCOPED_KINDS.values()
        rows = [row for row in options if (row[2] == kind if kind else row[2] not in others)]
        repeated = Counter(row[1] for row in rows)
        names = country_names()
        listed = [
            (pk, f"{label} ({names.get(code, code)})" if code and repeated[label] > 1 else label)
            for pk, label, _kind, code in rows
        ]
        # A choice from a shared link stays shown even when the list leaves it out.
        chosen = getattr(self, "cleaned_data", {}).get(name)
        if chosen and chosen.pk not in {pk for pk, _label in listed}:
            listed.insert(0, (chosen.pk, chosen.name))
        return [("", self.fields[name].empty_label)] + [(str(pk), label) for pk, label in listed]

    @property
    def scoped_lists_cut(self) -> bool:
        """Whether the institution, party and committee lists leave some out."""
        return self._scoped_options[1]

    # The list of people

    def people(self) -> QuerySet[Person]:
        """The people matching every filter, in the chosen order. Call after is_valid()."""
        data = self.cleaned_data
        people = search_people(Person.objects.all(), data["q"])
        people = self._filter_positions(people)
        if data.get("tag"):
            people = people.filter(tags=data["tag"])
        if data.get("stance"):
            people = self._filter_stance(people)
        return self._order(people)

    def _held(self) -> QuerySet[Position]:
        held = Position.objects.filter(person=OuterRef("pk"))
        return held.current() if self.current_only else held

    def _filter_positions(self, people: QuerySet[Person]) -> QuerySet[Person]:
        """Country, kind, institution, party, role and governing describe one and the same
        position ("a current MP for party X in country Y"); a committee seat is another."""
        data = self.cleaned_data
        condition = Q()
        if data.get("country"):
            condition &= Q(institution__country=data["country"])
        if data.get("kind"):
            condition &= Q(institution__kind=data["kind"])
        if data.get("institution"):
            institution = data["institution"]
            condition &= Q(institution=institution) | Q(institution__parent=institution)
        if data.get("party"):
            condition &= Q(party=data["party"])
        if data.get("role"):
            condition &= Q(role__icontains=data["role"]) | Q(post_label__icontains=data["role"])
        if data.get("governing") == YES:
            condition &= Q(party__is_governing=True)
        elif data.get("governing") == NO:
            condition &= Q(party__is_governing=False)
            people = people.exclude(Exists(self._held().filter(party__is_governing=True)))
        if condition:
            people = people.filter(Exists(self._held().filter(condition)))
        elif self.current_only and not data.get("committee"):
            # Hide people whose every position has ended; someone with no position
            # recorded yet has not left anything, so they stay. Written as one lookup of
            # the latest end (an index probe per row read): "no position or a current
            # one" as two EXISTS made PostgreSQL hash all positions for every page.
            last_end = (
                Position.objects.filter(person=OuterRef("pk"))
                .order_by(F("end_date").desc(nulls_first=True))
                .values("end_date")[:1]
            )
            people = people.alias(last_end=Coalesce(Subquery(last_end), Value(dt.date.max))).filter(
                last_end__gte=timezone.localdate()
            )
        if data.get("committee"):
            people = people.filter(Exists(self._held().filter(institution=data["committee"])))
        return people

    def current_stance(self) -> Subquery:
        """Each person's current stance in the chosen campaign as this user may know it:
        the newest assessment among those visible to them, as
        `StanceAssessment.objects.current_for` has it; NULL when none.

        A lookup per person read (an index probe on campaign, person, date), where
        `current_for` works out the current stance of everyone in the campaign before the
        list can start (seconds with tens of thousands of stances) and takes longer for
        Django to build than the rest of the page's queries."""
        newest = (
            StanceAssessment.objects.visible_to(self.user)
            .filter(campaign=self.cleaned_data["campaign"], person=OuterRef("pk"))
            .order_by("-assessed_at", "-id")
            .values("stance")[:1]
        )
        return Subquery(newest)

    def _filter_stance(self, people: QuerySet[Person]) -> QuerySet[Person]:
        """Nobody assessed yet counts as "unknown"."""
        current = Coalesce(self.current_stance(), Value(Stance.UNKNOWN))
        stance = self.cleaned_data["stance"]
        return people.alias(stance_or_unknown=current).filter(stance_or_unknown=stance)

    def _order(self, people: QuerySet[Person]) -> QuerySet[Person]:
        sort = self.cleaned_data["sort"]
        by_name = [name_key().asc(), F("id").asc()]
        if sort == Sort.NAME_DESC:
            return people.order_by(name_key().desc(), F("id").desc())
        if sort == Sort.UPDATED:
            return people.order_by("-updated_at", "-id")
        if sort == Sort.COUNTRY:
            # The first country, by name, of the positions shown; people with none last.
            # One grouped join: a per-person lookup took seconds over the whole directory.
            held = Q()
            if self.current_only:
                today = timezone.localdate()
                held = Q(positions__end_date__isnull=True) | Q(positions__end_date__gte=today)
            country = Min("positions__institution__country__name", filter=held)
            people = people.alias(country_name=country)
            return people.order_by(OrderBy(F("country_name"), nulls_last=True), *by_name)
        return people.order_by(*by_name)
