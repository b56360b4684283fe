"""Demo calendars: the treaty calendar of the two conventions, and parliamentary sittings.

Events are found by a fixed source UID in their calendar, so `seed_demo` can run again and
again without making copies. Recurring events start in the past and keep repeating, so the
agenda is never empty whenever the demo runs.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from advocacy.models import Membership, Organisation, User, Visibility
from campaigns.models import Calendar, CalendarEvent, Campaign, Treaty
from contacts.models import Country, Institution

Kind = CalendarEvent.Kind
UN_LANGUAGES = ["ar", "zh", "en", "fr", "ru", "es"]
PALAIS = "Palais des Nations, Geneva"
UN_WEB_TV = "https://webtv.un.org/en"

TREATIES = {
    "ccm": {
        "name": "Convention on Cluster Munitions",
        "short_name": "CCM",
        "adopted_on": dt.date(2008, 5, 30),
        "entry_into_force_on": dt.date(2010, 8, 1),
    },
    "mbt": {
        "name": "Convention on the Prohibition of the Use, Stockpiling, Production and "
        "Transfer of Anti-Personnel Mines and on their Destruction",
        "short_name": "Mine Ban Treaty",
        "adopted_on": dt.date(1997, 9, 18),
        "entry_into_force_on": dt.date(1999, 3, 1),
    },
}


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> dt.date:
    """The nth (1-based; -1 for the last) given weekday of a month."""
    if nth > 0:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    last = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.weekday() - weekday) % 7)


def _at(day: dt.date, hour: int, minute: int, zone: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zoneinfo.ZoneInfo(zone))


def _instant(day: dt.date, hour: int, minute: int, zone: str) -> str:
    return _at(day, hour, minute, zone).astimezone(dt.UTC).isoformat()


def _event(calendar: Calendar, uid: str, **fields) -> CalendarEvent:
    fields.setdefault("time_zone", "Europe/Zurich")
    event, _created = CalendarEvent.objects.update_or_create(
        calendar=calendar, source_uid=f"demo:{uid}", defaults=fields
    )
    return event


def _calendar(organisation: Organisation, name: str, description: str) -> Calendar:
    author = User.objects.filter(
        memberships__organisation=organisation, memberships__role=Membership.Role.COORDINATOR
    ).first()
    calendar, _created = Calendar.objects.update_or_create(
        organisation=organisation,
        name=name,
        defaults={
            "description": description,
            "visibility": Visibility.COALITION,
            "created_by": author,
        },
    )
    return calendar


def _campaign(name_start: str) -> Campaign | None:
    return Campaign.objects.filter(name__startswith=name_start).first()


def _institution(name: str) -> Institution | None:
    return Institution.objects.filter(name=name).first()


def seed_treaty_calendar(coalition: Organisation) -> None:
    ccm, _created = Treaty.objects.get_or_create(code="ccm", defaults=TREATIES["ccm"])
    mbt, _created = Treaty.objects.get_or_create(code="mbt", defaults=TREATIES["mbt"])
    switzerland = Country.objects.ensure("CH")
    calendar = _calendar(
        coalition,
        "Treaty calendar",
        "Formal meetings of the two conventions, their review conferences and anniversaries.",
    )
    universalise = _campaign("Universalise the Convention on Cluster Munitions")
    geneva = {"location": PALAIS, "online_url": UN_WEB_TV, "country": switzerland}
    interpreted = {"interpretation_languages": UN_LANGUAGES}

    # A review conference takes the place of that year's meeting of states parties.
    ccm_review_years = (2026, 2031, 2036)
    _event(
        calendar,
        "ccm-msp",
        title="CCM Meeting of States Parties",
        kind=Kind.MEETING_OF_STATES_PARTIES,
        treaty=ccm,
        campaign=universalise,
        start=_at(dt.date(2025, 9, 8), 10, 0, "Europe/Zurich"),
        end=_at(dt.date(2025, 9, 10), 18, 0, "Europe/Zurich"),
        rrule="FREQ=YEARLY;BYMONTH=9;BYDAY=2MO",
        exdates=[
            _instant(_nth_weekday(year, 9, 0, 2), 10, 0, "Europe/Zurich")
            for year in ccm_review_years
        ],
        description="Three days in September. States report on clearance, stockpile "
        "destruction and victim assistance; the coalition holds side events.",
        **geneva,
        **interpreted,
    )
    _event(
        calendar,
        "ccm-intersessional",
        title="CCM intersessional meetings",
        kind=Kind.INTERSESSIONAL,
        treaty=ccm,
        campaign=universalise,
        start=_at(dt.date(2025, 5, 12), 10, 0, "Europe/Zurich"),
        end=_at(dt.date(2025, 5, 13), 18, 0, "Europe/Zurich"),
        rrule="FREQ=YEARLY;BYMONTH=5;BYDAY=2MO",
        **geneva,
        **interpreted,
    )
    _event(
        calendar,
        "ccm-review-conference",
        title="CCM Review Conference",
        kind=Kind.REVIEW_CONFERENCE,
        treaty=ccm,
        campaign=universalise,
        start=_at(_nth_weekday(2026, 9, 0, 2), 10, 0, "Europe/Zurich"),
        end=_at(_nth_weekday(2026, 9, 0, 2) + dt.timedelta(days=4), 18, 0, "Europe/Zurich"),
        rrule="FREQ=YEARLY;INTERVAL=5;BYMONTH=9;BYDAY=2MO",
        description="Every five years, in place of the meeting of states parties.",
        **geneva,
        **interpreted,
    )
    _event(
        calendar,
        "ccm-entry-into-force",
        title="Anniversary of the CCM's entry into force (1 August 2010)",
        kind=Kind.ANNIVERSARY,
        treaty=ccm,
        campaign=universalise,
        all_day=True,
        start=_at(dt.date(2010, 8, 1), 0, 0, "Europe/Zurich"),
        end=_at(dt.date(2010, 8, 2), 0, 0, "Europe/Zurich"),
        rrule="FREQ=YEARLY",
    )

    mbt_review_years = (2029, 2034)
    clearance = _campaign("Mine Ban Treaty")
    _event(
        calendar,
        "mbt-msp",
        title="Mine Ban Treaty Meeting of States Parties",
        kind=Kind.MEETING_OF_STATES_PARTIES,
        treaty=mbt,
        campaign=clearance,
        start=_at(_nth_weekday(2025, 12, 0, 1), 10, 0, "Europe/Zurich"),
        end=_at(_nth_weekday(2025, 12, 0, 1) + dt.timedelta(days=4), 18, 0, "Europe/Zurich"),
        rrule="FREQ=YEARLY;BYMONTH=12;BYDAY=1MO",
        exdates=[
            _instant(_nth_weekday(year, 12, 0, 1), 10, 0, "Europe/Zurich")
            for year in mbt_review_years
        ],
        description="Extension requests for clearance deadlines are decided here.",
        **geneva,
        **interpreted,
    )
    _event(
        calendar,
        "mbt-intersessional",
        title="Mine Ban Treaty intersessional meetings",
        kind=Kind.INTERSESSIONAL,
        treaty=mbt,
        campaign=clearance,
        start=_at(_nth_weekday(2025, 6, 1, 3), 10, 0, "Europe/Zurich"),
        end=_at(_nth_weekday(2025, 6, 1, 3) + dt.timedelta(days=2), 18, 0, "Europe/Zurich"),
        rrule="FREQ=YEARLY;BYMONTH=6;BYDAY=3TU",
        **geneva,
        **interpreted,
    )
    _event(
        calendar,
        "mbt-review-conference",
        title="Mine Ban Treaty Review Conference",
        kind=Kind.REVIEW_CONFERENCE,
        treaty=mbt,
        campaign=clearance,
        start=_at(dt.date(2024, 11, 25), 9, 0, "Asia/Phnom_Penh"),
        end=_at(dt.date(2024, 11, 29), 18, 0, "Asia/Phnom_Penh"),
        time_zone="Asia/Phnom_Penh",
        rrule="FREQ=YEARLY;INTERVAL=5;BYMONTH=11;BYDAY=-1MO",
        location="Siem Reap, Cambodia (2024); the next host is chosen at the conference",
        description="Every five years, in place of the meeting of states parties.",
        **interpreted,
    )
    _event(
        calendar,
        "mbt-entry-into-force",
        title="Anniversary of the Mine Ban Treaty's entry into force (1 March 1999)",
        kind=Kind.ANNIVERSARY,
        treaty=mbt,
        campaign=clearance,
        all_day=True,
        start=_at(dt.date(1999, 3, 1), 0, 0, "Europe/Zurich"),
        end=_at(dt.date(1999, 3, 2), 0, 0, "Europe/Zurich"),
        rrule="FREQ=YEARLY",
    )
    _event(
        calendar,
        "mine-awareness-day",
        title="International Day for Mine Awareness and Assistance in Mine Action",
        kind=Kind.DAY_OF_ACTION,
        treaty=mbt,
        all_day=True,
        start=_at(dt.date(2006, 4, 4), 0, 0, "Europe/Zurich"),
        end=_at(dt.date(2006, 4, 5), 0, 0, "Europe/Zurich"),
        rrule="FREQ=YEARLY",
        description="4 April: a coordinated day of letters and social media across the coalition.",
    )


def seed_uk_parliament(organisation: Organisation) -> None:
    calendar = _calendar(
        organisation,
        "UK Parliament",
        "House of Commons sittings, recesses, question times and committee deadlines.",
    )
    uk = Country.objects.ensure("GB")
    commons = _institution("House of Commons")
    funding = _campaign("UK funding for clearance")
    london = {"time_zone": "Europe/London", "country": uk, "institution": commons}
    recess_first, recess_last = dt.date(2026, 7, 22), dt.date(2026, 9, 6)
    recess_days = [
        recess_first + dt.timedelta(days=n) for n in range((recess_last - recess_first).days + 1)
    ]
    _event(
        calendar,
        "commons-sitting",
        title="House of Commons sitting",
        kind=Kind.SITTING,
        campaign=funding,
        start=_at(dt.date(2026, 1, 6), 11, 30, "Europe/London"),
        end=_at(dt.date(2026, 1, 6), 19, 30, "Europe/London"),
        rrule="FREQ=WEEKLY;BYDAY=TU,WE",
        exdates=[
            _instant(d, 11, 30, "Europe/London") for d in recess_days if d.weekday() in (1, 2)
        ],
        location="Palace of Westminster, London",
        online_url="https://parliamentlive.tv/Commons",
        **london,
    )
    _event(
        calendar,
        "commons-summer-recess",
        title="Summer recess: MPs in their constituencies",
        kind=Kind.RECESS,
        campaign=funding,
        all_day=True,
        start=_at(recess_first, 0, 0, "Europe/London"),
        end=_at(recess_last + dt.timedelta(days=1), 0, 0, "Europe/London"),
        description="A good time for constituency surgeries and field visits.",
        **london,
    )
    _event(
        calendar,
        "commons-pmqs",
        title="Prime Minister's Questions",
        kind=Kind.QUESTION_TIME,
        campaign=funding,
        start=_at(dt.date(2026, 1, 7), 12, 0, "Europe/London"),
        end=_at(dt.date(2026, 1, 7), 12, 30, "Europe/London"),
        rrule="FREQ=WEEKLY;BYDAY=WE",
        exdates=[_instant(d, 12, 0, "Europe/London") for d in recess_days if d.weekday() == 2],
        location="House of Commons chamber",
        online_url="https://parliamentlive.tv/Commons",
        **london,
    )
    _event(
        calendar,
        "fco-consultation",
        title="Consultation deadline: the future of UK mine action funding",
        kind=Kind.CONSULTATION_DEADLINE,
        campaign=funding,
        all_day=True,
        start=_at(dt.date(2027, 2, 15), 0, 0, "Europe/London"),
        end=_at(dt.date(2027, 2, 16), 0, 0, "Europe/London"),
        description="Written submissions close at the end of the day.",
        time_zone="Europe/London",
        country=uk,
    )
    _event(
        calendar,
        "letter-day",
        title="Day of action: letters to every MP on clearance funding",
        kind=Kind.DAY_OF_ACTION,
        campaign=funding,
        all_day=True,
        start=_at(dt.date(2027, 3, 1), 0, 0, "Europe/London"),
        end=_at(dt.date(2027, 3, 2), 0, 0, "Europe/London"),
        time_zone="Europe/London",
        country=uk,
    )


def seed_other_parliaments() -> None:
    """Sittings in Suva and a budget hearing in Beirut: zones far from Geneva's."""
    fiji = Organisation.objects.filter(slug="ppn-fiji").first()
    if fiji is not None:
        calendar = _calendar(fiji, "Parliament of Fiji", "Sitting weeks of Parliament in Suva.")
        _event(
            calendar,
            "fiji-sitting",
            title="Parliament of Fiji sitting",
            kind=Kind.SITTING,
            campaign=_campaign("Pacific voices"),
            start=_at(dt.date(2026, 2, 2), 9, 30, "Pacific/Fiji"),
            end=_at(dt.date(2026, 2, 2), 16, 30, "Pacific/Fiji"),
            time_zone="Pacific/Fiji",
            rrule="FREQ=MONTHLY;BYDAY=1MO",
            location="Parliament House, Suva",
            country=Country.objects.ensure("FJ"),
            institution=_institution("Parliament of Fiji"),
        )
    cedar = Organisation.objects.filter(slug="cedar").first()
    if cedar is not None:
        calendar = _calendar(cedar, "Lebanese Parliament", "Committee hearings in Beirut.")
        _event(
            calendar,
            "lb-budget-hearing",
            title="Finance and Budget Committee: social affairs budget",
            kind=Kind.COMMITTEE_HEARING,
            campaign=_campaign("Victim assistance in Lebanon"),
            start=_at(dt.date(2027, 1, 19), 10, 0, "Asia/Beirut"),
            end=_at(dt.date(2027, 1, 19), 13, 0, "Asia/Beirut"),
            time_zone="Asia/Beirut",
            location="Parliament, Nejmeh Square, Beirut",
            interpretation_languages=["ar", "fr"],
            country=Country.objects.ensure("LB"),
        )


def seed_calendar() -> None:
    """The demo calendars; needs the organisations and campaigns seeded before it."""
    coalition = Organisation.objects.filter(slug="hdc").first()
    if coalition is None:
        return
    seed_treaty_calendar(coalition)
    uk = Organisation.objects.filter(slug="dauk").first()
    if uk is not None:
        seed_uk_parliament(uk)
    seed_other_parliaments()
