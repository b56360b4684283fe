from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "meetings"
    verbose_name = _("Meetings")

    def ready(self) -> None:
        from contacts.services import TIMELINE_SOURCES
        from meetings.services import meeting_entries

        if meeting_entries not in TIMELINE_SOURCES:  # ready() may run again (app registry reloads)
            TIMELINE_SOURCES.append(meeting_entries)
