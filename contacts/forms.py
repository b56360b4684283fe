"""Forms for the directory's records, the stance buttons and the merge review."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import NamedTuple

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from django.db.models import Q, QuerySet
from django.forms import inlineformset_factory
from django.forms.utils import ErrorDict
from django.urls import reverse
from django.utils.text import Truncator, slugify
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from advocacy.models import Visibility
from contacts.models import (
    Area,
    ContactPoint,
    Country,
    DatePrecision,
    Identifier,
    Institution,
    Link,
    OtherName,
    Person,
    Position,
    Post,
    Stance,
    StanceAssessment,
    Tag,
)
from contacts.search import search_people
from contacts.services import MERGE_FIELDS

# Phone numbers


# "+" and a country code, then digits; single spaces may group them. E.164 allows at most
# 15 digits; fewer than 7 is no real number anywhere.
PHONE = re.compile(r"^\+[1-9](?: ?\d){6,14}$")


def validate_international_phone(value: str) -> None:
    """A phone number in international format: +41 22 555 01 00."""
    if not PHONE.match(value):
        raise ValidationError(
            _(
                "Enter the number in international format: + and the country code, then digits, "
                "e.g. +41 22 555 01 00."
            ),
            code="invalid_phone",
        )


def normalise_phone(value: str) -> str:
    return " ".join(value.split())


# Dates known to a year, a month or a day


class PreciseDate(NamedTuple):
    date: dt.date
    precision: str


DATE_INPUT = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def parse_precise_date(text: str, *, end: bool = False) -> PreciseDate:
    """'2019', '2019-05' or '2019-05-14'. A year or month alone means its first day, or its
    last day for the end of something, so 'current' keeps comparing plain dates."""
    match = DATE_INPUT.match(text.strip())
    if not match:
        raise ValidationError(_("Use YYYY, YYYY-MM or YYYY-MM-DD."), code="invalid_date")
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        if month is None:
            return PreciseDate(
                dt.date(year, 12, 31) if end else dt.date(year, 1, 1), DatePrecision.YEAR
            )
        if day is None:
            last = calendar.monthrange(year, month)[1]
            return PreciseDate(dt.date(year, month, last if end else 1), DatePrecision.MONTH)
        return PreciseDate(dt.date(year, month, day), DatePrecision.DAY)
    except (ValueError, calendar.IllegalMonthError) as error:
        raise ValidationError(_("This date does not exist."), code="invalid_date") from error


def precise_date_text(value: dt.date | None, precision: str) -> str:
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return f"{value.year:04d}"
    if precision == DatePrecision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


class PreciseDateField(forms.CharField):
    def __init__(self, *, end: bool = False, **kwargs):
        self.end = end
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("YYYY, YYYY-MM or YYYY-MM-DD: as much as you know."))
        super().__init__(max_length=10, **kwargs)

    def to_python(self, value) -> PreciseDate | None:
        text = super().to_python(value)
        return parse_precise_date(text, end=self.end) if text else None


# Choosing among many rows: a search box beside a short select


class LookupSelect(forms.Select):
    """A select that lists only the chosen row and the rows matching a search, so a form
    never sends thousands of options to a phone. The search box asks the server for matches
    as the user types (htmx); without JavaScript its Find button reloads the form with them."""

    template_name = "contacts/widgets/lookup.html"
    limit = 30

    def __init__(self, kind: str, attrs=None):
        super().__init__(attrs)
        self.kind = kind
        self.queryset: QuerySet | None = None
        self.search = ""
        self.field_label = ""

    def get_context(self, name, value, attrs):
        self.choices = self.lookup_choices(value)
        context = super().get_context(name, value, attrs)
        context["widget"].update(
            lookup_url=reverse("contacts:lookup", args=[self.kind]),
            search_name=f"{name}__q",
            search=self.search,
            field_label=self.field_label,
        )
        return context

    def lookup_choices(self, value) -> list[tuple[str, str]]:
        choices = [("", "—")]
        if self.queryset is None:
            return choices
        selected = str(value) if value not in (None, "") else ""
        rows = []
        if selected.isdigit():
            rows += list(self.queryset.filter(pk=selected))
        if self.search:
            rows += [
                row
                for row in lookup_search(self.kind, self.queryset, self.search)[: self.limit]
                if str(row.pk) != selected
            ]
        return choices + [(str(row.pk), lookup_label(self.kind, row)) for row in rows]


def lookup_search(kind: str, queryset: QuerySet, text: str) -> QuerySet:
    """Rows of a lookup's queryset matching every typed word."""
    if kind == "person":
        return search_people(queryset, text)
    condition = Q()
    for word in text.split():
        if kind == "post":
            condition &= Q(label__icontains=word) | Q(institution__name__icontains=word)
        elif kind == "area":
            condition &= Q(name__icontains=word)
        else:
            condition &= Q(name__icontains=word) | Q(short_name__icontains=word)
    return queryset.filter(condition)


