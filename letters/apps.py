from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LettersConfig(AppConfig):
    name = "letters"
    verbose_name = _("Letter actions")

    def ready(self) -> None:
        # Letters sent and replies join a person's timeline and every meeting's dossier; the
        # directory and meetings never import letters.
        from contacts.services import TIMELINE_SOURCES
        from letters.replies import dossier_entries, letter_entries
        from meetings.dossier import DOSSIER_SOURCES, DossierSource

        if letter_entries not in TIMELINE_SOURCES:
            TIMELINE_SOURCES.append(letter_entries)
        if not any(source.name == "letters" for source in DOSSIER_SOURCES):
            DOSSIER_SOURCES.append(
                DossierSource(
                    name="letters", label=_("Letters and replies"), entries=dossier_entries
                )
            )
