"""Treaty status lists from CSV files, whatever their shape.

Status lists come from the UN Treaty Collection, campaign monitors and spreadsheets kept by
hand, each with its own columns and words. A `Mapping` says which column names the country
(by ISO code, or by English or French name), which holds the status and what its words mean,
and which hold the dates (years, or full dates in several formats). Files with a header we
know (the UN human-rights status files) map themselves: see `guess_mapping`.

Cells are read with the csv module and kept as strings, so Namibia's code `NA` stays a
country and never becomes a missing value. Like every import: UTF-8 only, all or nothing,
problems named by line number, and a second run of the same file changes nothing. A cell
left empty never erases what is already known (a file without dates keeps ours).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries
from django_countries.data import COUNTRIES as ISO_NAMES

from advocacy.models import ImportJob, User
from campaigns.models import Treaty, TreatyStatus, TreatyStatusChange
from contacts import imports
from contacts.imports import ImportRejected, ImportResult, Progress, check_size, decode_text
from contacts.models import Country, DatePrecision

KIND = "campaigns.treaty_status"
Status = TreatyStatus.Status

# How the country column names countries.
COUNTRY_BY_AUTO = "auto"
COUNTRY_BY = {
    COUNTRY_BY_AUTO: gettext_lazy("A code or a name, whichever it looks like"),
    "alpha2": gettext_lazy("ISO 3166 code, two letters (KE)"),
    "alpha3": gettext_lazy("ISO 3166 code, three letters (KEN)"),
    "name_en": gettext_lazy("English name"),
    "name_fr": gettext_lazy("French name"),
}
# The date columns a mapping may fill, by TreatyStatus field.
DATE_FIELDS = ("signed_on", "consent_on", "entry_into_force_on", "withdrawn_on")
# Fields that keep how precise their date is; the others need a full date.
PRECISION_FIELDS = {"signed_on": "signed_precision", "consent_on": "consent_precision"}

# Codes that left ISO 3166 or never were in it, as status lists still use them.
OLD_CODES = {"TP": "TL", "TMP": "TL", "ZR": "CD", "ZAR": "CD", "BU": "MM", "UK": "GB", "EL": "GR"}
# Names in common use that django-countries does not list, in English and French.
NAME_ALIASES = {
    "ivory coast": "CI",
    "cape verde": "CV",
    "east timor": "TL",
    "united states": "US",
    "usa": "US",
    "great britain": "GB",
    "britain": "GB",
    "burma": "MM",
    "vatican": "VA",
    "congo kinshasa": "CD",
    "republic of congo": "CG",
    "republic of the congo": "CG",
    "congo brazzaville": "CG",
    "kyrgyz republic": "KG",
    "slovak republic": "SK",
    "lao pdr": "LA",
    "state of palestine": "PS",
    "etats unis": "US",
    "timor oriental": "TL",
    "birmanie": "MM",
}

# Status words of the sources we have met, normalised (see `word_key`), in English, French
# and Spanish. The mapping step shows each word of a file with its guess, to confirm.
STATUS_WORDS = {
    Status.STATE_PARTY: [
        "state party",
        "states parties",
        "party",
        "etat partie",
        "estado parte",
        "in force",
        "en vigueur",
    ],
    Status.RATIFIED: [
        "ratified",
        "ratification",
        "acceptance",
        "approval",
        "ratifie",
        "ratifiee",
        "acceptation",
        "approbation",
        "ratificado",
        "ratificacion",
    ],
    Status.ACCEDED: ["acceded", "accession", "succession", "adhesion", "adhere"],
    Status.SIGNATORY: [
        "signatory",
        "signatory state",
        "signed",
        "signature",
        "signataire",
        "etat signataire",
        "signe",
        "signatario",
        "firmado",
    ],
    Status.NOT_SIGNED: [
        "no action",
        "not signed",
        "non signatory",
        "not party",
        "non party",
        "none",
        "non signataire",
        "aucune action",
        "non signe",
        "no firmado",
    ],
    Status.WITHDRAWN: ["withdrawn", "withdrew", "denounced", "denunciation", "retire", "denonce"],
}
DEFAULT_WORDS = {word: status.value for status, words in STATUS_WORDS.items() for word in words}

MONTHS = {
    **dict.fromkeys(["jan", "january", "janv", "janvier", "ene", "enero"], 1),
    **dict.fromkeys(["feb", "february", "fev", "fevr", "fevrier", "febrero"], 2),
    **dict.fromkeys(["mar", "march", "mars", "marzo"], 3),
    **dict.fromkeys(["apr", "april", "avr", "avril", "abr", "abril"], 4),
    **dict.fromkeys(["may", "mai", "mayo"], 5),
    **dict.fromkeys(["jun", "june", "juin", "junio"], 6),
    **dict.fromkeys(["jul", "july", "juil", "juillet", "julio"], 7),
    **dict.fromkeys(["aug", "august", "aout", "ago", "agosto"], 8),
    **dict.fromkeys(["sep", "sept", "september", "septembre", "septiembre", "setiembre"], 9),
    **dict.fromkeys(["oct", "october", "octobre", "octubre"], 10),
    **dict.fromkeys(["nov", "november", "novembre", "noviembre"], 11),
    **dict.fromkeys(["dec", "december", "decembre", "dic", "diciembre"], 12),
}
# The UN Treaty Collection marks how a state consented after the date: "12 Mar 2009 a".
UNTC_SUFFIX = re.compile(r"\s+(a|d|c|n|r|A|AA)$")
YEARS = range(1800, 2200)
# Rows written per statement: a status list is a few hundred rows.
BATCH = 500


def _ascii_lower(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def word_key(text: str) -> str:
    """How status words and headers compare: no case, accents, punctuation or extra spaces."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", _ascii_lower(text)).split())