def lookup_label(kind: str, row) -> str:
    if kind == "post":
        return f"{row.label} · {row.institution.name}"
    if kind == "person":
        return row.display_name
    country = getattr(row, "country_id", None)
    return f"{row} ({country})" if country else str(row)


LOOKUP_QUERYSETS = {
    "institution": lambda: Institution.objects.select_related("country"),
    "party": lambda: Institution.objects.filter(kind=Institution.Kind.PARTY).select_related(
        "country"
    ),
    "area": lambda: Area.objects.select_related("country"),
    "post": lambda: Post.objects.select_related("institution"),
    "person": lambda: Person.objects.all(),
}


class LookupField(forms.ModelChoiceField):
    def __init__(self, kind: str, **kwargs):
        super().__init__(queryset=LOOKUP_QUERYSETS[kind](), widget=LookupSelect(kind), **kwargs)
        self.widget.queryset = self.queryset
        self.widget.field_label = self.label


class LookupFormMixin:
    """Fills each lookup's search box from the submitted data; `searching()` tells a view
    the user pressed Find rather than Save, so it shows the form again without errors."""

    def setup_lookups(self) -> None:
        for name, field in self.fields.items():
            if isinstance(field, LookupField) and self.is_bound:
                field.widget.search = self.data.get(f"{self.add_prefix(name)}__q", "").strip()

    def searching(self) -> bool:
        if self.is_bound and self.data.get("_lookup"):
            self._errors = ErrorDict()  # nothing to complain about while choosing
            return True
        return False


# Countries: every ISO code on offer; the row is added when first chosen


class CountryChoiceField(forms.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=[("", "—"), *countries], **kwargs)

    def prepare_value(self, value):
        return value.code if isinstance(value, Country) else value

    def clean(self, value) -> Country | None:
        code = super().clean(value)
        # Adding a reference row while validating is harmless: it is the same for everyone.
        return Country.objects.ensure(code) if code else None


# Records


class TagsField(forms.ModelMultipleChoiceField):
    def __init__(self, **kwargs):
        super().__init__(
            queryset=Tag.objects.all(),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            label=_("Tags"),
            **kwargs,
        )


