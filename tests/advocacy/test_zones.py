"""Time zones by name: a stored zone, a country's zone, and local times turned into UTC."""

import datetime as dt

from advocacy.zones import UTC, country_time_zone, local_to_utc, zone


def test_an_unknown_or_empty_zone_is_utc():
    assert zone("") is UTC and zone("Mars/Olympus") is UTC
    assert str(zone("Europe/London")) == "Europe/London"


def test_a_country_takes_its_capitals_zone():
    assert country_time_zone("US") == "America/New_York"
    assert country_time_zone("KE") == "Africa/Nairobi"


def test_local_times_become_utc_through_the_clock_changes():
    nine = dt.datetime(2026, 7, 1, 9, 0)
    assert local_to_utc(nine, "Europe/London") == dt.datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
    # 01:30 on the night the clocks go forward does not exist: it moves forward by the gap.
    gap = dt.datetime(2026, 3, 29, 1, 30)
    assert local_to_utc(gap, "Europe/London") == dt.datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    # 01:30 on the night they go back happens twice: the first.
    twice = dt.datetime(2026, 10, 25, 1, 30)
    assert local_to_utc(twice, "Europe/London") == dt.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert local_to_utc(nine, "") == dt.datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