def name_key(text: str) -> str:
    """How country names compare: as `word_key`, with "St." read as "Saint", "&" as "and",
    and without "the" ("Moldova (the Republic of)", "Moldova, Republic Of")."""
    text = _ascii_lower(text).replace("&", " and ")
    text = re.sub(r"\bst\b\.?", "saint", text)
    return " ".join(word for word in word_key(text).split() if word != "the")


# Reading the file


@dataclass
class Table:
    """A CSV file as text cells: the header and each non-blank row with its line number."""

    header: list[str]
    rows: list[tuple[int, list[str]]]

    def column(self, index: int | None, cells: list[str]) -> str:
        if index is None or index >= len(cells):
            return ""
        return cells[index].strip()

    def values(self, index: int) -> list[str]:
        """The distinct non-empty values of a column, in the order they first appear."""
        seen: dict[str, None] = {}
        for _line, cells in self.rows:
            value = self.column(index, cells)
            if value:
                seen.setdefault(value)
        return list(seen)

    def sample(self, count: int = 3) -> list[list[str]]:
        return [cells for _line, cells in self.rows[:count]]


def read_table(data: bytes) -> Table:
    """The header and rows of a CSV file; ImportRejected if it is not text or has no rows.
    Spreadsheets set to a European locale separate cells with ';', some exports with tabs."""
    text = decode_text(data)
    first = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    line = 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                if header is None:
                    header = [cell.strip() for cell in cells]
                else:
                    rows.append((line, cells))
            # A quoted cell may span lines: the next row starts after this one ends.
            line = reader.line_num + 1
    except csv.Error as error:
        raise ImportRejected(
            _("Line %(line)d cannot be read as CSV: %(error)s") % {"line": line, "error": error}
        ) from error
    if header is None or not rows:
        raise ImportRejected(_("The file has no rows under its header."))
    return Table(header=header, rows=rows)


# What the columns mean


@dataclass
class Mapping:
    """Which column holds what, by position in the header; None for "not in this file"."""

    country: int | None = None
    status: int | None = None
    country_by: str = COUNTRY_BY_AUTO
    # A column of names to fall back on when the code column holds no known code.
    country_name: int | None = None
    signed_on: int | None = None
    consent_on: int | None = None
    entry_into_force_on: int | None = None
    withdrawn_on: int | None = None
    note: int | None = None
    # Read 01/08/2010 as 1 August (day first) or as 8 January.
    day_first: bool = True
    # The file's status words (see `word_key`) → TreatyStatus.Status, or "" for a word
    # left unmapped; words not in it are read with DEFAULT_WORDS.
    words: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Mapping:
        known = {name: data[name] for name in cls.__dataclass_fields__ if name in data}
        return cls(**known)

    def status_of(self, word: str) -> str | None:
        """Our status for a word of the file: as mapped (empty: the person did not know),
        or as we guess."""
        key = word_key(word)
        if key in self.words:
            return self.words[key] or None
        return DEFAULT_WORDS.get(key)


