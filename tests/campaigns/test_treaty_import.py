"""Treaty status lists from CSV: the real UN human-rights files, the command, reading countries
and dates in their many spellings, errors by line, and the upload page with its column
mapping, preview and background import."""

import csv
import datetime as dt
import time
from collections import Counter
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from advocacy.models import ImportJob
from campaigns import treaty_import
from campaigns.models import Treaty, TreatyStatus, TreatyStatusChange
from contacts.models import Country, DatePrecision
from tests.factories import TreatyFactory

Status = TreatyStatus.Status
REALDATA = Path(__file__).resolve().parents[2].parent / "shared" / "realdata" / "treaties"
UN_FILES = sorted(REALDATA.glob("hr_status_*.csv"))
UN_WORDS = {"state party": Status.STATE_PARTY, "signatory state": Status.SIGNATORY}


def test_the_real_files_are_there():
    assert len(UN_FILES) == 18


def command(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_treaty_status", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def file_statuses(path: Path) -> dict[str, str]:
    """What the file says, read independently of the importer: code → our status."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    # Two codes in these files are not ISO codes; the importer reads them by name.
    codes = {"TP": "TL", "S": "SS"}
    return {
        codes.get(row["iso2"], row["iso2"]): UN_WORDS.get(row["status"], Status.NOT_SIGNED)
        for row in rows
    }


@pytest.mark.parametrize("path", UN_FILES, ids=[path.stem for path in UN_FILES])
def test_every_un_file_imports_completely_and_only_once(path, db):
    treaty = TreatyFactory(code=path.stem.removeprefix("hr_status_"), name=path.stem)
    expected = file_statuses(path)

    out, err = command(str(path), "--treaty", treaty.code)

    assert (
        out.strip().splitlines()[-1] == f"created {len(expected)}, updated 0, unchanged 0, errors 0"
    )
    stored = dict(treaty.statuses.values_list("country_id", "status"))
    assert stored == expected
    # Namibia's code is a country, not a missing value.
    assert treaty.statuses.get(country__code="NA").country.name == "Namibia"
    assert TreatyStatusChange.objects.filter(treaty_status__treaty=treaty).count() == len(expected)

    again, _err = command(str(path), "--treaty", treaty.code)

    assert again.strip().splitlines()[-1] == (
        f"created 0, updated 0, unchanged {len(expected)}, errors 0"
    )
    assert TreatyStatusChange.objects.filter(treaty_status__treaty=treaty).count() == len(expected)


def test_years_of_ratification_are_kept_as_years(db):
    treaty = TreatyFactory(code="cat")

    command(str(REALDATA / "hr_status_cat.csv"), "--treaty", "cat")

    afghanistan = treaty.statuses.get(country="AF")
    assert (afghanistan.consent_on, afghanistan.consent_precision) == (
        dt.date(1987, 1, 1),
        DatePrecision.YEAR,
    )
    assert afghanistan.consent_label == "1987"


def test_a_wrong_code_is_read_by_the_countrys_name_with_a_note(db):
    TreatyFactory(code="op-crc-ic")

    _out, err = command(str(REALDATA / "hr_status_op_crc_ic.csv"), "--treaty", "op-crc-ic")

    assert 'line 163: "S" is not a country code; read the name "South Sudan".' in err
    assert TreatyStatus.objects.filter(country="SS").exists()


def test_missing_countries_are_added_to_the_directory_with_their_names(db):
    TreatyFactory(code="crc")
    Country.objects.create(code="FR", name="France")

    command(str(REALDATA / "hr_status_crc.csv"), "--treaty", "crc")

    assert Country.objects.get(code="TL").name == "Timor-Leste"
    assert Country.objects.get(code="CI").name == "Côte d'Ivoire"
    assert Country.objects.filter(code="FR").count() == 1


# The command


def write(tmp_path: Path, text: str, name: str = "statuses.csv") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


HEADER = "iso2,member,state party,year ratification or accession,signatory,no action,status,note\n"


def test_a_changed_status_is_updated_and_recorded_in_the_history(tmp_path, db):
    treaty = TreatyFactory(code="ccm")
    command(write(tmp_path, HEADER + "BI,Burundi,0,,1,0,signatory state,\n"), "--treaty", "ccm")

    out, _err = command(
        write(tmp_path, HEADER + "BI,Burundi,1,2026,0,0,state party,\n", "later.csv"),
        "--treaty",
        "ccm",
    )

    assert out.strip() == "created 0, updated 1, unchanged 0, errors 0"
    burundi = treaty.statuses.get(country="BI")
    assert (burundi.status, burundi.consent_on) == (Status.STATE_PARTY, dt.date(2026, 1, 1))
    assert burundi.source == "later.csv"
    assert list(burundi.changes.order_by("id").values_list("status", "note")) == [
        (Status.SIGNATORY, "Imported from statuses.csv, line 2."),
        (Status.STATE_PARTY, "Imported from later.csv, line 2."),
    ]


def test_an_empty_cell_does_not_erase_what_is_known(tmp_path, db):
    treaty = TreatyFactory(code="ccm")
    TreatyStatus.objects.create(
        treaty=treaty,
        country=Country.objects.create(code="GB", name="United Kingdom"),
        status=Status.STATE_PARTY,
        consent_on=dt.date(2010, 5, 4),
        note="Ratified after the Dublin conference.",
    )

    out, _err = command(
        write(tmp_path, HEADER + "GB,United Kingdom,1,,0,0,state party,\n"), "--treaty", "ccm"
    )

    assert out.strip() == "created 0, updated 0, unchanged 1, errors 0"
    uk = treaty.statuses.get()
    assert uk.consent_on == dt.date(2010, 5, 4)
    assert uk.note == "Ratified after the Dublin conference."


def test_bad_rows_are_named_by_line_and_nothing_is_imported(tmp_path, db):
    TreatyFactory(code="ccm")
    text = (
        HEADER
        + "BI,Burundi,0,,1,0,signatory state,\n"
        + "XX,Nowhere,0,,0,1,no action,\n"
        + "FJ,Fiji,1,around 2010,0,0,state party,\n"
        + "LB,Lebanon,0,,0,0,thinking about it,\n"
        + "BI,Burundi,0,,1,0,signatory state,\n"
    )

    with pytest.raises(SystemExit) as exit_:
        command(write(tmp_path, text), "--treaty", "ccm")

    assert exit_.value.code == 1
    assert not TreatyStatus.objects.exists()
    assert not Country.objects.exists()


def test_the_errors_say_which_line_and_what_is_wrong(tmp_path, db):
    TreatyFactory(code="ccm")
    text = (
        HEADER
        + "XX,Nowhere,0,,0,1,no action,\n"
        + "FJ,Fiji,1,around 2010,0,0,state party,\n"
        + "LB,Lebanon,0,,0,0,thinking about it,\n"
        + "\n"
        + "GB,United Kingdom,1,2010,0,0,state party,\n"
        + "GB,United Kingdom,1,2010,0,0,state party,\n"
    )
    treaty = Treaty.objects.get()

    result = treaty_import.import_statuses(
        treaty=treaty,
        table=treaty_import.read_table(text.encode()),
        mapping=treaty_import.guess_mapping(HEADER.strip().split(",")),
    )

    assert result.errors == [
        'line 2: no country is called "XX".',
        'line 3: "around 2010" in the column year ratification or accession is not a date.',
        'line 4: the status "thinking about it" is not one we know; say what it means.',
        "line 7: United Kingdom is already on line 6.",
    ]
    assert result.line() == "created 0, updated 0, unchanged 0, errors 4"


def test_an_unknown_treaty_is_refused_unless_named(tmp_path, db):
    path = write(tmp_path, HEADER + "BI,Burundi,0,,1,0,signatory state,\n")

    with pytest.raises(CommandError, match="No treaty has the code 'ccm'"):
        command(path, "--treaty", "ccm")
    out, err = command(path, "--treaty", "ccm", "--name", "Convention on Cluster Munitions")

    assert Treaty.objects.get(code="ccm").name == "Convention on Cluster Munitions"
    assert out.strip() == "created 1, updated 0, unchanged 0, errors 0"


def test_a_header_without_country_and_status_needs_the_upload_page(tmp_path, db, capsys):
    TreatyFactory(code="ccm")

    with pytest.raises(SystemExit):
        call_command("import_treaty_status", write(tmp_path, "a,b\n1,2\n"), "--treaty", "ccm")

    out, err = capsys.readouterr()
    assert "map the columns on the upload page" in err
    assert out.strip() == "created 0, updated 0, unchanged 0, errors 1"


def test_a_missing_file_is_an_error(tmp_path, db, capsys):
    TreatyFactory(code="ccm")

    with pytest.raises(SystemExit):
        call_command("import_treaty_status", str(tmp_path / "nowhere.csv"), "--treaty", "ccm")

    out, err = capsys.readouterr()
    assert "No such file or directory" in err
    assert out.strip() == "created 0, updated 0, unchanged 0, errors 1"


def test_a_dry_run_writes_nothing(tmp_path, db):
    TreatyFactory(code="ccm")

    out, _err = command(
        write(tmp_path, HEADER + "NA,Namibia,0,,0,1,no action,\n"), "--treaty", "ccm", "--dry-run"
    )

    assert out.strip() == "created 1, updated 0, unchanged 0, errors 0"
    assert not TreatyStatus.objects.exists()


def test_a_file_that_is_not_utf8_is_refused(tmp_path, db):
    TreatyFactory(code="ccm")
    path = tmp_path / "latin1.csv"
    path.write_bytes("country,status\nCôte d'Ivoire,state party\n".encode("latin-1"))

    with pytest.raises(SystemExit):
        command(str(path), "--treaty", "ccm")

    assert not TreatyStatus.objects.exists()


# Reading countries and dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2010", (dt.date(2010, 1, 1), DatePrecision.YEAR)),
        ("2010-08", (dt.date(2010, 8, 1), DatePrecision.MONTH)),
        ("2010-08-01", (dt.date(2010, 8, 1), DatePrecision.DAY)),
        ("2010-08-01 00:00:00", (dt.date(2010, 8, 1), DatePrecision.DAY)),
        ("01/08/2010", (dt.date(2010, 8, 1), DatePrecision.DAY)),
        ("1.8.2010", (dt.date(2010, 8, 1), DatePrecision.DAY)),
        ("1 Aug 2010", (dt.date(2010, 8, 1), DatePrecision.DAY)),
        ("01-Aug-2010", (dt.date(2010, 8, 1), DatePrecision.DAY)),
        ("August 1, 2010", (dt.date(2010, 8, 1), DatePrecision.DAY)),
        ("1er août 2010", (dt.date(2010, 8, 1), DatePrecision.DAY)),
        ("1 de agosto de 2010", (dt.date(2010, 8, 1), DatePrecision.DAY)),
        ("Aug 2010", (dt.date(2010, 8, 1), DatePrecision.MONTH)),
        # The UN Treaty Collection marks an accession with "a".
        ("12 Mar 2009 a", (dt.date(2009, 3, 12), DatePrecision.DAY)),
    ],
)
def test_dates_are_read_in_many_formats(text, expected):
    assert treaty_import.parse_date(text) == expected


def test_dates_with_slashes_follow_the_chosen_order():
    assert treaty_import.parse_date("01/08/2010", day_first=False)[0] == dt.date(2010, 1, 8)
    with pytest.raises(ValueError):
        treaty_import.parse_date("13/31/2010", day_first=True)


@pytest.mark.parametrize(
    "text", ["31/02/2010", "2010-13-01", "soon", "1 Aug", "12 3 2010", "Aug Sep 2010", "0210"]
)
def test_what_is_not_a_date_is_refused(text):
    with pytest.raises(ValueError):
        treaty_import.parse_date(text)


@pytest.mark.parametrize(
    ("value", "by", "expected"),
    [
        ("NA", "alpha2", "NA"),
        ("na", "auto", "NA"),
        ("NAM", "alpha3", "NA"),
        ("NAM", "alpha2", None),
        ("TP", "alpha2", "TL"),
        ("UK", "auto", "GB"),
        ("Namibia", "name_en", "NA"),
        ("Namibie", "name_fr", "NA"),
        ("Côte d'Ivoire", "auto", "CI"),
        ("Ivory Coast", "auto", "CI"),
        ("Cote d'Ivoire", "auto", "CI"),
        ("Moldova, Republic Of", "auto", "MD"),
        ("Congo, The Democratic Republic Of The", "auto", "CD"),
        ("St. Vincent And The Grenadines", "auto", "VC"),
        ("Viet Nam", "auto", "VN"),
        ("Royaume-Uni", "name_fr", "GB"),
        ("Royaume-Uni", "name_en", None),
        ("Atlantis", "auto", None),
    ],
)
def test_countries_are_found_by_code_or_name(value, by, expected):
    assert treaty_import.find_country(value, by=by) == expected


def test_the_un_header_maps_itself():
    mapping = treaty_import.guess_mapping(HEADER.strip().split(","))

    assert (mapping.country, mapping.country_by, mapping.country_name) == (0, "alpha2", 1)
    assert (mapping.status, mapping.consent_on, mapping.note) == (6, 3, 7)
    # "signatory" is a 0/1 column, not the date of signature.
    assert mapping.signed_on is None


# The upload page


@pytest.fixture
def treaty(db):
    return TreatyFactory(code="ccm", name="Convention on Cluster Munitions")


FRENCH = (
    "Pays;Statut;Date de signature;Ratification;Remarques\n"
    "Namibie;État partie;03/12/2008;08/02/2018;\n"
    "Burundi;Signataire;03/12/2008;;Projet de loi en commission\n"
    "Viet Nam;Non signataire;;;\n"
    "Suisse;En vigueur;3 déc. 2008;17/07/2012;\n"
)


def upload(client, treaty, text: str = FRENCH, name: str = "statuts.csv"):
    return client.post(
        reverse("campaigns:treaty_import", args=[treaty.code]),
        {"file": SimpleUploadedFile(name, text.encode(), content_type="text/csv")},
    )


def mapping_data(**fields) -> dict:
    return {
        "country": "0",
        "country_by": "auto",
        "country_name": "",
        "status": "1",
        "signed_on": "2",
        "consent_on": "3",
        "entry_into_force_on": "",
        "withdrawn_on": "",
        "note": "4",
        "day_first": "day",
        # État partie, Signataire, Non signataire, En vigueur: the words in file order.
        "word_0": "state_party",
        "word_1": "signatory",
        "word_2": "not_signed",
        "word_3": "state_party",
        "preview": "1",
        **fields,
    }


def test_a_coordinator_maps_the_columns_previews_and_imports(
    client, coordinator, treaty, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)

    uploaded = upload(client, treaty)
    job = ImportJob.objects.get()
    assert uploaded.url == reverse("campaigns:treaty_import_columns", args=[job.pk])

    columns = client.get(uploaded.url)
    form = columns.context["form"]
    assert (form["country"].value(), form["status"].value(), form["note"].value()) == (
        "0",
        "1",
        "4",
    )
    assert [field.label for field in form.word_fields()] == [
        "État partie",
        "Signataire",
        "Non signataire",
        "En vigueur",
    ]
    # Our guesses for the words we know.
    assert [field.value() for field in form.word_fields()] == [
        "state_party",
        "signatory",
        "not_signed",
        "state_party",
    ]

    previewed = client.post(uploaded.url, mapping_data())
    assert previewed.url == reverse("campaigns:treaty_import_job", args=[job.pk])
    assert not TreatyStatus.objects.exists()
    page = client.get(previewed.url).content.decode()
    assert "created 4, updated 0, unchanged 0, errors 0" in page
    assert "Namibia" in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("campaigns:treaty_import_confirm", args=[job.pk]))

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    assert job.counts["created"] == 4
    statuses = {s.country_id: s for s in treaty.statuses.all()}
    assert statuses["NA"].status == Status.STATE_PARTY
    assert (statuses["NA"].signed_on, statuses["NA"].consent_on) == (
        dt.date(2008, 12, 3),
        dt.date(2018, 2, 8),
    )
    assert statuses["CH"].signed_on == dt.date(2008, 12, 3)
    assert statuses["BI"].note == "Projet de loi en commission"
    assert statuses["VN"].status == Status.NOT_SIGNED
    assert statuses["NA"].changes.get().changed_by == coordinator
    done = client.get(previewed.url).content.decode()
    assert "created 4, updated 0, unchanged 0, errors 0" in done


def test_a_word_left_unmapped_is_an_error_on_its_lines(client, coordinator, treaty):
    client.force_login(coordinator)
    job_url = upload(client, treaty).url

    response = client.post(job_url, mapping_data(word_3=""))

    assert response.status_code == 200
    content = response.content.decode()
    assert "The preview found problems; nothing was imported." in content
    assert "line 5: the status &quot;En vigueur&quot; is not one we know" in content
    job = ImportJob.objects.get()
    assert not treaty_import.job_is_ready(job)
    assert not TreatyStatus.objects.exists()


def test_a_preview_with_errors_cannot_be_confirmed(
    client, coordinator, treaty, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    job_url = upload(client, treaty).url
    client.post(job_url, mapping_data(word_3=""))
    job = ImportJob.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("campaigns:treaty_import_confirm", args=[job.pk]))

    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY
    assert not TreatyStatus.objects.exists()


def test_choosing_another_status_column_shows_its_words(client, coordinator, treaty):
    client.force_login(coordinator)
    job_url = upload(client, treaty).url

    data = mapping_data(status="4")
    del data["preview"]  # the select's change sends the form, not the preview button

    response = client.post(job_url, data, headers={"HX-Request": "true"})

    content = response.content.decode()
    assert content.lstrip().startswith('<div id="status-words"')
    assert "Projet de loi en commission" in content
    assert "Signataire" not in content


def as_sent(form) -> dict:
    """A form's fields with the values it shows, as a browser would send them."""
    return {field.html_name: field.value() or "" for field in form}


def test_the_un_file_maps_itself_on_the_upload_page(client, coordinator, treaty):
    client.force_login(coordinator)
    job_url = upload(client, treaty, (REALDATA / "hr_status_cat.csv").read_text(), "cat.csv").url

    form = client.get(job_url).context["form"]
    response = client.post(job_url, as_sent(form) | {"preview": "1"})

    assert response.status_code == 302
    assert ImportJob.objects.get().preview["created"] == 193


def test_a_file_that_is_not_csv_text_is_refused_at_upload(client, coordinator, treaty):
    client.force_login(coordinator)

    response = client.post(
        reverse("campaigns:treaty_import", args=[treaty.code]),
        {"file": SimpleUploadedFile("list.csv", "Pays\n".encode("utf-16"))},
    )

    assert response.status_code == 200
    assert "UTF-16" in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("persona", ["campaigner", "viewer"])
def test_only_coordinators_and_admins_import(client, treaty, persona, request):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse("campaigns:treaty_import", args=[treaty.code])).status_code == 403
    assert upload(client, treaty).status_code == 403
    assert not ImportJob.objects.exists()


