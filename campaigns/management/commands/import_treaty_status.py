"""Import a treaty's country statuses from a CSV file with a header we know.

    python manage.py import_treaty_status hr_status_cat.csv --treaty cat

Known headers: the UN human-rights status files (`iso2, member, state party, year
ratification or accession, signatory, no action, status, note`) and any header whose column
names say which is the country and which the status (see campaigns/treaty_import.py). Other
files go through the upload page, where the columns are mapped by hand.

All or nothing: with any error, nothing is written. Problems and notes go to stderr; the last
line on stdout is always `created N, updated N, unchanged N, errors N`.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from campaigns import treaty_import
from campaigns.models import Treaty
from contacts import imports


class Command(BaseCommand):
    help = "Import a treaty's status per country from a CSV file (idempotent, all or nothing)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="Path to a CSV file")
        parser.add_argument("--treaty", required=True, help="Code of the treaty, e.g. ccm")
        parser.add_argument(
            "--name", help="Create the treaty with this name if no treaty has the code"
        )
        parser.add_argument(
            "--month-first",
            action="store_true",
            help="Read dates such as 01/08/2010 as 8 January (the default is 1 August)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; change nothing"
        )

    def handle(self, *args, file: str, treaty: str, name: str | None, **options) -> None:
        result = treaty_import.TreatyImportResult()
        try:
            table = treaty_import.read_table(imports.read_path(file))
        except imports.ImportRejected as error:
            result.error(str(error))
        except OSError as error:
            result.error(f"{file}: {error.strerror}")
        else:
            mapping = treaty_import.guess_mapping(table.header)
            mapping.day_first = not options["month_first"]
            if treaty_import.missing_columns(mapping):
                result.error(
                    f"The header ({', '.join(table.header)}) does not say which column is the "
                    "country and which the status; map the columns on the upload page."
                )
            else:
                result = self._import(table, mapping, treaty, name, file, options["dry_run"])
        self._report(result)

    def _import(
        self,
        table: treaty_import.Table,
        mapping: treaty_import.Mapping,
        code: str,
        name: str | None,
        file: str,
        dry_run: bool,
    ) -> treaty_import.TreatyImportResult:
        with transaction.atomic():
            # A treaty made by --name goes too if the file does not import.
            result = treaty_import.import_statuses(
                treaty=self._treaty(code, name),
                table=table,
                mapping=mapping,
                source=Path(file).name,
                dry_run=dry_run,
            )
            transaction.set_rollback(not result.ok or dry_run)
        return result

    def _report(self, result: treaty_import.TreatyImportResult) -> None:
        for warning in result.warnings:
            self.stderr.write(f"note: {warning}")
        for message in result.errors:
            self.stderr.write(f"error: {message}")
        if result.error_count > len(result.errors):
            self.stderr.write(f"error: … and {result.error_count - len(result.errors)} more")
        if not result.ok:
            self.stderr.write("Nothing was imported.")
        self.stdout.write(result.line())
        if not result.ok:
            sys.exit(1)

    def _treaty(self, code: str, name: str | None) -> Treaty:
        treaty = Treaty.objects.filter(code=code).first()
        if treaty is not None:
            return treaty
        if name:
            self.stderr.write(f"note: a new treaty, {code}: {name}")
            return Treaty.objects.create(code=code, name=name)
        known = ", ".join(Treaty.objects.values_list("code", flat=True)) or "none yet"
        raise CommandError(f"No treaty has the code {code!r} (known: {known}); add --name.")