# Header words, normalised, that name each column, best first.
HEADER_HINTS = {
    "country_code": [
        "iso2",
        "iso 2",
        "iso alpha 2",
        "alpha2",
        "alpha 2",
        "iso",
        "iso code",
        "country code",
        "code",
        "iso3",
        "iso 3",
        "iso alpha 3",
        "alpha3",
        "alpha 3",
    ],
    "country_name": [
        "country",
        "member",
        "state",
        "member state",
        "participant",
        "country name",
        "name",
        "pays",
        "etat",
        "pais",
        "estado",
    ],
    "status": ["status", "treaty status", "statut", "estatus", "situation"],
    "signed_on": [
        "signature",
        "signed",
        "signed on",
        "date of signature",
        "date signed",
        "signature date",
        "date de signature",
        "firma",
    ],
    "consent_on": [
        "year ratification or accession",
        "ratification or accession",
        "ratification accession",
        "ratification",
        "accession",
        "consent",
        "ratified",
        "date of ratification",
        "ratification date",
        "adhesion",
    ],
    "entry_into_force_on": [
        "entry into force",
        "in force",
        "entree en vigueur",
        "entrada en vigor",
    ],
    "withdrawn_on": ["withdrawal", "withdrawn", "denunciation", "retrait", "denonciation"],
    "note": ["note", "notes", "remarks", "comment", "comments", "observations", "remarques"],
}


def _find(header_keys: list[str], hints: list[str], taken: set[int]) -> int | None:
    """The first column whose header is a hint, else the first that starts with one."""
    for hint in hints:
        for index, key in enumerate(header_keys):
            if index not in taken and key == hint:
                return index
    for hint in hints:
        for index, key in enumerate(header_keys):
            if index not in taken and key.startswith(hint):
                return index
    return None


def guess_mapping(header: list[str]) -> Mapping:
    """The mapping a header suggests. The UN human-rights status files (`iso2, member, state
    party, year ratification or accession, signatory, no action, status, note`) map fully;
    for other files it is the starting point of the mapping step."""
    keys = [word_key(name) for name in header]
    taken: set[int] = set()

    def find(hints: str) -> int | None:
        index = _find(keys, HEADER_HINTS[hints], taken)
        if index is not None:
            taken.add(index)
        return index

    mapping = Mapping()
    mapping.status = find("status")
    code, name = find("country_code"), find("country_name")
    if code is not None:
        mapping.country, mapping.country_name = code, name
        mapping.country_by = "alpha3" if "3" in keys[code] else "alpha2"
    else:
        mapping.country = name
    for date_field in DATE_FIELDS:
        setattr(mapping, date_field, find(date_field))
    mapping.note = find("note")
    return mapping


def missing_columns(mapping: Mapping) -> list[str]:
    """What a mapping lacks to be used: the country and status columns."""
    missing = []
    if mapping.country is None:
        missing.append(_("the country"))
    if mapping.status is None:
        missing.append(_("the status"))
    return missing


# Countries


@functools.cache
def _names(language: str) -> dict[str, str]:
    """name_key → ISO code for every country's names in one language: the ISO name, the
    common name, former names, and the aliases above."""
    index: dict[str, str] = {}
    with translation.override(language):
        for code, name in ISO_NAMES.items():
            index.setdefault(name_key(str(name)), code)
        for code, name in countries:
            index.setdefault(name_key(str(name)), code)
        for code, names in countries.OLD_NAMES.items():
            for name in names:
                index.setdefault(name_key(str(name)), code)
    for alias, code in NAME_ALIASES.items():
        index.setdefault(name_key(alias), code)
    return index