class PersonForm(forms.ModelForm):
    languages = forms.CharField(
        label=_("Languages"),
        required=False,
        help_text=_("Language codes, separated by commas: fr, en, ar."),
    )
    image = forms.URLField(label=_("Photo"), required=False, max_length=500, assume_scheme="https")
    tags = TagsField()

    class Meta:
        model = Person
        fields = [
            "honorific_prefix",
            "name",
            "given_name",
            "family_name",
            "sort_name",
            "honorific_suffix",
            "gender",
            "birth_date",
            "death_date",
            "languages",
            "image",
            "biography",
            "past_interests",
            "tags",
        ]
        widgets = {
            "biography": forms.Textarea(attrs={"rows": 4}),
            "past_interests": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sort_name"].help_text = _("Family name first, for sorting: Smith, Jane.")
        if self.instance.pk:
            self.initial["languages"] = ", ".join(self.instance.languages)

    def clean_languages(self) -> list[str]:
        text = self.cleaned_data["languages"]
        codes = [code.strip() for code in re.split(r"[,\s]+", text) if code.strip()]
        for code in codes:
            if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", code):
                raise ValidationError(
                    _("“%(code)s” is not a language code."), params={"code": code}
                )
        return list(dict.fromkeys(codes))

    def _clean_partial_date(self, name: str) -> str:
        value = self.cleaned_data[name].strip()
        if value and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", value):
            raise ValidationError(_("Use YYYY, YYYY-MM or YYYY-MM-DD."))
        return value

    def clean_birth_date(self) -> str:
        return self._clean_partial_date("birth_date")

    def clean_death_date(self) -> str:
        return self._clean_partial_date("death_date")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("sort_name") and cleaned.get("family_name"):
            given = cleaned.get("given_name")
            cleaned["sort_name"] = ", ".join(p for p in (cleaned["family_name"], given) if p)
        return cleaned


class IdentifierForm(forms.ModelForm):
    class Meta:
        model = Identifier
        fields = ["scheme", "value"]

    def clean(self):
        cleaned = super().clean()
        scheme, value = cleaned.get("scheme"), cleaned.get("value")
        if scheme and value:
            taken = Identifier.objects.filter(scheme=scheme, value=value, person__isnull=False)
            if self.instance.person_id:
                taken = taken.exclude(person_id=self.instance.person_id)
            owner = taken.select_related("person").first()
            if owner:
                raise ValidationError(
                    _("%(scheme)s %(value)s already names %(person)s: merge the two instead.")
                    % {"scheme": scheme, "value": value, "person": owner.person}
                )
        return cleaned


OtherNameFormSet = inlineformset_factory(
    Person,
    OtherName,
    fk_name="person",
    fields=["name", "language", "note"],
    extra=1,
    can_delete=True,
    labels={"language": _("Language code")},
)
IdentifierFormSet = inlineformset_factory(
    Person, Identifier, form=IdentifierForm, fk_name="person", extra=1, can_delete=True
)


class LinkForm(forms.ModelForm):
    url = forms.URLField(label=_("Address"), max_length=1000, assume_scheme="https")

    class Meta:
        model = Link
        fields = ["url", "note"]


LinkFormSet = inlineformset_factory(
    Person, Link, form=LinkForm, fk_name="person", extra=1, can_delete=True
)


def person_formsets(data=None, instance: Person | None = None) -> list[forms.BaseInlineFormSet]:
    instance = instance or Person()
    formsets = [
        OtherNameFormSet(data, instance=instance, prefix="names"),
        IdentifierFormSet(data, instance=instance, prefix="ids"),
        LinkFormSet(data, instance=instance, prefix="links"),
    ]
    legends = [
        _("Other names and spellings"),
        _("Identifiers (Wikidata, EveryPolitician…)"),
        _("Links"),
    ]
    for formset, legend in zip(formsets, legends, strict=True):
        formset.legend = legend
    return formsets


class InstitutionForm(LookupFormMixin, forms.ModelForm):
    country = CountryChoiceField(label=_("Country"), required=False)
    parent = LookupField("institution", label=_("Part of"), required=False)
    tags = TagsField()

    class Meta:
        model = Institution
        fields = [
            "name",
            "short_name",
            "kind",
            "parent",
            "country",
            "city",
            "is_governing",
            "seats",
            "founding_date",
            "dissolution_date",
            "description",
            "tags",
        ]
        widgets = {
            "founding_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "dissolution_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_lookups()

    def clean_parent(self) -> Institution | None:
        parent = self.cleaned_data["parent"]
        ancestor = parent
        while ancestor is not None and self.instance.pk:
            if ancestor.pk == self.instance.pk:
                raise ValidationError(_("An institution cannot be part of itself."))
            ancestor = ancestor.parent
        return parent

    def clean(self):
        cleaned = super().clean()
        founded, dissolved = cleaned.get("founding_date"), cleaned.get("dissolution_date")
        if founded and dissolved and dissolved < founded:
            self.add_error("dissolution_date", _("It was dissolved before it was founded."))
        return cleaned


class AreaForm(LookupFormMixin, forms.ModelForm):
    country = CountryChoiceField(label=_("Country"))
    parent = LookupField("area", label=_("Part of"), required=False)

    class Meta:
        model = Area
        fields = ["name", "kind", "country", "parent"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_lookups()

    def clean_parent(self) -> Area | None:
        parent = self.cleaned_data["parent"]
        ancestor = parent
        while ancestor is not None and self.instance.pk:
            if ancestor.pk == self.instance.pk:
                raise ValidationError(_("An area cannot be part of itself."))
            ancestor = ancestor.parent
        return parent


class PositionForm(LookupFormMixin, forms.ModelForm):
    """A position of a person; create it with `instance=Position(person=...)` so the model's
    checks (own aide, seats of the post) see who holds it."""

    institution = LookupField("institution", label=_("Institution"))
    post = LookupField(
        "post",
        label=_("Post"),
        required=False,
        help_text=_("A seat held in turn, such as a constituency's seat; optional."),
    )
    area = LookupField("area", label=_("Constituency or area"), required=False)
    party = LookupField("party", label=_("Party"), required=False)
    to_person = LookupField(
        "person", label=_("Aide to"), required=False, help_text=_("For aides: whose aide.")
    )
    start_date = PreciseDateField(label=_("Start"))
    end_date = PreciseDateField(label=_("End"), end=True)

    class Meta:
        model = Position
        fields = [
            "institution",
            "role",
            "post_label",
            "post",
            "area",
            "party",
            "to_person",
            "legislative_period",
        ]
        labels = {"post_label": _("Title")}
        help_texts = {"post_label": _("As the institution writes it: Minister of Defence.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_lookups()
        position = self.instance
        self.initial.setdefault(
            "start_date", precise_date_text(position.start_date, position.start_precision)
        )
        self.initial.setdefault(
            "end_date", precise_date_text(position.end_date, position.end_precision)
        )

    def clean(self):
        cleaned = super().clean()
        # Dates are not model fields of the form: set them here so Position.clean checks
        # their order and the post's seats over exactly these dates.
        for name in ("start", "end"):
            value = cleaned.get(f"{name}_date")
            setattr(self.instance, f"{name}_date", value.date if value else None)
            setattr(
                self.instance, f"{name}_precision", value.precision if value else DatePrecision.DAY
            )
        post = cleaned.get("post")
        institution = cleaned.get("institution")
        if post and institution and post.institution_id != institution.pk:
            self.add_error("post", _("This post belongs to another institution."))
        if not (cleaned.get("role") or cleaned.get("post_label") or post):
            self.add_error("role", _("Give a role or a title."))
        return cleaned


class ContactPointForm(forms.ModelForm):
    """A contact point of a person or an institution: give the owner on the instance."""

    class Meta:
        model = ContactPoint
        fields = ["kind", "value", "label", "hours", "valid_from", "valid_until", "note"]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "valid_until": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {"hours": _("For offices: when people are there, e.g. Fri 9:00-13:00.")}

    def clean(self):
        cleaned = super().clean()
        kind, value = cleaned.get("kind"), (cleaned.get("value") or "").strip()
        if kind and value:
            try:
                cleaned["value"] = self._clean_value(kind, value)
            except ValidationError as error:
                self.add_error("value", error)
        start, end = cleaned.get("valid_from"), cleaned.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("The end comes before the start."))
        return cleaned

    @staticmethod
    def _clean_value(kind: str, value: str) -> str:
        if kind == ContactPoint.Kind.EMAIL:
            EmailValidator(message=_("Enter a valid email address."))(value)
            return value.lower()
        if kind in (ContactPoint.Kind.PHONE, ContactPoint.Kind.FAX):
            value = normalise_phone(value)
            validate_international_phone(value)
        elif kind == ContactPoint.Kind.WEBSITE:
            URLValidator(message=_("Enter a full web address, starting with https://."))(value)
        return value


class TagForm(forms.ModelForm):
    class Meta:
        model = Tag
        fields = ["name", "kind", "slug"]
        help_texts = {"slug": _("Used in addresses; made from the name if left empty.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("slug") and cleaned.get("name"):
            # The model's uniqueness check then reports a clash on the slug.
            cleaned["slug"] = slugify(cleaned["name"])[:80]
        return cleaned


# Stance


class StanceForm(forms.Form):
    """Two clicks: open the campaign's form, press a stance. The rest is optional."""

    campaign = forms.IntegerField(widget=forms.HiddenInput)
    stance = forms.ChoiceField(label=_("Stance"), choices=Stance.choices)
    influence = forms.TypedChoiceField(
        label=_("Influence"),
        choices=[("", "—"), *((n, str(n)) for n in range(1, 6))],
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("1 (little) to 5 (decisive)"),
    )
    interest = forms.ChoiceField(
        label=_("Interest"),
        choices=[("", "—"), *StanceAssessment.Interest.choices],
        required=False,
    )
    evidence = forms.ChoiceField(
        label=_("Evidence"),
        choices=[("", "—"), *StanceAssessment.Evidence.choices],
        required=False,
    )
    evidence_url = forms.URLField(
        label=_("Evidence link"), required=False, max_length=1000, assume_scheme="https"
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea({"rows": 2}))
    visibility = forms.ChoiceField(
        label=_("Who can see this"), choices=Visibility.choices, initial=Visibility.ORGANISATION
    )

    def __init__(self, *args, campaign_id: int, **kwargs):
        kwargs.setdefault("auto_id", f"stance-{campaign_id}-%s")
        kwargs.setdefault("initial", {"campaign": campaign_id})
        super().__init__(*args, **kwargs)
        self.campaign_id = campaign_id


# Merge


class PersonSearchForm(forms.Form):
    q = forms.CharField(label=_("Name of the other record"), required=False, max_length=200)


def shown_value(person: Person, name: str) -> str:
    """A field's value as a reader sees it: the label of a choice, long text shortened."""
    if Person._meta.get_field(name).choices:
        return str(getattr(person, f"get_{name}_display")())
    return Truncator(str(getattr(person, name))).chars(300)


class PersonMergeForm(forms.Form):
    """One choice per field where the two records differ: which value the merged record
    keeps. Fields where they agree, or one is empty, need no choice."""

    KEEP, DUPLICATE = "keep", "duplicate"

    def __init__(self, *args, keep: Person, duplicate: Person, **kwargs):
        super().__init__(*args, **kwargs)
        self.keep, self.duplicate = keep, duplicate
        for name in MERGE_FIELDS:
            ours, theirs = getattr(keep, name), getattr(duplicate, name)
            if ours == theirs or not theirs:
                continue
            self.fields[name] = forms.ChoiceField(
                label=Person._meta.get_field(name).verbose_name.capitalize(),
                choices=[
                    (self.KEEP, shown_value(keep, name) or _("(empty)")),
                    (self.DUPLICATE, shown_value(duplicate, name)),
                ],
                widget=forms.RadioSelect,
                initial=self.KEEP if ours else self.DUPLICATE,
            )

    def values(self) -> dict[str, object]:
        """The fields whose value comes from the duplicate."""
        return {
            name: getattr(self.duplicate, name)
            for name, choice in self.cleaned_data.items()
            if choice == self.DUPLICATE
        }
