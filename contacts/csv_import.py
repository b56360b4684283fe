"""CSV into the directory: one row per person, with optional position and contact columns.

The header names the columns (any order, any case); only `name` is required, and `country`
unless the importer is given one. A person appearing on several rows (one per position) is
one person. Rows match people already in the directory by the `id` column (the directory's
own number for them), then by Wikidata id, then by name within the country: someone of that
name holding a position there, or holding no position at all (whose country the directory
cannot tell). Two such people make the row an error: give the id. Institutions, parties and
areas are found by name within the country, or created.

Like every import: UTF-8 only, all or nothing, and problems named by line number.
"""

from __future__ import annotations

import csv
import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts.imports import ImportRejected, ImportResult, Progress, country_code, decode_text
from contacts.loader import (
    AreaRecord,
    Dataset,
    DateValue,
    InstitutionRecord,
    MembershipRecord,
    PersonRecord,
    dataset_write,
    name_key,
    parse_date,
)
from contacts.models import ContactPoint, Institution
from contacts.popolo import gender_value, split_emails, twitter_handle, validate_url

# The documented header, in the template's order, with what each column holds.
COLUMNS = {
    "id": gettext_lazy("The directory's number for a person already in it; empty for someone new."),
    "name": gettext_lazy("Full name, as it should appear. Required."),
    "given_name": gettext_lazy("Given name."),
    "family_name": gettext_lazy("Family name."),
    "honorific_prefix": gettext_lazy("Honorific: Hon., Dr., H.E."),
    "gender": gettext_lazy("female, male or other."),
    "country": gettext_lazy("Two-letter ISO 3166 code: KE, GB, FR. Required unless chosen below."),
    "institution": gettext_lazy("Where they hold a position: National Assembly, Ministry of…"),
    "institution_kind": gettext_lazy(
        "parliament, chamber, committee, ministry, department, government, mission, embassy…"
    ),
    "role": gettext_lazy("Their role there: MP, minister, desk officer, ambassador, aide."),
    "post": gettext_lazy("The post's name, if it has one: Minister of Foreign Affairs."),
    "party": gettext_lazy("Party they sit for."),
    "area": gettext_lazy("Constituency or region they represent."),
    "area_kind": gettext_lazy("What the area is: constituency (the default), county, region."),
    "start": gettext_lazy("When the position began: YYYY, YYYY-MM or YYYY-MM-DD."),
    "end": gettext_lazy("When it ended, if it has: YYYY, YYYY-MM or YYYY-MM-DD."),
    "email": gettext_lazy("Email addresses, several separated by ; if need be."),
    "phone": gettext_lazy("Phone number in international format: +254 20 221 291."),
    "twitter": gettext_lazy("X / Twitter handle or address."),
    "website": gettext_lazy("Web address starting with https://."),
    "wikidata": gettext_lazy("Wikidata id: Q4717538."),
}
REQUIRED = ("name",)
PHONE_CHARACTERS = set("+0123456789 ()-./")
KIND_BY_NAME = {kind.value: kind.value for kind in Institution.Kind} | {
    str(kind.label).lower(): kind.value for kind in Institution.Kind
}


def template_csv() -> str:
    """The header row that the downloadable template holds."""
    return ",".join(COLUMNS) + "\r\n"