def country_by_name(name: str, languages: Iterable[str] = ("en", "fr")) -> str | None:
    """The ISO code of a country name; "Moldova, Republic Of" also read as
    "Republic Of Moldova"."""
    keys = [name_key(name)]
    if "," in name:
        first, _comma, rest = name.partition(",")
        keys.append(name_key(f"{rest} {first}"))
    for language in languages:
        names = _names(language)
        for key in keys:
            if key in names:
                return names[key]
    return None


def country_by_code(value: str) -> str | None:
    """The ISO alpha-2 code of a two- or three-letter code, current or withdrawn."""
    code = value.strip().upper()
    code = OLD_CODES.get(code, code)
    if len(code) == 2:
        return code if code in countries else None
    if len(code) == 3 and code.isalpha():
        return countries.alpha2(code) or None
    return None


def find_country(value: str, *, by: str) -> str | None:
    if by == "alpha2":
        return country_by_code(value) if len(value.strip()) == 2 else None
    if by == "alpha3":
        return country_by_code(value) if len(value.strip()) == 3 else None
    if by == "name_en":
        return country_by_name(value, ["en"])
    if by == "name_fr":
        return country_by_name(value, ["fr"])
    return country_by_code(value) if len(value.strip()) <= 3 else country_by_name(value)


# Dates


def parse_date(text: str, *, day_first: bool = True) -> tuple[dt.date, str]:
    """A date and how precise it is, from "2010", "2010-08", "2010-08-01", "01/08/2010",
    "1 Aug 2010", "August 1, 2010", "1er août 2010" or "1 Aug 2010 a" (the UN Treaty
    Collection's way of marking an accession). ValueError says what was wrong."""
    text = UNTC_SUFFIX.sub("", text.strip())
    # Spreadsheets export dates as datetimes at midnight.
    text = re.sub(r"^(\d{4}-\d{1,2}-\d{1,2})[T ]\d{1,2}:\d{2}(:\d{2})?$", r"\1", text)
    if re.fullmatch(r"\d{4}", text):
        return _date(int(text), 1, 1), DatePrecision.YEAR
    if match := re.fullmatch(r"(\d{4})[-/.](\d{1,2})", text):
        return _date(int(match[1]), int(match[2]), 1), DatePrecision.MONTH
    if match := re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})", text):
        return _date(int(match[1]), int(match[2]), int(match[3])), DatePrecision.DAY
    if match := re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", text):
        first, second, year = int(match[1]), int(match[2]), int(match[3])
        day, month = (first, second) if day_first else (second, first)
        return _date(year, month, day), DatePrecision.DAY
    return _date_in_words(text)


def _date_in_words(text: str) -> tuple[dt.date, str]:
    words = re.sub(r"(\d)(er|st|nd|rd|th)\b", r"\1", word_key(text)).split()
    words = [word for word in words if word not in ("de", "of", "del")]
    numbers = [int(word) for word in words if word.isdigit()]
    months = [MONTHS[word] for word in words if word in MONTHS]
    if len(months) != 1 or len(numbers) + 1 != len(words):
        raise ValueError(text)
    years = [number for number in numbers if number in YEARS]
    days = [number for number in numbers if number not in YEARS]
    if len(years) != 1 or len(days) > 1:
        raise ValueError(text)
    if not days:
        return _date(years[0], months[0], 1), DatePrecision.MONTH
    return _date(years[0], months[0], days[0]), DatePrecision.DAY


def _date(year: int, month: int, day: int) -> dt.date:
    if year not in YEARS:
        raise ValueError(year)
    return dt.date(year, month, day)


# Planning and writing


@dataclass
class TreatyImportResult(ImportResult):
    """ImportResult plus the status changes, row by row, that the preview lists."""

    changes: list[dict] = field(default_factory=list)

    MAX_CHANGES = 200

    def change(self, **change) -> None:
        if len(self.changes) < self.MAX_CHANGES:
            self.changes.append(change)

    def as_dict(self) -> dict:
        return super().as_dict() | {"changes": self.changes}


@dataclass
class RowPlan:
    line: int
    code: str
    # The TreatyStatus fields this row sets; empty cells set nothing.
    values: dict


