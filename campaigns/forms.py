from datetime import timedelta

from django import forms
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from advocacy.models import Membership, Organisation, User, Visibility
from campaigns import services, treaty_import
from campaigns.models import (
    Ask,
    Campaign,
    CampaignMember,
    Fact,
    KeyMessage,
    PolicyHook,
    Relationship,
    ReminderRule,
    TreatyStatus,
)
from campaigns.treaty_import import PRECISION_FIELDS
from contacts.models import Country, DatePrecision, Institution, Tag


def offer_campaigns(field: forms.ModelChoiceField, campaigns: list[Campaign]) -> None:
    """A list filter's campaign select: `campaigns`, already loaded, or any of them. The
    choices come from that list, so drawing the select costs no query."""
    field.queryset = Campaign.objects.filter(pk__in=[c.pk for c in campaigns])
    field.choices = [("", _("Any")), *((c.pk, c.name) for c in campaigns)]


class CampaignForm(forms.ModelForm):
    countries = forms.MultipleChoiceField(
        label=_("Countries"),
        required=False,
        help_text=_("Hold Ctrl (or ⌘) to choose several."),
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    class Meta:
        model = Campaign
        fields = ["name", "organisation", "visibility", "goal", "description", "treaty"]
        widgets = {
            "goal": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 6}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # A campaign belongs to an organisation where the author may write. An author may
        # change their own campaign whatever their role now, so its organisation stays a choice.
        editing = Membership.objects.filter(user=user, role__in=Membership.EDITOR_ROLES)
        allowed = Q(pk__in=editing.values("organisation"))
        if self.instance.organisation_id:
            allowed |= Q(pk=self.instance.organisation_id)
        self.fields["organisation"].queryset = Organisation.objects.filter(allowed)
        self.fields["organisation"].empty_label = None
        self.fields["treaty"].empty_label = _("No treaty")
        # Every country in the reader's language; rows are added for those chosen.
        self.fields["countries"].choices = [(c.code, c.name) for c in countries]
        if self.instance.pk:
            self.initial["countries"] = [c.pk for c in self.instance.countries.all()]

    def save(self, commit: bool = True) -> Campaign:
        campaign = super().save(commit=commit)
        if commit:
            codes = self.cleaned_data["countries"]
            with translation.override("en"):
                rows = [Country(code=code, name=str(countries.name(code))) for code in codes]
            Country.objects.bulk_create(rows, ignore_conflicts=True)
            campaign.countries.set(codes)
        return campaign


class CampaignFilterForm(forms.Form):
    """The campaign list's filters, read from the query string."""

    STATES = {
        "active": _("Active"),
        "closed": _("Closed"),
        "all": _("Active and closed"),
    }

    country = forms.ChoiceField(label=_("Country"), required=False)
    treaty = forms.ChoiceField(label=_("Treaty"), required=False)
    state = forms.ChoiceField(label=_("Show"), required=False, choices=STATES.items())

    def __init__(self, *args, country_choices, treaty_choices, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("All countries")), *country_choices]
        self.fields["treaty"].choices = [("", _("All treaties")), *treaty_choices]

    def filter(self, campaigns):
        data = self.cleaned_data if self.is_valid() else {}
        state = data.get("state") or "active"
        if state != "all":
            campaigns = campaigns.filter(is_active=state == "active")
        if data.get("country"):
            campaigns = campaigns.filter(countries=data["country"])
        if data.get("treaty"):
            campaigns = campaigns.filter(treaty__code=data["treaty"])
        return campaigns


# The campaign's rows: key messages, asks, facts, policy hooks and team. Each is an inline
# formset on the campaign's form; rows are added with htmx, or without JavaScript by a
# button that sends the form back with one more blank row.


