"""The calendar: agenda and month views, events, calendars, .ics uploads and private feeds.

Times are shown in the event's own zone first, then in the viewer's when their clock reads
differently: "15:00–16:30 CEST, 14:00–15:30 in your time". All-day events show dates only.
"""

from __future__ import annotations

import calendar as calendar_module
import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from advocacy.models import ImportJob
from campaigns import calendar_forms as forms
from campaigns import ics
from campaigns.ics import jobs as ics_jobs
from campaigns.models import Calendar, CalendarEvent, CalendarFeed
from campaigns.recurrence import Occurrence, event_occurrences

UTC = dt.UTC
AGENDA_DAYS = 56


# Showing times


def zone_abbreviation(local: dt.datetime) -> str:
    """CEST, EDT; zones without a letter abbreviation read "UTC+12" rather than "+12"."""
    name = local.tzname() or ""
    return f"UTC{name}" if name[:1] in "+-" else name


def _day(value: dt.datetime | dt.date) -> str:
    return date_format(value, "D j M")


def _clock(value: dt.datetime) -> str:
    return date_format(value, "H:i")


def _span(start: dt.datetime, end: dt.datetime | None, *, with_date: bool) -> str:
    text = f"{_day(start)} {_clock(start)}" if with_date else _clock(start)
    if end is None or end == start:
        return text
    if end.date() == start.date():
        return f"{text}–{_clock(end)}"
    return f"{text} – {_day(end)} {_clock(end)}"


def _date_range(first: dt.date, last: dt.date) -> str:
    return _day(first) if first == last else f"{_day(first)} – {_day(last)}"


def occurrence_times(occurrence: Occurrence, viewer_tz: dt.tzinfo) -> tuple[str, str]:
    """The event's own time with its zone, and the viewer's ("" when their clock agrees)."""
    own_start, own_end = occurrence.local_start, occurrence.local_end
    if occurrence.all_day:
        last = (own_end - dt.timedelta(days=1)).date() if own_end else own_start.date()
        return _date_range(own_start.date(), max(last, own_start.date())), ""
    own = f"{_span(own_start, own_end, with_date=False)} {zone_abbreviation(own_start)}"
    yours_start = occurrence.start.astimezone(viewer_tz)
    yours_end = occurrence.end.astimezone(viewer_tz) if occurrence.end else None
    if yours_start.utcoffset() == own_start.utcoffset() and (
        yours_end is None or yours_end.utcoffset() == own_end.utcoffset()
    ):
        return own, ""
    with_date = yours_start.date() != own_start.date()
    return own, _span(yours_start, yours_end, with_date=with_date)


@dataclass
class Slot:
    """One occurrence of an event, as a line of the agenda or an entry in a day of the month."""

    event: CalendarEvent
    occurrence: Occurrence
    own: str
    yours: str

    @property
    def sort_key(self) -> tuple:
        return (not self.occurrence.all_day, self.occurrence.start, self.event.title)

    def days(self, viewer_tz: dt.tzinfo) -> list[dt.date]:
        """The days it falls on: its own dates when all-day, the viewer's otherwise."""
        occurrence = self.occurrence
        if occurrence.all_day:
            first = occurrence.local_start.date()
            last = (occurrence.local_end - dt.timedelta(days=1)).date() if occurrence.end else first
        else:
            first = occurrence.start.astimezone(viewer_tz).date()
            end = occurrence.end.astimezone(viewer_tz) if occurrence.end else None
            # Ending at midnight does not put it on the next day.
            last = (
                (end - dt.timedelta(microseconds=1)).date() if end and end.date() > first else first
            )
        return [first + dt.timedelta(days=n) for n in range((max(last, first) - first).days + 1)]


def _slots(events, start: dt.datetime, end: dt.datetime, viewer_tz: dt.tzinfo) -> list[Slot]:
    slots = []
    for event in events:
        for occurrence in event_occurrences(event, start, end):
            own, yours = occurrence_times(occurrence, viewer_tz)
            slots.append(Slot(event, occurrence, own, yours))
    return sorted(slots, key=lambda slot: slot.sort_key)


def _local_midnight(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=tz).astimezone(UTC)


# Addresses may carry any date; windows far from these years would overflow datetime.
YEARS = range(1900, 2201)


def _date_param(value: str | None) -> dt.date | None:
    try:
        day = dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if day and day.year in YEARS else None


def _filtered_events(request: HttpRequest, form: forms.CalendarFilterForm):
    events = CalendarEvent.objects.visible_to(request.user).for_agenda()
    return form.filter(events)


# Agenda and month


@dataclass
class AgendaDay:
    day: dt.date
    slots: list[Slot] = field(default_factory=list)


