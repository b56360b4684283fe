"""iCalendar in and out: .ics files imported into a calendar, and the private feeds.

Importing reads the whole file and writes nothing unless all of it is sound; problems are
reported with their line and component. The rules, for what real files contain:

- Text: UTF-8, with or without a byte-order mark. Lines may end in CRLF or LF; folded lines
  are unfolded. Control characters, unbalanced BEGIN/END and lines that are not content
  lines are refused with their line number.
- What is read: VCALENDAR objects; components written without the VCALENDAR wrapper (some
  programs export one event that way) are read as if wrapped. A vCard, a VALARM on its own
  or an unknown component at the top is refused. Only VEVENTs are imported; to-dos,
  journals, free/busy and availability are skipped.
- Time zones of DTSTART, DTEND, EXDATE, RDATE and RECURRENCE-ID with a TZID:
  1. an IANA name, also behind a vendor prefix ("/freeassociation.sourceforge.net/Europe/
     Berlin"): that zone, whose IANA rules win over the file's VTIMEZONE, as in calendar
     programs, because they are kept up to date;
  2. a Windows name ("W. Europe Standard Time"): its IANA zone (Unicode CLDR's table);
  3. any other name with a VTIMEZONE in the file ("Canberra, Melbourne, Sydney"): local
     times become UTC with the offsets that VTIMEZONE gives. The event is then shown and
     repeated in an IANA zone with the same offsets all through the event's year
     (preferring one whose city the name mentions); a VTIMEZONE of one fixed offset becomes
     that offset (Etc/GMT-11 for UTC+11); failing both, the fixed offset the event starts
     with, or UTC. The file's name is kept in `time_zone_label` and shown beside the time;
  4. any other name without a VTIMEZONE: an error, since its offset cannot be known.
  Times without a zone ("floating") and all-day dates are read in the calendar's
  X-WR-TIMEZONE when that is an IANA name, else in the zone the importer chose (the
  uploader's own; --time-zone for the command). UTC times repeat in UTC; a single UTC
  event is shown in X-WR-TIMEZONE when the file names one.
- All-day events (VALUE=DATE): start at local midnight, end exclusive, as in the file.
  Without DTEND: DURATION when given, else one day (all-day) or a moment (timed).
- Recurrence: RRULE (UNTIL is stored in the event's local time, since occurrences are
  expanded on wall-clock time, and turned back into UTC in feeds), EXDATE and RDATE (the
  start of an RDATE period; its length is not kept). RSCALE=GREGORIAN is plain RRULE; other
  calendars (RFC 7529) and EXRULE cannot be repeated here: the first occurrence is imported
  with a note.
- Identity: UID, so re-importing updates instead of duplicating. A RECURRENCE-ID override is
  stored as its own event with the UID "<UID>#<recurrence id>", and that occurrence is
  removed from the series (an EXDATE on it), so it shows once, as changed. A cancelled event
  (STATUS:CANCELLED) is not imported and is removed if an earlier import brought it; a
  cancelled override just removes the occurrence. Events without a UID get one made from
  their start and summary. When a UID appears twice, the higher SEQUENCE, then the later
  one, wins. Re-importing leaves events alone that the file no longer holds.
- Only what the file says is updated: title, description, times and zone, all-day,
  location, online link and recurrence. Kind, campaign, country and the rest, set in the app,
  are kept.
"""

from campaigns.ics.feeds import (
    FeedSource,
    calendar_build,
    event_component,
    event_source,
    feed_is_readable,
    feed_name,
    feed_sources,
)
from campaigns.ics.reader import (
    MAX_BYTES,
    IcsResult,
    ParsedEvent,
    import_file,
    local_until_rule,
    parse,
    save,
)
from campaigns.ics.zones import Problem, equivalent_zone, fixed_offset_zone, iana_name

__all__ = [
    "MAX_BYTES",
    "FeedSource",
    "IcsResult",
    "ParsedEvent",
    "Problem",
    "calendar_build",
    "equivalent_zone",
    "event_component",
    "event_source",
    "feed_is_readable",
    "feed_name",
    "feed_sources",
    "fixed_offset_zone",
    "iana_name",
    "import_file",
    "local_until_rule",
    "parse",
    "save",
]
