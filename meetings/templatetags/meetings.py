"""`{% meeting_when meeting %}`: when a meeting is, on its own clock and the reader's."""

from django import template
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from meetings.models import Meeting

register = template.Library()


@register.simple_tag
def meeting_when(meeting: Meeting) -> str:
    """'3 June 2026, 14:30–15:30 (Europe/Zurich)', and the reader's time when it differs."""
    local = meeting.local_start
    text = f"{formats.date_format(local, 'DATE_FORMAT')}, {formats.time_format(local)}"
    if meeting.local_end:
        text += f"–{formats.time_format(meeting.local_end)}"
    text += f" ({meeting.time_zone.replace('_', ' ')})"
    yours = meeting.starts_at.astimezone(timezone.get_current_timezone())
    if yours.utcoffset() != local.utcoffset():
        shown = formats.date_format(yours, "SHORT_DATETIME_FORMAT")
        text += "; " + _("%(time)s your time") % {"time": shown}
    return text
