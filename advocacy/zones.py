"""Time zones by name, as users, events and meetings store them."""

import zoneinfo

UTC = zoneinfo.ZoneInfo("UTC")


def zone(name: str | None) -> zoneinfo.ZoneInfo:
    """The named IANA zone; UTC when the name is empty or unknown (an old or mistyped row)."""
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return UTC