def test_someone_elses_import_is_not_found(client, coordinator, treaty, outsider):
    client.force_login(coordinator)
    job_url = upload(client, treaty).url
    client.force_login(outsider)

    assert client.get(job_url).status_code == 404


@pytest.mark.integration
def test_a_real_worker_runs_the_import_with_progress(client, coordinator, treaty, celery_worker):
    client.force_login(coordinator)
    job_url = upload(client, treaty, (REALDATA / "hr_status_crpd.csv").read_text(), "crpd.csv").url
    job = ImportJob.objects.get()
    client.post(job_url, as_sent(client.get(job_url).context["form"]) | {"preview": "1"})

    client.post(reverse("campaigns:treaty_import_confirm", args=[job.pk]))

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in (ImportJob.Status.DONE, ImportJob.Status.FAILED):
            break
        time.sleep(0.2)
    assert job.status == ImportJob.Status.DONE, "".join(celery_worker.log)
    assert (job.percent, job.counts["created"]) == (100, 193)
    assert Counter(treaty.statuses.values_list("status", flat=True)) == Counter(
        file_statuses(REALDATA / "hr_status_crpd.csv").values()
    )
    progress = client.get(job_url.replace("columns/", ""), headers={"HX-Request": "true"})
    assert "hx-trigger" not in progress.content.decode()  # done: it stops polling
