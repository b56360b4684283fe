"""Import an iCalendar file into a named calendar: `import_ics FILE --calendar NAME`."""

import zoneinfo
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from advocacy.models import Organisation
from campaigns import ics
from campaigns.models import Calendar, CalendarEvent


class Command(BaseCommand):
    help = (
        "Import the events of an .ics file into a calendar; re-importing updates events by "
        "UID. A file with any error imports nothing. Ends with "
        "'created N, updated N, unchanged N, errors N'."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="Path of the .ics file.")
        parser.add_argument("--calendar", required=True, help="Name of the calendar.")
        parser.add_argument(
            "--organisation",
            help="Short name (slug) of the organisation; the calendar is created there if "
            "it does not exist. Needed when several organisations have a calendar of that name.",
        )
        parser.add_argument(
            "--time-zone",
            default="UTC",
            help="Zone for times the file gives without one (default UTC), unless the file "
            "names its own (X-WR-TIMEZONE).",
        )
        parser.add_argument(
            "--kind",
            choices=CalendarEvent.Kind.values,
            default=CalendarEvent.Kind.OTHER,
            help="Kind given to new events (default: other).",
        )

    def handle(self, *args, **options) -> None:
        if options["time_zone"] not in zoneinfo.available_timezones():
            raise CommandError(f"Unknown time zone: {options['time_zone']}")
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from error
        calendar = self._calendar(options["calendar"], options["organisation"])
        result = ics.import_file(
            calendar=calendar,
            data=data,
            default_time_zone=options["time_zone"],
            kind=options["kind"],
        )
        for note in result.notes:
            self.stdout.write(f"note: {note}")
        for error in result.errors:
            self.stderr.write(f"error: {error}")
        if result.error_count > len(result.errors):
            self.stderr.write(f"... and {result.error_count - len(result.errors)} more errors")
        self.stdout.write(result.line())
        if not result.ok:
            raise CommandError("Nothing was imported.", returncode=1)

    def _calendar(self, name: str, slug: str | None) -> Calendar:
        if slug:
            organisation = Organisation.objects.filter(slug=slug).first()
            if organisation is None:
                raise CommandError(f"No organisation with the short name {slug!r}.")
            calendar, created = Calendar.objects.get_or_create(organisation=organisation, name=name)
            if created:
                self.stdout.write(f"Created the calendar {name!r} of {organisation}.")
            return calendar
        calendars = list(Calendar.objects.filter(name=name).select_related("organisation")[:2])
        if not calendars:
            raise CommandError(
                f"No calendar named {name!r}; give --organisation SLUG to create it."
            )
        if len(calendars) > 1:
            raise CommandError(
                f"Several organisations have a calendar named {name!r}; give --organisation."
            )
        return calendars[0]