def plan_rows(table: Table, mapping: Mapping, result: ImportResult) -> list[RowPlan]:
    """Read each row through the mapping; problems go to the result, named by line."""
    plans: list[RowPlan] = []
    first_line: dict[str, int] = {}
    for line, cells in table.rows:
        plan = _plan_row(table, mapping, line, cells, result)
        if plan is None:
            continue
        if plan.code in first_line:
            result.error(
                _("line %(line)d: %(country)s is already on line %(first)d.")
                % {
                    "line": line,
                    "country": countries.name(plan.code),
                    "first": first_line[plan.code],
                }
            )
            continue
        first_line[plan.code] = line
        plans.append(plan)
    return plans


def _plan_row(
    table: Table, mapping: Mapping, line: int, cells: list[str], result: ImportResult
) -> RowPlan | None:
    where = _("line %(line)d") % {"line": line}
    value = table.column(mapping.country, cells)
    code = find_country(value, by=mapping.country_by) if value else None
    name = table.column(mapping.country_name, cells)
    if code is None and name:
        code = country_by_name(name)
        if code and value:
            result.warn(
                _('%(where)s: "%(value)s" is not a country code; read the name "%(name)s".')
                % {"where": where, "value": value, "name": name}
            )
    if code is None:
        result.error(
            _('%(where)s: no country is called "%(value)s".')
            % {"where": where, "value": value or name}
            if value or name
            else _("%(where)s: the country is missing.") % {"where": where}
        )
        return None
    word = table.column(mapping.status, cells)
    status = mapping.status_of(word) if word else None
    if status is None:
        result.error(
            _('%(where)s: the status "%(word)s" is not one we know; say what it means.')
            % {"where": where, "word": word}
            if word
            else _("%(where)s: the status is missing.") % {"where": where}
        )
        return None
    values: dict = {"status": status}
    ok = True
    for date_field in DATE_FIELDS:
        ok &= _plan_date(table, mapping, date_field, cells, values, where, result)
    note = table.column(mapping.note, cells)
    if note:
        values["note"] = note
    return RowPlan(line=line, code=code, values=values) if ok else None


def _plan_date(table, mapping, date_field, cells, values, where, result) -> bool:
    index = getattr(mapping, date_field)
    text = table.column(index, cells)
    if not text:
        return True
    label = table.header[index]
    try:
        value, precision = parse_date(text, day_first=mapping.day_first)
    except ValueError:
        result.error(
            _('%(where)s: "%(text)s" in the column %(column)s is not a date.')
            % {"where": where, "text": text, "column": label}
        )
        return False
    if date_field in PRECISION_FIELDS:
        values[PRECISION_FIELDS[date_field]] = precision
    elif precision != DatePrecision.DAY:
        result.error(
            _('%(where)s: "%(text)s" in the column %(column)s needs a day and a month.')
            % {"where": where, "text": text, "column": label}
        )
        return False
    values[date_field] = value
    return True