class RowForm(forms.ModelForm):
    """A row of a campaign formset. Choices that cost a query are computed once per page
    and handed to every row (`choices`), not asked again by each row's select."""

    def __init__(self, *args, choices: dict | None = None, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        for name, field_choices in (choices or {}).items():
            if name in self.fields:
                self.fields[name].choices = field_choices


class KeyMessageForm(RowForm):
    class Meta:
        model = KeyMessage
        fields = ["text", "language"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}


class AskForm(RowForm):
    class Meta:
        model = Ask
        fields = ["text", "audience", "language"]
        widgets = {"text": forms.Textarea(attrs={"rows": 2})}


class FactForm(RowForm):
    source_url = forms.URLField(
        label=_("source link"), required=False, max_length=1000, assume_scheme="https"
    )
    checked = forms.BooleanField(
        label=_("I checked the source"),
        required=False,
        help_text=_("Records you and today's date. A fact or source changed later needs it again."),
    )

    class Meta:
        model = Fact
        fields = ["statement", "source_name", "source_url", "language"]
        widgets = {"statement": forms.Textarea(attrs={"rows": 2})}

    # Changing any of these makes an earlier check void.
    CHECKED_FIELDS = {"statement", "source_name", "source_url"}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.was_checked = bool(self.instance.checked_on)
        self.fields["checked"].initial = self.was_checked

    def save(self, commit: bool = True) -> Fact:
        fact = self.instance
        if not self.cleaned_data.get("checked"):
            fact.checked_by, fact.checked_on = None, None
        elif not self.was_checked or self.CHECKED_FIELDS & set(self.changed_data):
            fact.checked_by, fact.checked_on = self.user, timezone.localdate()
        return super().save(commit=commit)


class PolicyHookForm(RowForm):
    class Meta:
        model = PolicyHook
        fields = ["institution", "hook", "tag", "is_lead"]
        widgets = {"hook": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"hook": _("Why it should care: victim assistance, development, security…")}


class CampaignMemberForm(RowForm):
    class Meta:
        model = CampaignMember
        fields = ["user", "role"]
        labels = {"user": _("Person")}


ROW_FORMSETS = {
    "key_messages": forms.inlineformset_factory(
        Campaign, KeyMessage, form=KeyMessageForm, extra=1, can_delete=True
    ),
    "asks": forms.inlineformset_factory(Campaign, Ask, form=AskForm, extra=1, can_delete=True),
    "facts": forms.inlineformset_factory(Campaign, Fact, form=FactForm, extra=1, can_delete=True),
    "policy_hooks": forms.inlineformset_factory(
        Campaign, PolicyHook, form=PolicyHookForm, extra=1, can_delete=True
    ),
    "members": forms.inlineformset_factory(
        Campaign, CampaignMember, form=CampaignMemberForm, extra=1, can_delete=True
    ),
}

# Institutions a policy hook may name: those that decide or advise, not parties or media.
HOOK_INSTITUTION_KINDS = (
    Institution.Kind.GOVERNMENT,
    Institution.Kind.MINISTRY,
    Institution.Kind.DEPARTMENT,
    Institution.Kind.PARLIAMENT,
    Institution.Kind.CHAMBER,
    Institution.Kind.COMMITTEE,
    Institution.Kind.MISSION,
    Institution.Kind.EMBASSY,
    Institution.Kind.INTERNATIONAL,
)


def row_choices(*, campaign: Campaign | None, user) -> dict:
    """The choices of the rows' selects, once for the page: institutions in the campaign's
    countries (or anywhere, before it has any), hook themes, and the people who may join
    the team (who can see the campaign; before it exists, anyone its author could share
    it with)."""
    institutions = Institution.objects.filter(kind__in=HOOK_INSTITUTION_KINDS)
    if campaign is not None and campaign.pk:
        codes = [country.pk for country in campaign.countries.all()]
        if codes:
            institutions = institutions.filter(Q(country__in=codes) | Q(country__isnull=True))
        people = services.campaign_audience(
            organisation=campaign.organisation,
            visibility=campaign.visibility,
            author=campaign.created_by,
        )
    else:
        reach = Q(pk=user.pk)
        editing = Membership.objects.filter(user=user, role__in=Membership.EDITOR_ROLES)
        for membership in editing.select_related("organisation"):
            reach |= services.audience_filter(
                organisation=membership.organisation, visibility=Visibility.COALITION, author=user
            )
        people = User.objects.filter(reach).distinct()
    blank = [("", "---------")]
    return {
        "institution": blank
        + [
            (i.pk, f"{i.name} ({i.country.name})" if i.country_id else i.name)
            for i in institutions.select_related("country").order_by("country__name", "name")
        ],
        "tag": blank + [(t.pk, t.name) for t in Tag.objects.filter(kind=Tag.Kind.HOOK)],
        "user": blank
        + [(u.pk, f"{u} <{u.email}>") for u in people.order_by("first_name", "email")],
    }


def team_errors(formset, *, organisation: Organisation, visibility: str, author) -> bool:
    """Mark team rows naming someone who could not see the campaign; whether any did."""
    audience = set(
        services.campaign_audience(
            organisation=organisation, visibility=visibility, author=author
        ).values_list("pk", flat=True)
    )
    found = False
    for form in formset.forms:
        user = form.cleaned_data.get("user") if form.has_changed() else None
        if user and not form.cleaned_data.get("DELETE") and user.pk not in audience:
            form.add_error(
                "user",
                _(
                    "%(person)s cannot see this campaign: share it more widely "
                    "or choose someone else."
                )
                % {"person": user},
            )
            found = True
    return found


# Treaties


class TreatyStatusForm(forms.ModelForm):
    """A country's status with a treaty, edited by a coordinator; the change goes into its
    history with the date it happened."""

    changed_on = forms.DateField(
        label=_("Date of this change"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("When the status or stage changed; today if left empty."),
    )
    change_note = forms.CharField(
        label=_("What happened"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept in the history: 'Bill tabled in the foreign affairs committee'."),
    )

    # What changed and when first; the dates and notes that describe it after.
    field_order = ["status", "stage", "changed_on", "change_note"]

    class Meta:
        model = TreatyStatus
        fields = [
            "status",
            "stage",
            "signed_on",
            "consent_on",
            "entry_into_force_on",
            "withdrawn_on",
            "note",
            "source",
        ]
        widgets = {
            "signed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "consent_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "entry_into_force_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "withdrawn_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def save(self, commit: bool = True) -> TreatyStatus:
        # A date typed here is a full date, whatever the import knew of the old one.
        for date_field, precision_field in PRECISION_FIELDS.items():
            if date_field in self.changed_data:
                setattr(self.instance, precision_field, DatePrecision.DAY)
        return super().save(commit=commit)


class TreatyUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Status list"),
        help_text=_(
            "A CSV file with a header row and one row per country, UTF-8. Next you say which "
            "column is which."
        ),
    )


def _column_choices(header: list[str], sample: list[list[str]], *, optional: bool) -> list:
    choices = [("", _("— not in this file —"))] if optional else []
    for index, name in enumerate(header):
        example = next(
            (row[index].strip() for row in sample if len(row) > index and row[index].strip()), ""
        )
        label = f"{name} ({_('e.g.')} {example[:30]})" if example else name
        choices.append((str(index), label or _("column %(number)d") % {"number": index + 1}))
    return choices


class ColumnMappingForm(forms.Form):
    """Which column of an uploaded file is which, and what its status words mean.

    The word fields come from the values of the chosen status column: one select per word,
    pre-filled with our guess.
    """

    # A column with more distinct values than this is not a status column.
    MAX_WORDS = 30
    DAY_FIRST = {
        "day": _("Day first: 01/08/2010 is 1 August 2010"),
        "month": _("Month first: 01/08/2010 is 8 January 2010"),
    }

    country = forms.ChoiceField(label=_("Country column"))
    country_by = forms.ChoiceField(
        label=_("The country column holds"), choices=treaty_import.COUNTRY_BY.items()
    )
    country_name = forms.ChoiceField(
        label=_("Country names to fall back on"),
        required=False,
        help_text=_("For codes that are wrong or out of date (TP for Timor-Leste)."),
    )
    status = forms.ChoiceField(label=_("Status column"))
    signed_on = forms.ChoiceField(label=_("Date of signature"), required=False)
    consent_on = forms.ChoiceField(
        label=_("Date of ratification or accession"),
        required=False,
        help_text=_("A year alone (1994) is kept as a year."),
    )
    entry_into_force_on = forms.ChoiceField(label=_("Date of entry into force"), required=False)
    withdrawn_on = forms.ChoiceField(label=_("Date of withdrawal"), required=False)
    note = forms.ChoiceField(label=_("Note"), required=False)
    day_first = forms.ChoiceField(
        label=_("Dates written with slashes or dots"),
        choices=DAY_FIRST.items(),
        initial="day",
        widget=forms.RadioSelect,
    )

    COLUMN_FIELDS = ("country", "status")
    OPTIONAL_COLUMN_FIELDS = (
        "country_name",
        "signed_on",
        "consent_on",
        "entry_into_force_on",
        "withdrawn_on",
        "note",
    )

    def __init__(self, *args, table: treaty_import.Table, mapping: treaty_import.Mapping, **kwargs):
        initial = {
            name: "" if getattr(mapping, name) is None else str(getattr(mapping, name))
            for name in self.COLUMN_FIELDS + self.OPTIONAL_COLUMN_FIELDS
        }
        initial |= {
            "country_by": mapping.country_by,
            "day_first": "day" if mapping.day_first else "month",
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.table = table
        sample = table.sample()
        for name in self.COLUMN_FIELDS:
            self.fields[name].choices = _column_choices(table.header, sample, optional=False)
        for name in self.OPTIONAL_COLUMN_FIELDS:
            self.fields[name].choices = _column_choices(table.header, sample, optional=True)
        self.words = self._status_words(mapping)
        for number, word in enumerate(self.words):
            key = treaty_import.word_key(word)
            self.fields[f"word_{number}"] = forms.ChoiceField(
                label=word,
                required=False,
                choices=[("", _("— choose —")), *TreatyStatus.Status.choices],
                initial=mapping.words.get(key) or treaty_import.DEFAULT_WORDS.get(key, ""),
            )

    def _status_words(self, mapping: treaty_import.Mapping) -> list[str]:
        """The words of the status column chosen on the form (or guessed), as in the file."""
        column = self.data.get("status") if self.is_bound else None
        if column is None or not str(column).isdigit():
            column = mapping.status
        if column is None or int(column) >= len(self.table.header):
            return []
        return self.table.values(int(column))[: self.MAX_WORDS + 1]

    def word_fields(self):
        return [self[f"word_{number}"] for number in range(len(self.words))]

    def clean(self) -> dict:
        data = super().clean()
        if len(self.words) > self.MAX_WORDS:
            self.add_error(
                "status",
                _("This column has more than %(count)d different values; is it the status?")
                % {"count": self.MAX_WORDS},
            )
        return data

    def mapping(self) -> treaty_import.Mapping:
        data = self.cleaned_data

        def column(name: str) -> int | None:
            return int(data[name]) if data.get(name) not in (None, "") else None

        words = {
            treaty_import.word_key(word): data.get(f"word_{number}") or ""
            for number, word in enumerate(self.words)
        }
        return treaty_import.Mapping(
            country=column("country"),
            status=column("status"),
            country_by=data["country_by"],
            country_name=column("country_name"),
            signed_on=column("signed_on"),
            consent_on=column("consent_on"),
            entry_into_force_on=column("entry_into_force_on"),
            withdrawn_on=column("withdrawn_on"),
            note=column("note"),
            day_first=data["day_first"] != "month",
            words=words,
        )


# Reminders


class ReminderRuleForm(forms.ModelForm):
    # A year ahead is as far as anyone plans a calendar.
    MAX_OFFSET = timedelta(days=366)

    class Meta:
        model = ReminderRule
        fields = [
            "event_kind",
            "amount",
            "unit",
            "direction",
            "notify_role",
            "message",
            "is_active",
        ]
        widgets = {"message": forms.Textarea(attrs={"rows": 3})}

    def clean(self) -> dict:
        data = super().clean()
        amount, unit = data.get("amount"), data.get("unit")
        if amount is not None and unit:
            offset = timedelta(hours=amount) if unit == "hours" else timedelta(days=amount)
            if offset > self.MAX_OFFSET:
                self.add_error("amount", _("Choose at most a year (366 days)."))
        return data


class RelationshipForm(forms.ModelForm):
    class Meta:
        model = Relationship
        fields = ["person", "campaign", "cadence_days", "last_contact_on", "note"]
        widgets = {
            # Chosen on the person's page in the directory, which links here with ?person=.
            "person": forms.HiddenInput,
            "last_contact_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.visible_to(user).order_by("name")
        # The person is chosen once; another one is another relationship.
        self.fields["person"].disabled = self.instance.pk is not None
        self.fields["cadence_days"].min_value = 1
        self.fields["cadence_days"].widget.attrs["min"] = 1


class RemindMeForm(forms.Form):
    content_type = forms.CharField(widget=forms.HiddenInput)  # "app_label.model"
    object_id = forms.CharField(widget=forms.HiddenInput, max_length=64)
    due_at = forms.DateTimeField(
        label=_("Remind me on"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("In your own time zone."),
    )
    note = forms.CharField(
        label=_("Note to yourself"), max_length=500, required=False, widget=forms.TextInput
    )

    @classmethod
    def for_record(cls, content_type: str, object_id, data=None) -> "RemindMeForm":
        """The form for one record; ids are unique, so several can sit on one page."""
        slug = f"{content_type}_{object_id}".replace(".", "_")
        return cls(
            data,
            initial={"content_type": content_type, "object_id": object_id},
            auto_id=f"id_remind_{slug}_%s",
        )

    def clean_due_at(self):
        due_at = self.cleaned_data["due_at"]
        if due_at <= timezone.now():
            raise forms.ValidationError(_("Choose a time in the future."))
        return due_at
