"""Write the directory, or one country's part of it, as Popolo JSON to stdout.

python manage.py export_popolo --country KE > kenya.json
"""

import json

from django.core.management.base import BaseCommand, CommandError

from contacts import imports
from contacts.popolo_export import popolo_export


class Command(BaseCommand):
    help = "Write the directory as Popolo JSON (valid against the official schemas) to stdout."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--country", help="ISO 3166 code: only this country's institutions")

    def handle(self, *args, country: str | None, **options) -> None:
        try:
            country = imports.country_code(country) if country else None
        except imports.ImportRejected as error:
            raise CommandError(str(error)) from error
        self.stdout.write(json.dumps(popolo_export(country=country), ensure_ascii=False))
