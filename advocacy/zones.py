"""Time zones by name, as users, events and meetings store them."""

import datetime as dt
import functools
import importlib.resources
import zoneinfo

UTC = zoneinfo.ZoneInfo("UTC")


def zone(name: str | None) -> zoneinfo.ZoneInfo:
    """The named IANA zone; UTC when the name is empty or unknown (an old or mistyped row)."""
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return UTC


def local_to_utc(local: dt.datetime, name: str | None) -> dt.datetime:
    """A naive local time in the named zone (see `zone`), as an aware UTC time. A time the
    clocks skip (a spring-forward gap) moves forward by the gap; a repeated one is the
    first."""
    return local.replace(tzinfo=zone(name), fold=0).astimezone(UTC)


# Countries that span several zones: the zone of the capital, where ministries and the
# legislature sit. Every other country takes the first zone tzdata lists for it.
CAPITAL_ZONES = {
    "AR": "America/Argentina/Buenos_Aires",
    "AU": "Australia/Sydney",
    "BR": "America/Sao_Paulo",
    "CA": "America/Toronto",
    "CD": "Africa/Kinshasa",
    "CL": "America/Santiago",
    "CN": "Asia/Shanghai",
    "EC": "America/Guayaquil",
    "ES": "Europe/Madrid",
    "FM": "Pacific/Pohnpei",
    "ID": "Asia/Jakarta",
    "KI": "Pacific/Tarawa",
    "KZ": "Asia/Almaty",
    "MN": "Asia/Ulaanbaatar",
    "MX": "America/Mexico_City",
    "MY": "Asia/Kuala_Lumpur",
    "NZ": "Pacific/Auckland",
    "PF": "Pacific/Tahiti",
    "PG": "Pacific/Port_Moresby",
    "PT": "Europe/Lisbon",
    "RU": "Europe/Moscow",
    "UA": "Europe/Kyiv",
    "US": "America/New_York",
    "UZ": "Asia/Tashkent",
}


@functools.cache
def _first_zones() -> dict[str, str]:
    """Country code → first zone listed in tzdata's zone.tab (from the tzdata package, so
    it is there whether or not the system has its own copy)."""
    text = importlib.resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text()
    zones: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, _coordinates, name, *_rest = line.split("\t")
            zones.setdefault(code, name)
    return zones


def country_time_zone(code: str | None) -> str:
    """The time zone a country's officials work in, by ISO code; UTC when unknown."""
    code = (code or "").upper()
    return CAPITAL_ZONES.get(code) or _first_zones().get(code, "UTC")