def import_statuses(
    *,
    treaty: Treaty,
    table: Table,
    mapping: Mapping,
    source: str = "",
    changed_by: User | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> TreatyImportResult:
    """Bring the treaty's country statuses in line with the file. With any error nothing is
    written. Status changes are kept in each country's history."""
    result = TreatyImportResult()
    missing = missing_columns(mapping)
    if missing:
        result.error(_("Choose the column of %(what)s.") % {"what": _(" and ").join(missing)})
        return result
    plans = plan_rows(table, mapping, result)
    result.found = {"statuses": len(plans)}
    if not result.ok:
        return result
    with transaction.atomic():
        _apply(treaty, plans, result, source, changed_by, dry_run, progress)
    return result


def _apply(treaty, plans, result, source, changed_by, dry_run, progress) -> None:
    existing = {status.country_id: status for status in treaty.statuses.all()}
    now = timezone.now()
    created, updated, history = [], [], []
    for plan in plans:
        status = existing.get(plan.code)
        before = status.status if status else ""
        if status is None:
            status = TreatyStatus(treaty=treaty, country_id=plan.code, source=source)
            _set(status, plan.values)
            created.append(status)
            result.count("statuses", "created")
        elif _set(status, plan.values):
            status.source, status.updated_at = source, now
            updated.append(status)
            result.count("statuses", "updated")
        else:
            result.count("statuses", "unchanged")
        if status.status != before:
            history.append((status, plan.line))
            result.change(line=plan.line, country=plan.code, before=before, after=status.status)
    if dry_run:
        return
    total = len(created) + len(updated)
    _ensure_countries({plan.code for plan in plans})
    TreatyStatus.objects.bulk_create(created, batch_size=BATCH)
    if progress:
        progress(len(created), total)
    fields = ["status", "note", "source", "updated_at", *DATE_FIELDS, *PRECISION_FIELDS.values()]
    TreatyStatus.objects.bulk_update(updated, fields, batch_size=BATCH)
    TreatyStatusChange.objects.bulk_create(
        TreatyStatusChange(
            treaty_status=status,
            status=status.status,
            stage=status.stage,
            changed_by=changed_by,
            source=source,
            note=_("Imported from %(source)s, line %(line)d.") % {"source": source, "line": line}
            if source
            else "",
        )
        for status, line in history
    )
    if progress:
        progress(total, total)


def _set(status: TreatyStatus, values: dict) -> bool:
    """Copy the values onto the row; whether anything changed."""
    changed = False
    for name, value in values.items():
        if getattr(status, name) != value:
            setattr(status, name, value)
            changed = True
    return changed


def _ensure_countries(codes: set[str]) -> None:
    """Country rows exist only for countries something mentions: add the file's."""
    with translation.override("en"):
        rows = [Country(code=code, name=str(countries.name(code))) for code in sorted(codes)]
    Country.objects.bulk_create(rows, ignore_conflicts=True)


# Background jobs for the upload page, on the directory's import mechanism (contacts.imports)


def import_job_create(
    *, treaty: Treaty, data: bytes, file_name: str, created_by: User, organisation
) -> tuple[ImportJob, Table]:
    """Keep an upload on a job, for the column-mapping step. ImportRejected if the file
    cannot be read as CSV."""
    check_size(len(data))
    table = read_table(data)
    job = ImportJob(
        kind=KIND,
        file_name=file_name[:255],
        options={"treaty": treaty.code, "mapping": guess_mapping(table.header).as_dict()},
        total=len(table.rows),
        created_by=created_by,
        organisation=organisation,
    )
    job.file.save(Path(file_name).name or "statuses.csv", ContentFile(data), save=False)
    job.save()
    return job, table


def job_table(job: ImportJob) -> Table:
    with job.file.open("rb") as upload:
        return read_table(upload.read())


def import_job_preview(*, job: ImportJob, mapping: Mapping) -> TreatyImportResult:
    """A dry run with this mapping; kept on the job, which can then be confirmed if it
    found no errors."""
    treaty = Treaty.objects.get(code=job.options["treaty"])
    result = import_statuses(
        treaty=treaty, table=job_table(job), mapping=mapping, source=job.file_name, dry_run=True
    )
    job.options = job.options | {"mapping": mapping.as_dict()}
    job.preview = result.as_dict()
    job.save(update_fields=["options", "preview", "updated_at"])
    return result


def job_is_ready(job: ImportJob) -> bool:
    """Previewed without errors and not yet started."""
    preview = job.preview
    return job.status == ImportJob.Status.READY and bool(preview) and not preview.get("errors")


@transaction.atomic
def import_job_queue(*, job: ImportJob) -> bool:
    """Confirm a previewed import: the task runs once the transaction commits."""
    from campaigns import tasks

    if not job_is_ready(job):
        return False
    updated = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.READY).update(
        status=ImportJob.Status.QUEUED, updated_at=timezone.now()
    )
    if updated:
        transaction.on_commit(lambda: tasks.treaty_import_run.delay(job.pk))
    return bool(updated)


def import_job_run(*, job_id: int, stale_after: int) -> None:
    """The body of the import task: the directory's job runner, with this importer."""
    imports.import_job_run(job_id=job_id, stale_after=stale_after, run=_run_job)


def _run_job(job: ImportJob, data: bytes, progress: Progress) -> TreatyImportResult:
    treaty = Treaty.objects.filter(code=job.options.get("treaty")).first()
    if treaty is None:
        raise ImportRejected(_("The treaty of this import no longer exists."))
    return import_statuses(
        treaty=treaty,
        table=read_table(data),
        mapping=Mapping.from_dict(job.options.get("mapping", {})),
        source=job.file_name,
        changed_by=job.created_by,
        progress=progress,
    )
