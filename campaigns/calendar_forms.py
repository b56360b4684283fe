"""Forms of the calendar: events (local times in a named zone, a recurrence builder),
calendars, the agenda's filters, .ics uploads and private feeds."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

from dateutil.rrule import rrulestr
from django import forms
from django.db.models import Q
from django.http import QueryDict
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from advocacy.models import Membership, Organisation, time_zone_choices
from campaigns import ics
from campaigns.models import Calendar, CalendarEvent, Campaign
from campaigns.recurrence import validate_rrule
from contacts.models import Country, Institution

UTC = dt.UTC

# The UN's six, and what national events often add; anything else goes in "other".
INTERPRETATION_LANGUAGES = [
    ("ar", _("Arabic")),
    ("zh", _("Chinese")),
    ("en", _("English")),
    ("fr", _("French")),
    ("ru", _("Russian")),
    ("es", _("Spanish")),
    ("pt", _("Portuguese")),
    ("sw", _("Swahili")),
    ("sgn", _("Sign language")),
]
LANGUAGE_NAMES = dict(INTERPRETATION_LANGUAGES)

WEEKDAYS = [
    ("MO", _("Monday")),
    ("TU", _("Tuesday")),
    ("WE", _("Wednesday")),
    ("TH", _("Thursday")),
    ("FR", _("Friday")),
    ("SA", _("Saturday")),
    ("SU", _("Sunday")),
]
WEEKDAY_CODES = [code for code, _label in WEEKDAYS]


class Repeat(forms.ChoiceField):
    NONE = ""
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    MONTHLY_WEEKDAY = "monthly_weekday"
    YEARLY = "yearly"
    CUSTOM = "custom"
    CHOICES = [
        (NONE, _("Does not repeat")),
        (DAILY, _("Every day")),
        (WEEKLY, _("Every week, on the days ticked below")),
        (MONTHLY, _("Every month, on the same date")),
        (MONTHLY_WEEKDAY, _("Every month, on the same weekday (the first Tuesday, …)")),
        (YEARLY, _("Every year")),
        (CUSTOM, _("Another rule (RRULE)")),
    ]

    def __init__(self, **kwargs):
        super().__init__(choices=self.CHOICES, required=False, **kwargs)


def local_to_utc(local: dt.datetime, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    # fold=0 as in campaigns.recurrence, so exceptions match the occurrences it expands.
    return local.replace(tzinfo=tz, fold=0).astimezone(UTC)


def exists_locally(local: dt.datetime, tz: zoneinfo.ZoneInfo) -> bool:
    """False for a wall-clock time skipped when clocks go forward."""
    return local_to_utc(local, tz).astimezone(tz).replace(tzinfo=None) == local


def _nth_weekday(day: dt.date) -> str:
    """BYDAY for "the same weekday of the month": 1TU, ..., or -1TU for the last one."""
    nth = (day.day - 1) // 7 + 1
    if nth == 5:
        nth = -1
    return f"{nth}{WEEKDAY_CODES[day.weekday()]}"


def rrule_parts(rule: str) -> dict[str, str]:
    rule = rule.strip()
    if rule.upper().startswith("RRULE:"):
        rule = rule[6:]
    parts = {}
    for part in filter(None, rule.split(";")):
        name, _sep, value = part.partition("=")
        parts[name.strip().upper()] = value.strip().upper()
    return parts


def _until_date(value: str) -> dt.date | None:
    """The last day of an UNTIL written by the builder (a date, or 23:59:59 that day)."""
    match = re.fullmatch(r"(\d{8})(T235959)?", value)
    return dt.datetime.strptime(match.group(1), "%Y%m%d").date() if match else None


def builder_from_rrule(rule: str, start: dt.date) -> dict:
    """The builder's fields for a stored rule; rules it cannot show stay a custom RRULE."""
    if not rule:
        return {"repeat": Repeat.NONE}
    custom = {"repeat": Repeat.CUSTOM, "rrule_text": rule}
    parts = rrule_parts(rule)
    freq = parts.pop("FREQ", "")
    found = {"repeat_interval": int(parts.pop("INTERVAL", "1") or 1)}
    if "UNTIL" in parts:
        found["repeat_until"] = _until_date(parts.pop("UNTIL"))
        if found["repeat_until"] is None:
            return custom
    if "COUNT" in parts:
        found["repeat_count"] = int(parts.pop("COUNT"))
    parts.pop("WKST", None)
    byday = parts.pop("BYDAY", "")
    if parts:
        return custom
    days = byday.split(",") if byday else []
    if freq == "DAILY" and not days:
        return {**found, "repeat": Repeat.DAILY}
    if freq == "WEEKLY" and all(day in WEEKDAY_CODES for day in days):
        return {**found, "repeat": Repeat.WEEKLY, "repeat_days": days}
    if freq == "MONTHLY" and not days:
        return {**found, "repeat": Repeat.MONTHLY}
    if freq == "MONTHLY" and days == [_nth_weekday(start)]:
        return {**found, "repeat": Repeat.MONTHLY_WEEKDAY}
    if freq == "YEARLY" and not days:
        return {**found, "repeat": Repeat.YEARLY}
    return custom


