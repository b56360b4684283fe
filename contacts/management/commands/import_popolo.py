"""Import a Popolo JSON file (such as an EveryPolitician legislature) into the directory.

    python manage.py import_popolo ep-popolo-v1.0.json --country KE

All or nothing: with any error, nothing is written. Problems and notes go to stderr; the
last line on stdout is always `created N, updated N, unchanged N, errors N`.
"""

import sys

from django.core.management.base import BaseCommand

from contacts import imports


class Command(BaseCommand):
    help = "Import a Popolo JSON file into the directory (idempotent, all or nothing)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="Path to a Popolo JSON file")
        parser.add_argument(
            "--country",
            help="ISO 3166 code of the country the file covers (required when it does not say)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; change nothing"
        )

    def handle(self, *args, file: str, country: str | None, dry_run: bool, **options) -> None:
        result = imports.ImportResult()
        try:
            data = imports.read_path(file)
            result = imports.import_data(imports.POPOLO, data, country=country, dry_run=dry_run)
        except imports.CountryNeeded as error:
            result.error(f"{error} (--country CC)")
        except imports.ImportRejected as error:
            result.error(str(error))
        except OSError as error:
            result.error(f"{file}: {error.strerror}")
        for warning in result.warnings:
            self.stderr.write(f"note: {warning}")
        if result.warning_count > len(result.warnings):
            self.stderr.write(f"note: … and {result.warning_count - len(result.warnings)} more")
        for message in result.errors:
            self.stderr.write(f"error: {message}")
        if result.error_count > len(result.errors):
            self.stderr.write(f"error: … and {result.error_count - len(result.errors)} more")
        if not result.ok:
            self.stderr.write("Nothing was imported.")
        self.stdout.write(result.line())
        if not result.ok:
            sys.exit(1)