@login_required
def agenda(request: HttpRequest) -> HttpResponse:
    """Upcoming occurrences, day by day, for eight weeks from a day (today by default)."""
    form = forms.CalendarFilterForm(request.GET or None, user=request.user)
    viewer_tz = timezone.get_current_timezone()
    today = timezone.localdate()
    first = _date_param(request.GET.get("from")) or today
    start = _local_midnight(first, viewer_tz)
    end = _local_midnight(first + dt.timedelta(days=AGENDA_DAYS), viewer_tz)
    events = _filtered_events(request, form).in_window(start, end)
    days: dict[dt.date, AgendaDay] = {}
    for slot in _slots(events, start, end, viewer_tz):
        day = max(slot.days(viewer_tz)[0], first)
        days.setdefault(day, AgendaDay(day)).slots.append(slot)
    context = {
        "form": form,
        "days": sorted(days.values(), key=lambda d: d.day),
        "first": first,
        "last": first + dt.timedelta(days=AGENDA_DAYS - 1),
        "today": today,
        "query": form.query(),
        "earlier": (first - dt.timedelta(days=AGENDA_DAYS)).isoformat(),
        "later": (first + dt.timedelta(days=AGENDA_DAYS)).isoformat(),
        "view": "agenda",
    }
    template = "campaigns/calendar/agenda.html"
    if request.htmx:
        template += "#results"
    return render(request, template, context)


@dataclass
class MonthDay:
    day: dt.date
    in_month: bool
    is_today: bool
    slots: list[Slot] = field(default_factory=list)


def _month_param(value: str | None, today: dt.date) -> dt.date:
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        if year in YEARS:
            return dt.date(year, month, 1)
    except ValueError:
        pass
    return today.replace(day=1)


def _add_months(first: dt.date, months: int) -> dt.date:
    index = first.year * 12 + first.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


@login_required
def month(request: HttpRequest) -> HttpResponse:
    """A month as a grid of weeks (a list of days on phones), server-rendered."""
    form = forms.CalendarFilterForm(request.GET or None, user=request.user)
    viewer_tz = timezone.get_current_timezone()
    today = timezone.localdate()
    first = _month_param(request.GET.get("month"), today)
    # Weeks start on the locale's first day (Sunday in English, Monday in French...).
    week_start = int(get_format("FIRST_DAY_OF_WEEK"))
    grid_start = first - dt.timedelta(days=(first.weekday() + 1 - week_start) % 7)
    last = first.replace(day=calendar_module.monthrange(first.year, first.month)[1])
    grid_end = last + dt.timedelta(days=(week_start - (last.weekday() + 2)) % 7)
    start = _local_midnight(grid_start, viewer_tz)
    end = _local_midnight(grid_end + dt.timedelta(days=1), viewer_tz)
    count = (grid_end - grid_start).days + 1
    days = [
        MonthDay(day, day.month == first.month, day == today)
        for day in (grid_start + dt.timedelta(days=n) for n in range(count))
    ]
    by_date = {month_day.day: month_day for month_day in days}
    events = _filtered_events(request, form).in_window(start, end)
    for slot in _slots(events, start, end, viewer_tz):
        for day in slot.days(viewer_tz):
            if day in by_date:
                by_date[day].slots.append(slot)
    context = {
        "form": form,
        "first": first,
        "has_slots": any(month_day.slots for month_day in days),
        "weeks": [days[n : n + 7] for n in range(0, len(days), 7)],
        "weekdays": [_weekday_name(grid_start + dt.timedelta(days=n)) for n in range(7)],
        "previous": _add_months(first, -1).strftime("%Y-%m"),
        "next": _add_months(first, 1).strftime("%Y-%m"),
        "query": form.query(),
        "view": "month",
    }
    template = "campaigns/calendar/month.html"
    if request.htmx:
        template += "#results"
    return render(request, template, context)


def _weekday_name(day: dt.date) -> str:
    return date_format(day, "D")


# Events


def _get_event_for_user(request: HttpRequest, pk: int, *, edit: bool = False) -> CalendarEvent:
    events = CalendarEvent.objects.for_agenda()
    if edit:
        return get_object_or_404(events.editable_by(request.user), pk=pk)
    return get_object_or_404(events.visible_to(request.user), pk=pk)


@login_required
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = _get_event_for_user(request, pk)
    viewer_tz = timezone.get_current_timezone()
    now = timezone.now()
    upcoming = _slots([event], now, now + dt.timedelta(days=366 * 2), viewer_tz)[:10]
    languages = [
        str(forms.LANGUAGE_NAMES.get(code, code)) for code in event.interpretation_languages
    ]
    context = {
        "event": event,
        "upcoming": upcoming,
        "first": _slots([event], event.start, event.start + dt.timedelta(seconds=1), viewer_tz),
        "languages": languages,
        "repeats": forms.describe_rrule(
            event.rrule, event.start.astimezone(zoneinfo.ZoneInfo(event.time_zone)).date()
        )
        if event.rrule
        else "",
        "can_edit": CalendarEvent.objects.editable_by(request.user).filter(pk=pk).exists(),
    }
    return render(request, "campaigns/calendar/event_detail.html", context)


