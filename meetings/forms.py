"""Forms of the meetings app: planning a meeting, the quick log, the write-up, follow-ups,
the list's filters and the organisation's prep checklist."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django import forms
from django.db.models import QuerySet
from django.forms import inlineformset_factory
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from advocacy.models import Membership, Organisation, User, time_zone_choices
from campaigns.calendar_forms import exists_locally, local_to_utc
from campaigns.forms import offer_campaigns
from campaigns.models import Campaign
from contacts.forms import LookupField, LookupFormMixin
from contacts.models import Person, Stance
from meetings.models import ChecklistTemplateItem, Commitment, FollowUp, Meeting, MeetingAttendee

DATE_INPUT = {"type": "date"}
# A browser's date box reads only ISO dates, whatever the language of the page.
DATE_FORMAT = "%Y-%m-%d"
TIME_INPUT = {"type": "time"}


def editor_organisations(user: User) -> QuerySet[Organisation]:
    """Organisations in whose name the user may plan and log meetings."""
    return Organisation.objects.filter(
        memberships__user=user, memberships__role__in=Membership.EDITOR_ROLES
    ).order_by("name")


def colleagues(organisations) -> QuerySet[User]:
    """Active members of these organisations: who may attend, lead or follow up."""
    return (
        User.objects.filter(is_active=True, memberships__organisation__in=organisations)
        .distinct()
        .order_by("first_name", "last_name", "email")
    )


def campaign_choices(user: User) -> QuerySet[Campaign]:
    return Campaign.objects.visible_to(user).filter(is_active=True).order_by("name")


class OrganisationField(forms.ModelChoiceField):
    """Which organisation the meeting belongs to; a hidden field when there is only one."""

    def __init__(self, user: User, **kwargs):
        queryset = editor_organisations(user)
        super().__init__(queryset=queryset, label=_("Organisation"), **kwargs)
        choices = list(queryset[:2])
        if len(choices) == 1:
            self.widget = forms.HiddenInput()
            self.initial = choices[0].pk


class MeetingForm(forms.ModelForm):
    """Plan a meeting, or change one: local date and time in a named zone, stored in UTC."""

    date = forms.DateField(label=_("Date"), widget=forms.DateInput(DATE_INPUT, format=DATE_FORMAT))
    start_time = forms.TimeField(label=_("Time"), widget=forms.TimeInput(TIME_INPUT))
    end_time = forms.TimeField(label=_("Until"), required=False, widget=forms.TimeInput(TIME_INPUT))
    time_zone = forms.ChoiceField(
        label=_("Time zone"), help_text=_("Where the meeting takes place: the times are local.")
    )
    online_url = forms.URLField(
        label=_("Online link"), required=False, max_length=1000, assume_scheme="https"
    )
    cadence_days = forms.IntegerField(
        label=_("Check in every (days)"),
        required=False,
        min_value=1,
        max_value=730,
        help_text=_(
            "For a recurring check-in: you are reminded when this long passes without contact."
        ),
    )

    class Meta:
        model = Meeting
        fields = [
            "kind",
            "title",
            "location",
            "online_url",
            "campaign",
            "organisation",
            "our_attendees",
            "lead",
            "follow_up_owner",
            "objective",
            "objective_detail",
            "ask",
            "questions",
            "visibility",
        ]
        widgets = {
            "our_attendees": forms.CheckboxSelectMultiple,
            "objective_detail": forms.Textarea({"rows": 2}),
            "ask": forms.Textarea({"rows": 3}),
            "questions": forms.Textarea({"rows": 4}),
        }
        help_texts = {
            "title": _("Optional: the kind of meeting and who it is with are shown otherwise."),
            "location": _("An address, a building, a room; or leave empty for an online meeting."),
            "questions": _("One per line: the decision process, the timeline…"),
        }

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"] = OrganisationField(user)
        if not self.initial.get("organisation"):
            # A new meeting: the instance's empty organisation must not hide the default.
            self.initial["organisation"] = self.fields["organisation"].initial
        self.fields["campaign"].queryset = campaign_choices(user)
        people = colleagues(editor_organisations(user))
        for name in ("our_attendees", "lead", "follow_up_owner"):
            self.fields[name].queryset = people
        meeting = self.instance
        self.fields["time_zone"].choices = time_zone_choices(
            meeting.time_zone if meeting.pk else user.time_zone
        )
        if meeting.pk:
            local = meeting.local_start
            self.initial.update(date=local.date(), start_time=local.time().replace(second=0))
            if meeting.local_end:
                self.initial["end_time"] = meeting.local_end.time().replace(second=0)
            self.initial["time_zone"] = meeting.time_zone
        else:
            self.initial.setdefault("time_zone", user.time_zone)
        self.order_fields(
            ["kind", "title", "date", "start_time", "end_time", "time_zone", "location"]
        )

    def clean(self):
        cleaned = super().clean()
        day, start = cleaned.get("date"), cleaned.get("start_time")
        tz_name = cleaned.get("time_zone")
        if day and start and tz_name:
            tz = zoneinfo.ZoneInfo(tz_name)
            local = dt.datetime.combine(day, start)
            if not exists_locally(local, tz):
                self.add_error("start_time", _("The clocks skip this time there that day."))
            self.instance.starts_at = local_to_utc(local, tz)
            self.instance.time_zone = tz_name
            end = cleaned.get("end_time")
            self.instance.ends_at = None
            if end:
                ends_at = local_to_utc(dt.datetime.combine(day, end), tz)
                if ends_at < self.instance.starts_at:
                    self.add_error("end_time", _("The meeting ends before it starts."))
                else:
                    self.instance.ends_at = ends_at
        organisation = cleaned.get("organisation")
        if organisation is not None:
            members = set(
                Membership.objects.filter(organisation=organisation).values_list(
                    "user_id", flat=True
                )
            )
            for name in ("our_attendees", "lead", "follow_up_owner"):
                value = cleaned.get(name)
                chosen = list(value) if name == "our_attendees" else [value] if value else []
                if any(user.pk not in members for user in chosen):
                    self.add_error(name, _("Choose people of the meeting's organisation."))
        if cleaned.get("kind") == Meeting.Kind.CHECK_IN and not cleaned.get("cadence_days"):
            self.add_error("cadence_days", _("How often should you check in?"))
        return cleaned


class AttendeeForm(LookupFormMixin, forms.ModelForm):
    """Someone on their side, and the institution they represent."""

    person = LookupField("person", label=_("Person"), required=False)
    institution = LookupField(
        "institution",
        label=_("Representing"),
        required=False,
        help_text=_("The institution they speak for at this meeting."),
    )

    class Meta:
        model = MeetingAttendee
        fields = ["person", "institution"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_lookups()

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("DELETE") and not (cleaned.get("person") or cleaned.get("institution")):
            raise forms.ValidationError(_("Choose a person, an institution, or both."))
        return cleaned


class BaseAttendeeFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        seen = set()
        for form in self.forms:
            person = getattr(form, "cleaned_data", {}).get("person")
            if person is None or form.cleaned_data.get("DELETE"):
                continue
            if person.pk in seen:
                form.add_error("person", _("This person is on the list already."))
            seen.add(person.pk)


AttendeeFormSet = inlineformset_factory(
    Meeting,
    MeetingAttendee,
    form=AttendeeForm,
    formset=BaseAttendeeFormSet,
    extra=1,
    can_delete=True,
)


class WriteUpForm(forms.ModelForm):
    """Notes and outcome. What was said off the record is never typed: a separate control
    records only that a part was off the record, and for about how long."""

    finished = forms.BooleanField(
        label=_("The write-up is finished"),
        required=False,
        help_text=_("Leave unticked to save a draft and come back to it."),
    )
    off_record_minutes = forms.IntegerField(
        label=_("About how many minutes"), required=False, min_value=1, max_value=600
    )

    class Meta:
        model = Meeting
        fields = ["notes", "summary"]
        widgets = {
            "notes": forms.Textarea({"rows": 8}),
            "summary": forms.Textarea({"rows": 3}),
        }
        labels = {"summary": _("Outcome in a few lines")}
        help_texts = {
            "notes": _(
                "Only what was said on the record. When a part goes off the record, stop "
                "typing and press “Mark an off-the-record part” below: the app keeps that "
                "it happened and roughly how long, never what was said."
            ),
            "summary": _("What the meeting achieved; this is what a shared report shows."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("finished", self.instance.status == Meeting.Status.WRITTEN_UP)


class CommitmentForm(forms.ModelForm):
    class Meta:
        model = Commitment
        fields = ["by", "text", "person", "due_on", "done_on"]
        widgets = {
            "text": forms.Textarea({"rows": 2}),
            "due_on": forms.DateInput(DATE_INPUT, format=DATE_FORMAT),
            "done_on": forms.DateInput(DATE_INPUT, format=DATE_FORMAT),
        }

    def __init__(self, *args, people: QuerySet[Person], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people


CommitmentFormSet = inlineformset_factory(
    Meeting, Commitment, form=CommitmentForm, extra=2, can_delete=True
)


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["title", "owner", "due_on", "note"]
        widgets = {
            "due_on": forms.DateInput(DATE_INPUT, format=DATE_FORMAT),
            "note": forms.Textarea({"rows": 2}),
        }
        help_texts = {"note": _("Private to your organisation; never in a shared report.")}

    def __init__(self, *args, owners: QuerySet[User], default_owner: User | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        # Set on the field, so a blank row with the default owner counts as unchanged.
        self.fields["owner"].initial = default_owner.pk if default_owner else None


FollowUpFormSet = inlineformset_factory(
    Meeting, FollowUp, form=FollowUpForm, extra=2, can_delete=True
)


STANCE_CHOICES = [("", _("No change")), *Stance.choices]


class StanceUpdateForm(forms.Form):
    """A stance for each person at the meeting, in the meeting's campaign; empty: no change."""

    def __init__(self, *args, people: list[Person], **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {}
        for person in people:
            name = f"stance_{person.pk}"
            self.fields[name] = forms.ChoiceField(
                label=person.display_name, choices=STANCE_CHOICES, required=False
            )
            self.people[name] = person

    def changes(self) -> dict[Person, str]:
        return {
            person: self.cleaned_data[name]
            for name, person in self.people.items()
            if self.cleaned_data.get(name)
        }


class QuickLogForm(LookupFormMixin, forms.Form):
    """An informal encounter on one phone screen: who, where, one line, maybe a stance and a
    follow-up. Fields are few and short on purpose."""

    person = LookupField("person", label=_("Who"))
    location = forms.CharField(
        label=_("Where"), required=False, max_length=300, widget=forms.TextInput()
    )
    line = forms.CharField(
        label=_("In one line, on the record only"), max_length=1000, widget=forms.TextInput()
    )
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.none(), required=False
    )
    stance = forms.ChoiceField(label=_("Stance now"), choices=STANCE_CHOICES, required=False)
    follow_up = forms.CharField(label=_("Follow-up"), required=False, max_length=300)
    owner = forms.ModelChoiceField(
        label=_("Who does it"), queryset=User.objects.none(), required=False
    )
    due_on = forms.DateField(
        label=_("By"), required=False, widget=forms.DateInput(DATE_INPUT, format=DATE_FORMAT)
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"] = OrganisationField(user)
        organisations = editor_organisations(user)
        self.fields["owner"].queryset = colleagues(organisations)
        self.fields["owner"].initial = user.pk
        campaigns = campaign_choices(user)
        self.fields["campaign"].queryset = campaigns
        only = list(campaigns[:2])
        if len(only) == 1:
            # One campaign: a stance change needs no extra tap.
            self.fields["campaign"].initial = only[0].pk
        self.setup_lookups()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("stance") and not cleaned.get("campaign"):
            self.add_error("campaign", _("A stance is for a campaign: choose one."))
        if cleaned.get("due_on") and not cleaned.get("follow_up"):
            self.add_error("follow_up", _("What is to be done by then?"))
        organisation, owner = cleaned.get("organisation"), cleaned.get("owner")
        if (
            organisation
            and owner
            and not owner.memberships.filter(organisation=organisation).exists()
        ):
            self.add_error("owner", _("Choose someone of your organisation."))
        return cleaned


class FollowUpEditForm(forms.ModelForm):
    """Change a follow-up's owner, date or wording from the follow-ups page."""

    class Meta:
        model = FollowUp
        fields = ["title", "owner", "due_on", "note"]
        widgets = {
            "due_on": forms.DateInput(DATE_INPUT, format=DATE_FORMAT),
            "note": forms.Textarea({"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = colleagues([self.instance.organisation_id])


class MeetingFilterForm(forms.Form):
    """The meetings list: upcoming or past, and by campaign, status and kind."""

    UPCOMING, PAST = "upcoming", "past"

    when = forms.ChoiceField(
        label=_("When"),
        choices=[(UPCOMING, _("Upcoming")), (PAST, _("Past"))],
        required=False,
    )
    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.none(), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any")), *Meeting.Status.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Any")), *Meeting.Kind.choices], required=False
    )

    def __init__(self, *args, campaigns: list[Campaign], **kwargs):
        super().__init__(*args, **kwargs)
        offer_campaigns(self.fields["campaign"], campaigns)

    def filter(self, meetings: QuerySet[Meeting]) -> QuerySet[Meeting]:
        data = self.cleaned_data if self.is_valid() else {}
        now = timezone.now()
        if data.get("when") == self.PAST:
            meetings = meetings.filter(starts_at__lt=now).order_by("-starts_at", "-pk")
        else:
            meetings = meetings.filter(starts_at__gte=now).order_by("starts_at", "pk")
        if data.get("campaign"):
            meetings = meetings.filter(campaign=data["campaign"])
        if data.get("status"):
            meetings = meetings.filter(status=data["status"])
        if data.get("kind"):
            meetings = meetings.filter(kind=data["kind"])
        return meetings


class ChecklistItemForm(forms.ModelForm):
    class Meta:
        model = ChecklistTemplateItem
        fields = ["text"]
        labels = {"text": _("New item")}