def _parse_dates(text: str) -> tuple[list[dt.date], list[str]]:
    dates, bad = [], []
    for token in re.split(r"[\s,;]+", text.strip()):
        if not token:
            continue
        try:
            dates.append(dt.date.fromisoformat(token))
        except ValueError:
            bad.append(token)
    return sorted(set(dates)), bad


class CalendarEventForm(forms.ModelForm):
    """An event in local date and time of a named zone; stored in UTC."""

    start_date = forms.DateField(
        label=_("Starts on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    start_time = forms.TimeField(
        label=_("Start time"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    end_date = forms.DateField(
        label=_("Ends on"),
        required=False,
        help_text=_("Leave empty when it ends the day it starts."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end_time = forms.TimeField(
        label=_("End time"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        help_text=_("Where it takes place: the times above are local times there."),
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    online_url = forms.URLField(
        label=_("Online link"),
        required=False,
        max_length=1000,
        assume_scheme="https",
        help_text=_("To follow it online: a webcast or a video call."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Interpretation into"),
        choices=INTERPRETATION_LANGUAGES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    other_languages = forms.CharField(
        label=_("Other interpretation languages"),
        required=False,
        max_length=200,
        help_text=_("Separated by commas."),
    )
    repeat = Repeat(label=_("Repeats"))
    repeat_days = forms.MultipleChoiceField(
        label=_("On"), choices=WEEKDAYS, required=False, widget=forms.CheckboxSelectMultiple
    )
    repeat_interval = forms.IntegerField(
        label=_("Every how many (days, weeks, months or years)"),
        min_value=1,
        max_value=99,
        initial=1,
        required=False,
    )
    repeat_until = forms.DateField(
        label=_("Until"),
        required=False,
        help_text=_("The last day it may take place; leave empty to repeat without end."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    repeat_count = forms.IntegerField(
        label=_("Or this many times"), min_value=1, max_value=1000, required=False
    )
    rrule_text = forms.CharField(
        label=_("Rule (RRULE)"),
        required=False,
        max_length=500,
        help_text=_("RFC 5545, e.g. FREQ=MONTHLY;BYDAY=-1FR for the last Friday of each month."),
    )
    skip_dates = forms.CharField(
        label=_("Except on"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Dates without it, such as a recess: YYYY-MM-DD, separated by commas."),
    )

    class Meta:
        model = CalendarEvent
        fields = [
            "calendar",
            "title",
            "kind",
            "all_day",
            "location",
            "online_url",
            "description",
            "campaign",
            "institution",
            "treaty",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        calendars = Q(pk__in=Calendar.objects.editable_by(user).values("pk"))
        if self.instance.calendar_id:
            calendars |= Q(pk=self.instance.calendar_id)
        self.fields["calendar"].queryset = Calendar.objects.filter(calendars)
        self.fields["calendar"].empty_label = None
        self.fields["campaign"].queryset = Campaign.objects.visible_to(user).only("name")
        self.fields["institution"].queryset = Institution.objects.exclude(
            kind__in=["party", "media", "cso"]
        ).only("name")
        self.fields["time_zone"].choices = time_zone_choices(
            self.instance.time_zone if self.instance.pk else user.time_zone
        )
        self.fields["country"].choices = [("", "---------"), *countries]
        self.fields["all_day"].help_text = _("Dates only, no times: an anniversary, a recess.")
        if self.instance.pk:
            self.initial.update(self._initial_from(self.instance))
        else:
            self.initial.setdefault("time_zone", user.time_zone)

    @staticmethod
    def _initial_from(event: CalendarEvent) -> dict:
        tz = zoneinfo.ZoneInfo(event.time_zone)
        start = event.start.astimezone(tz)
        initial = {"time_zone": event.time_zone, "start_date": start.date()}
        if not event.all_day:
            initial["start_time"] = start.time().replace(second=0)
        if event.end:
            end = event.end.astimezone(tz)
            if event.all_day:
                # Stored exclusive (the day after), shown inclusive.
                last = (end - dt.timedelta(days=1)).date()
                initial["end_date"] = last if last > start.date() else None
            else:
                initial["end_date"] = end.date() if end.date() != start.date() else None
                initial["end_time"] = end.time().replace(second=0)
        known = [code for code in event.interpretation_languages if code in LANGUAGE_NAMES]
        others = [code for code in event.interpretation_languages if code not in LANGUAGE_NAMES]
        initial.update(languages=known, other_languages=", ".join(others))
        initial["country"] = event.country_id or ""
        initial.update(builder_from_rrule(event.rrule, start.date()))
        skipped = sorted(
            {dt.datetime.fromisoformat(x).astimezone(tz).date() for x in event.exdates}
        )
        initial["skip_dates"] = ", ".join(day.isoformat() for day in skipped)
        return initial

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        tz = zoneinfo.ZoneInfo(data["time_zone"])
        start_local = self._clean_times(data, tz)
        if start_local is None:
            return data
        data["rrule"] = self._clean_rrule(data, start_local, tz)
        data["exdates"] = self._clean_skip_dates(data, start_local, tz)
        data["interpretation_languages"] = data["languages"] + [
            name.strip() for name in data["other_languages"].split(",") if name.strip()
        ]
        return data

    def _clean_times(self, data: dict, tz: zoneinfo.ZoneInfo) -> dt.datetime | None:
        first = data["start_date"]
        last = data.get("end_date") or first
        if last < first:
            self.add_error("end_date", _("It cannot end before it starts."))
            return None
        if data["all_day"]:
            start_local = dt.datetime.combine(first, dt.time())
            data["start"] = local_to_utc(start_local, tz)
            data["end"] = local_to_utc(
                dt.datetime.combine(last + dt.timedelta(days=1), dt.time()), tz
            )
            return start_local
        if data.get("start_time") is None:
            self.add_error("start_time", _("Give a start time, or tick “all day”."))
            return None
        start_local = dt.datetime.combine(first, data["start_time"])
        if not exists_locally(start_local, tz):
            self.add_error(
                "start_time",
                _("This time does not exist there that day: the clocks go forward."),
            )
            return None
        data["start"] = local_to_utc(start_local, tz)
        data["end"] = None
        if data.get("end_time") is None:
            if data.get("end_date"):
                self.add_error("end_time", _("Give the time it ends on that day."))
                return None
            return start_local
        end_local = dt.datetime.combine(last, data["end_time"])
        if end_local < start_local:
            self.add_error(
                "end_time",
                _("It cannot end before it starts; give an end date if it ends the next day."),
            )
            return None
        if not exists_locally(end_local, tz):
            self.add_error(
                "end_time", _("This time does not exist there that day: the clocks go forward.")
            )
            return None
        data["end"] = local_to_utc(end_local, tz)
        return start_local

    def _clean_rrule(self, data: dict, start_local: dt.datetime, tz: zoneinfo.ZoneInfo) -> str:
        repeat = data.get("repeat") or Repeat.NONE
        if repeat == Repeat.NONE:
            return ""
        if repeat == Repeat.CUSTOM:
            rule = self._custom_rule(data.get("rrule_text", ""), tz, data["all_day"])
            field = "rrule_text"
        else:
            rule = self._built_rule(data, repeat, start_local)
            field = "repeat"
        if rule is None:
            return ""
        try:
            validate_rrule(rule)
            rrulestr(f"RRULE:{rule}", dtstart=start_local, forceset=True)
        except (ValueError, TypeError, KeyError) as error:
            self.add_error(field, _("This rule cannot be used: %(error)s") % {"error": error})
            return ""
        return rule

    def _built_rule(self, data: dict, repeat: str, start_local: dt.datetime) -> str | None:
        parts = {
            Repeat.DAILY: ["FREQ=DAILY"],
            Repeat.WEEKLY: ["FREQ=WEEKLY"],
            Repeat.MONTHLY: ["FREQ=MONTHLY"],
            Repeat.MONTHLY_WEEKDAY: ["FREQ=MONTHLY", f"BYDAY={_nth_weekday(start_local.date())}"],
            Repeat.YEARLY: ["FREQ=YEARLY"],
        }[repeat]
        interval = data.get("repeat_interval") or 1
        if interval > 1:
            parts.append(f"INTERVAL={interval}")
        if repeat == Repeat.WEEKLY:
            days = data.get("repeat_days") or [WEEKDAY_CODES[start_local.weekday()]]
            parts.append("BYDAY=" + ",".join(d for d in WEEKDAY_CODES if d in days))
        until, count = data.get("repeat_until"), data.get("repeat_count")
        if until and count:
            self.add_error("repeat_count", _("Give an end date or a number of times, not both."))
            return None
        if until:
            if until < start_local.date():
                self.add_error("repeat_until", _("This is before the first time."))
                return None
            # Occurrences are expanded on local times, so UNTIL is the local end of that day.
            suffix = "" if data["all_day"] else "T235959"
            parts.append(f"UNTIL={until:%Y%m%d}{suffix}")
        if count:
            parts.append(f"COUNT={count}")
        return ";".join(parts)

    def _custom_rule(self, text: str, tz: zoneinfo.ZoneInfo, all_day: bool) -> str | None:
        parts = rrule_parts(text)
        if not parts:
            self.add_error("rrule_text", _("Write the rule, or choose how it repeats."))
            return None
        if "UNTIL" in parts and "COUNT" in parts:
            self.add_error("rrule_text", _("A rule has UNTIL or COUNT, not both."))
            return None
        rule = ";".join(f"{name}={value}" for name, value in parts.items())
        if parts.get("UNTIL", "").endswith("Z"):
            try:
                rule = ics.local_until_rule(rule, tz, all_day)
            except ValueError as error:
                self.add_error("rrule_text", str(error))
                return None
        return rule

    def _clean_skip_dates(self, data: dict, start_local: dt.datetime, tz) -> list[str]:
        dates, bad = _parse_dates(data.get("skip_dates", ""))
        if bad:
            self.add_error(
                "skip_dates",
                _("Not a date (YYYY-MM-DD): %(values)s") % {"values": ", ".join(bad)},
            )
            return []
        at = start_local.time()
        return [local_to_utc(dt.datetime.combine(day, at), tz).isoformat() for day in dates]

    def save(self, commit: bool = True) -> CalendarEvent:
        event = super().save(commit=False)
        data = self.cleaned_data
        if event.pk and event.time_zone != data["time_zone"]:
            event.time_zone_label = ""  # the imported zone's name no longer applies
        for name in ("start", "end", "time_zone", "rrule", "exdates", "interpretation_languages"):
            setattr(event, name, data[name])
        event.country = Country.objects.ensure(data["country"]) if data["country"] else None
        if commit:
            event.save()
        return event


def _editing_organisations(user, current_id: int | None):
    editing = Membership.objects.filter(user=user, role__in=Membership.EDITOR_ROLES)
    allowed = Q(pk__in=editing.values("organisation"))
    if current_id:
        allowed |= Q(pk=current_id)
    return Organisation.objects.filter(allowed)


class CalendarForm(forms.ModelForm):
    """A named source of events: the treaty calendar, a parliament's sittings."""

    class Meta:
        model = Calendar
        fields = ["name", "organisation", "visibility", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = _editing_organisations(
            user, self.instance.organisation_id
        )
        self.fields["organisation"].empty_label = None


class CalendarFilterForm(forms.Form):
    """The agenda's and month's filters: a GET form, so the address keeps them."""

    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=Campaign.objects.none(), required=False
    )
    country = forms.ChoiceField(label=_("Country"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    calendar = forms.ModelChoiceField(
        label=_("Calendar"), queryset=Calendar.objects.none(), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.visible_to(user).only("name")
        self.fields["campaign"].empty_label = _("All campaigns")
        self.fields["calendar"].queryset = Calendar.objects.visible_to(user).only("name")
        self.fields["calendar"].empty_label = _("All calendars")
        self.fields["country"].choices = [("", _("All countries")), *countries]
        self.fields["kind"].choices = [("", _("All kinds")), *CalendarEvent.Kind.choices]

    def filter(self, events):
        if not self.is_valid():
            return events
        data = self.cleaned_data
        if data["campaign"]:
            events = events.filter(campaign=data["campaign"])
        if data["country"]:
            events = events.filter(country_id=data["country"])
        if data["kind"]:
            events = events.filter(kind=data["kind"])
        if data["calendar"]:
            events = events.filter(calendar=data["calendar"])
        return events

    def query(self) -> str:
        """The chosen filters as a query string, for links that keep them."""
        if not self.is_valid():
            return ""
        query = QueryDict(mutable=True)
        for name, value in self.cleaned_data.items():
            if value:
                query[name] = getattr(value, "pk", value)
        return query.urlencode()


class IcsUploadForm(forms.Form):
    file = forms.FileField(
        label=_("iCalendar file (.ics)"),
        help_text=_("Exported from a calendar program or downloaded from a parliament's site."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone for times without one"),
        help_text=_("Used only when the file names no zone for a time."),
    )
    kind = forms.ChoiceField(
        label=_("Kind of the new events"),
        choices=CalendarEvent.Kind.choices,
        initial=CalendarEvent.Kind.OTHER,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices(user.time_zone)
        self.fields["time_zone"].initial = user.time_zone

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > ics.MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)d MB.") % {"limit": ics.MAX_BYTES // 2**20}
            )
        return upload


class FeedForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=_("Events of"),
        queryset=Campaign.objects.none(),
        required=False,
        empty_label=_("Everything I can see"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.visible_to(user).only("name")


def describe_rrule(rule: str, start: dt.date) -> str:
    """A recurrence in words for the event page; rules the builder cannot show stay RRULE."""
    found = builder_from_rrule(rule, start)
    repeat = found["repeat"]
    if repeat == Repeat.NONE:
        return ""
    if repeat == Repeat.CUSTOM:
        return rule
    every = found.get("repeat_interval") or 1
    text = {
        Repeat.DAILY: ngettext("every day", "every %(n)d days", every),
        Repeat.WEEKLY: ngettext("every week", "every %(n)d weeks", every),
        Repeat.MONTHLY: ngettext("every month", "every %(n)d months", every),
        Repeat.MONTHLY_WEEKDAY: ngettext(
            "every month, on the same weekday", "every %(n)d months, on the same weekday", every
        ),
        Repeat.YEARLY: ngettext("every year", "every %(n)d years", every),
    }[repeat] % {"n": every}
    names = dict(WEEKDAYS)
    if found.get("repeat_days"):
        days = ", ".join(str(names[day]) for day in found["repeat_days"])
        text += " " + gettext("on %(days)s") % {"days": days}
    if found.get("repeat_until"):
        until = date_format(found["repeat_until"], "j F Y")
        text += ", " + gettext("until %(date)s") % {"date": until}
    if found.get("repeat_count"):
        text += ", " + ngettext("once", "%(n)d times", found["repeat_count"]) % {
            "n": found["repeat_count"]
        }
    return text