@login_required
def event_create(request: HttpRequest) -> HttpResponse:
    initial = {}
    if day := _date_param(request.GET.get("date")):
        initial["start_date"] = day
    if calendar_id := request.GET.get("calendar", ""):
        initial["calendar"] = calendar_id if calendar_id.isdigit() else None
    form = forms.CalendarEventForm(request.POST or None, user=request.user, initial=initial)
    if not form.fields["calendar"].queryset.exists():
        messages.error(request, _("There is no calendar you may add events to: create one first."))
        return redirect("campaigns:calendar_list")
    if request.method == "POST" and form.is_valid():
        event = form.save()
        messages.success(request, _("Event added."))
        return redirect(event)
    return render(request, "campaigns/calendar/event_form.html", {"form": form})


@login_required
def event_update(request: HttpRequest, pk: int) -> HttpResponse:
    event = _get_event_for_user(request, pk, edit=True)
    form = forms.CalendarEventForm(request.POST or None, instance=event, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Event saved."))
        return redirect(event)
    return render(request, "campaigns/calendar/event_form.html", {"form": form, "event": event})


@login_required
def event_delete(request: HttpRequest, pk: int) -> HttpResponse:
    event = _get_event_for_user(request, pk, edit=True)
    if request.method == "POST":
        event.delete()
        messages.success(request, _("Event deleted."))
        return redirect("campaigns:calendar")
    return render(request, "campaigns/calendar/event_confirm_delete.html", {"event": event})


# Calendars


def _get_calendar_for_user(request: HttpRequest, pk: int, *, edit: bool = False) -> Calendar:
    calendars = Calendar.objects.select_related("organisation")
    if edit:
        return get_object_or_404(calendars.editable_by(request.user), pk=pk)
    return get_object_or_404(calendars.visible_to(request.user), pk=pk)


@login_required
def calendar_list(request: HttpRequest) -> HttpResponse:
    calendars = (
        Calendar.objects.visible_to(request.user)
        .select_related("organisation")
        .annotate(event_count=Count("events"))
        .order_by("name", "pk")
    )
    editable = set(Calendar.objects.editable_by(request.user).values_list("pk", flat=True))
    return render(
        request,
        "campaigns/calendar/calendar_list.html",
        {"calendars": calendars, "editable": editable},
    )


@login_required
def calendar_detail(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = _get_calendar_for_user(request, pk)
    events = (
        CalendarEvent.objects.visible_to(request.user)
        .filter(calendar=calendar)
        .select_related("campaign")
        .order_by("start", "pk")[:200]
    )
    context = {
        "calendar": calendar,
        "events": events,
        "can_edit": Calendar.objects.editable_by(request.user).filter(pk=pk).exists(),
    }
    return render(request, "campaigns/calendar/calendar_detail.html", context)


@login_required
def calendar_create(request: HttpRequest) -> HttpResponse:
    form = forms.CalendarForm(request.POST or None, user=request.user)
    if not form.fields["organisation"].queryset.exists():
        messages.error(request, _("Viewers cannot add calendars; ask an admin for a new role."))
        return redirect("campaigns:calendar_list")
    if request.method == "POST" and form.is_valid():
        calendar = form.save(commit=False)
        calendar.created_by = request.user
        calendar.save()
        messages.success(request, _("Calendar created."))
        return redirect(calendar)
    return render(request, "campaigns/calendar/calendar_form.html", {"form": form})


@login_required
def calendar_update(request: HttpRequest, pk: int) -> HttpResponse:
    calendar = _get_calendar_for_user(request, pk, edit=True)
    form = forms.CalendarForm(request.POST or None, instance=calendar, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Calendar saved."))
        return redirect(calendar)
    return render(
        request, "campaigns/calendar/calendar_form.html", {"form": form, "calendar": calendar}
    )


@login_required
def calendar_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload an .ics file into a calendar: a preview first, then the import runs as a
    background job (the directory's mechanism) whose page shows its progress."""
    calendar = _get_calendar_for_user(request, pk, edit=True)
    form = forms.IcsUploadForm(request.POST or None, request.FILES or None, user=request.user)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job, result = ics_jobs.import_job_create(
            calendar=calendar,
            data=upload.read(),
            file_name=upload.name,
            time_zone=form.cleaned_data["time_zone"],
            kind=form.cleaned_data["kind"],
            created_by=request.user,
        )
        if job is not None:
            return redirect("campaigns:calendar_import_job", pk=calendar.pk, job_pk=job.pk)
    jobs = ImportJob.objects.filter(kind=ics_jobs.KIND, options__calendar=calendar.pk)[:10]
    context = {"calendar": calendar, "form": form, "result": result, "jobs": jobs}
    return render(request, "campaigns/calendar/calendar_import.html", context)


def _get_import_job(request: HttpRequest, pk: int, job_pk: int) -> tuple[Calendar, ImportJob]:
    calendar = _get_calendar_for_user(request, pk, edit=True)
    jobs = ImportJob.objects.filter(kind=ics_jobs.KIND, options__calendar=calendar.pk)
    return calendar, get_object_or_404(jobs, pk=job_pk)


@login_required
def calendar_import_job(request: HttpRequest, pk: int, job_pk: int) -> HttpResponse:
    """A job's preview, progress or outcome; for htmx, only the progress region, which
    polls itself every second while the job runs."""
    calendar, job = _get_import_job(request, pk, job_pk)
    template = "campaigns/calendar/import_job.html"
    if request.htmx:
        template += "#import-progress"
    context = {"calendar": calendar, "job": job, "preview": job.preview, "counts": job.counts}
    return render(request, template, context)


@login_required
@require_POST
def calendar_import_confirm(request: HttpRequest, pk: int, job_pk: int) -> HttpResponse:
    calendar, job = _get_import_job(request, pk, job_pk)
    if ics_jobs.import_job_queue(job=job):
        messages.success(request, _("The import has started."))
    return redirect("campaigns:calendar_import_job", pk=calendar.pk, job_pk=job.pk)


# Feeds


@login_required
def feed_list(request: HttpRequest) -> HttpResponse:
    """The user's private calendar addresses: subscribe, revoke, make a new one."""
    # A personal feed is an empty form: bind on POST whatever it holds.
    data = request.POST if request.method == "POST" else None
    form = forms.FeedForm(data, user=request.user)
    if request.method == "POST" and form.is_valid():
        CalendarFeed.objects.create(
            owner=request.user,
            campaign=form.cleaned_data["campaign"],
            token=CalendarFeed.new_token(),
        )
        messages.success(request, _("A new calendar address is ready."))
        return redirect("campaigns:feed_list")
    feeds = CalendarFeed.objects.active().filter(owner=request.user).select_related("campaign")
    rows = [(feed, request.build_absolute_uri(feed.get_absolute_url())) for feed in feeds]
    return render(request, "campaigns/calendar/feed_list.html", {"form": form, "feeds": rows})


@login_required
@require_POST
def feed_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    feed = get_object_or_404(CalendarFeed.objects.active(), pk=pk, owner=request.user)
    feed.revoke()
    messages.success(request, _("That address no longer works."))
    return redirect("campaigns:feed_list")


def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The iCalendar feed itself: no sign-in, the token is the key; a revoked one is gone."""
    found = CalendarFeed.objects.select_related("owner", "campaign").filter(token=token).first()
    if found is None or not ics.feed_is_readable(found):
        raise Http404
    body = ics.calendar_build(name=ics.feed_name(found), sources=ics.feed_sources(found))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="advocacy.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


urlpatterns: list[URLPattern] = [
    path("calendar/", agenda, name="calendar"),
    path("calendar/month/", month, name="calendar_month"),
    path("calendar/events/new/", event_create, name="event_create"),
    path("calendar/events/<int:pk>/", event_detail, name="event"),
    path("calendar/events/<int:pk>/edit/", event_update, name="event_update"),
    path("calendar/events/<int:pk>/delete/", event_delete, name="event_delete"),
    path("calendar/calendars/", calendar_list, name="calendar_list"),
    path("calendar/calendars/new/", calendar_create, name="calendar_create"),
    path("calendar/calendars/<int:pk>/", calendar_detail, name="calendar_detail"),
    path("calendar/calendars/<int:pk>/edit/", calendar_update, name="calendar_update"),
    path("calendar/calendars/<int:pk>/import/", calendar_import, name="calendar_import"),
    path(
        "calendar/calendars/<int:pk>/import/<int:job_pk>/",
        calendar_import_job,
        name="calendar_import_job",
    ),
    path(
        "calendar/calendars/<int:pk>/import/<int:job_pk>/confirm/",
        calendar_import_confirm,
        name="calendar_import_confirm",
    ),
    path("calendar/feeds/", feed_list, name="feed_list"),
    path("calendar/feeds/<int:pk>/revoke/", feed_revoke, name="feed_revoke"),
    path("calendar/feed/<str:token>.ics", feed, name="feed"),
]