def _rows(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and (line number, cells) of each non-blank row. Spreadsheets set to a
    European locale write ';' between cells, so a header without commas is read that way."""
    first = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, [])
        rows, line = [], reader.line_num + 1
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as error:
        raise ImportRejected(
            _("The file is not readable CSV (line %(line)d: %(problem)s).")
            % {"line": reader.line_num, "problem": error}
        ) from error
    return [cell.strip().lower() for cell in header], rows


def _check_header(header: list[str]) -> None:
    named = [column for column in header if column]
    if not named:
        raise ImportRejected(_("The file is empty: the first line must name the columns."))
    missing = [column for column in REQUIRED if column not in named]
    if missing:
        raise ImportRejected(
            _(
                "The header lacks the column %(columns)s. The first line must name the "
                "columns, as in the template."
            )
            % {"columns": ", ".join(f'"{column}"' for column in missing)}
        )
    unknown = [column for column in named if column not in COLUMNS]
    if unknown:
        raise ImportRejected(
            _("Unknown column %(columns)s: the template lists the columns this import reads.")
            % {"columns": ", ".join(f'"{column}"' for column in unknown)}
        )
    repeated = sorted({column for column in named if named.count(column) > 1})
    if repeated:
        raise ImportRejected(
            _("The column %(columns)s appears twice.")
            % {"columns": ", ".join(f'"{column}"' for column in repeated)}
        )


class _RowReader:
    def __init__(self, country: str | None, result: ImportResult) -> None:
        self.country = country
        self.result = result
        self.dataset = Dataset()

    def read(self, line: int, row: dict[str, str]) -> None:
        ref = f"line {line}"
        errors_before = self.result.error_count
        name = row.get("name", "")
        if not name:
            self.result.error(f'{ref}: column "name" is empty')
        country = self._country(row, ref)
        pk = self._id(row, ref)
        start, end = self._date(row, "start", ref), self._date(row, "end", ref, end=True)
        if start and end and end.value < start.value:
            self.result.error(f'{ref}: column "end" is before "start"')
        kind = row.get("institution_kind", "").lower()
        if kind and kind not in KIND_BY_NAME:
            self.result.error(f'{ref}: column "institution_kind": "{kind}" is not a kind we know')
        contacts = self._contacts(row, ref)
        if self.result.error_count > errors_before or not name:
            return
        person = self._person(ref, row, name, country, pk)
        person.contact_points += [c for c in contacts if c not in person.contact_points]
        if row.get("institution"):
            self._position(ref, row, person, country, KIND_BY_NAME.get(kind, ""), start, end)

    def _country(self, row: dict[str, str], ref: str) -> str:
        code = row.get("country", "")
        if not code:
            if self.country is None:
                self.result.error(f'{ref}: column "country" is empty and no country was chosen')
            return self.country or ""
        try:
            return country_code(code)
        except ImportRejected:
            self.result.error(f'{ref}: column "country": "{code}" is not a country code')
            return ""

    def _id(self, row: dict[str, str], ref: str) -> int | None:
        text = row.get("id", "")
        if not text:
            return None
        if not text.isdigit():
            self.result.error(f'{ref}: column "id" must be a number from the directory')
            return None
        return int(text)

    def _date(self, row: dict[str, str], column: str, ref: str, *, end=False) -> DateValue | None:
        text = row.get(column, "")
        if not text:
            return None
        try:
            return parse_date(text, end=end)
        except ValueError:
            self.result.error(
                f'{ref}: column "{column}" is not a date (YYYY, YYYY-MM or YYYY-MM-DD): "{text}"'
            )
            return None

    def _contacts(self, row: dict[str, str], ref: str) -> list[tuple[str, str, str]]:
        found = []
        if row.get("email"):
            addresses = split_emails(row["email"])
            if not addresses:
                self.result.error(f'{ref}: column "email" holds no email address')
            found += [(ContactPoint.Kind.EMAIL, address, "") for address in addresses]
        phone = row.get("phone", "")
        if phone:
            if not set(phone) <= PHONE_CHARACTERS or sum(c.isdigit() for c in phone) < 5:
                self.result.error(f'{ref}: column "phone" is not a phone number: "{phone}"')
            found.append((ContactPoint.Kind.PHONE, phone, ""))
        if row.get("twitter"):
            found.append((ContactPoint.Kind.TWITTER, twitter_handle(row["twitter"]), ""))
        website = row.get("website", "")
        if website:
            try:
                validate_url(website)
            except ValidationError:
                self.result.error(f'{ref}: column "website" is not a web address: "{website}"')
            found.append((ContactPoint.Kind.WEBSITE, website, ""))
        return found

    def _person(
        self, ref: str, row: dict[str, str], name: str, country: str, pk: int | None
    ) -> PersonRecord:
        wikidata = row.get("wikidata", "")
        if pk:
            key = f"id:{pk}"
        elif wikidata:
            key = f"wikidata:{wikidata}"
        else:
            key = f"name:{country}:{name_key(name)}"
        person = self.dataset.persons.get(key)
        if person is None:
            fields = {
                field: row.get(field, "")
                for field in ("given_name", "family_name", "honorific_prefix")
            }
            fields["gender"] = gender_value(row.get("gender", ""))
            person = PersonRecord(
                ref=ref,
                key=key,
                name=name,
                fields=fields,
                identifiers=[("wikidata", wikidata)] if wikidata else [],
                pk=pk,
                match_country=country,
            )
            self.dataset.persons[key] = person
        return person

    def _position(
        self,
        ref: str,
        row: dict[str, str],
        person: PersonRecord,
        country: str,
        kind: str,
        start: DateValue | None,
        end: DateValue | None,
    ) -> None:
        institution = self._institution(ref, row["institution"], kind, country)
        party = (
            self._institution(ref, row["party"], Institution.Kind.PARTY, country)
            if row.get("party")
            else ""
        )
        area = ""
        if row.get("area"):
            area_kind = row.get("area_kind", "").lower() or "constituency"
            area = f"{country}:{area_kind}:{name_key(row['area'])}"
            self.dataset.areas.setdefault(
                area,
                AreaRecord(ref=ref, key=area, name=row["area"], kind=area_kind, country=country),
            )
        self.dataset.memberships.append(
            MembershipRecord(
                ref=ref,
                person_key=person.key,
                institution_key=institution,
                role=row.get("role", "")[:100],
                label=row.get("post", "")[:200],
                party_key=party,
                area_key=area,
                start=start,
                end=end,
            )
        )

    def _institution(self, ref: str, name: str, kind: str, country: str) -> str:
        key = f"{country}:{kind}:{name_key(name)}"
        self.dataset.institutions.setdefault(
            key, InstitutionRecord(ref=ref, key=key, name=name[:300], kind=kind, country=country)
        )
        return key


def csv_import(
    data: bytes,
    *,
    country: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a directory CSV; `country` is used for rows whose country column is empty."""
    header, rows = _rows(decode_text(data))
    _check_header(header)
    if not rows:
        raise ImportRejected(_("The file has a header but no rows."))
    reader = _RowReader(country_code(country) if country else None, ImportResult())
    for line, cells in rows:
        if len(cells) > len(header) and any(cell.strip() for cell in cells[len(header) :]):
            reader.result.error(f"line {line}: more cells than the header has columns")
            continue
        reader.read(
            line,
            {column: cell.strip() for column, cell in zip(header, cells, strict=False) if column},
        )
    result = reader.result
    result.found = reader.dataset.found()
    if not result.ok:
        return result
    return dataset_write(reader.dataset, result=result, dry_run=dry_run, progress=progress)
