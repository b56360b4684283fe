"""The import and export pages: upload, preview, confirm, progress; downloads; who may."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from advocacy.models import AuditEvent, ImportJob
from contacts.models import Person
from tests.contacts.popolo_files import BURUNDI_2015, KENYA_2015, import_file

pytestmark = pytest.mark.django_db

TRANSFER = reverse("contacts:transfer")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def upload(client, path, **fields):
    file = SimpleUploadedFile(path.name, path.read_bytes(), content_type="application/json")
    return client.post(TRANSFER, {"file": file, **fields})


def test_an_upload_shows_a_preview_and_imports_nothing_yet(coordinator_client, organisation):
    response = upload(coordinator_client, KENYA_2015, country="KE")

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("contacts:import_job", args=[job.pk])
    assert (job.status, job.kind, job.organisation) == ("ready", "contacts.popolo", organisation)
    assert Person.objects.count() == 0
    page = coordinator_client.get(response.url)
    assert page.status_code == 200
    row = next(row for row in page.context["preview_rows"] if row["label"] == "People")
    assert (row["found"], row["created"], row["updated"]) == (350, 350, 0)
    assert "Import now" in page.content.decode()


def test_confirming_runs_the_import_and_the_job_finishes(
    coordinator_client, django_capture_on_commit_callbacks
):
    upload(coordinator_client, KENYA_2015, country="KE")
    job = ImportJob.objects.get()

    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(reverse("contacts:import_confirm", args=[job.pk]))

    job.refresh_from_db()
    assert response.status_code == 302
    assert job.status == "done"
    assert job.percent == 100
    assert job.counts["created"] == 1055
    assert job.finished_at is not None
    assert Person.objects.count() == 350
    page = coordinator_client.get(reverse("contacts:import_job", args=[job.pk]))
    assert "created 1055, updated 0, unchanged 0, errors 0" in page.content.decode()


def test_confirming_twice_imports_once(coordinator_client, django_capture_on_commit_callbacks):
    upload(coordinator_client, BURUNDI_2015, country="BI")
    job = ImportJob.objects.get()
    confirm = reverse("contacts:import_confirm", args=[job.pk])

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        coordinator_client.post(confirm)
        coordinator_client.post(confirm)

    assert len(callbacks) == 1
    assert Person.objects.count() == 227


def test_the_progress_region_alone_answers_htmx(coordinator_client):
    upload(coordinator_client, BURUNDI_2015, country="BI")
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(status="running", progress=120, total=484)
    url = reverse("contacts:import_job", args=[job.pk])

    fragment = coordinator_client.get(url, headers={"HX-Request": "true"}).content.decode()
    page = coordinator_client.get(url).content.decode()

    assert fragment.lstrip().startswith('<section id="import-progress"')
    assert "<html" not in fragment
    assert 'hx-trigger="every 1s"' in fragment
    assert 'value="24"' in fragment
    # Without JavaScript the whole page shows the same progress and refreshes itself.
    assert "<html" in page and 'value="24"' in page
    assert '<meta http-equiv="refresh"' in page


def test_a_finished_job_stops_polling(coordinator_client):
    upload(coordinator_client, BURUNDI_2015, country="BI")
    job = ImportJob.objects.get()
    ImportJob.objects.filter(pk=job.pk).update(status="done", counts={"created": 1})

    fragment = coordinator_client.get(
        reverse("contacts:import_job", args=[job.pk]), headers={"HX-Request": "true"}
    ).content.decode()

    assert "hx-trigger" not in fragment
    assert "Go to the directory" in fragment


def test_a_file_with_errors_shows_them_and_keeps_nothing(coordinator_client):
    data = json.loads(BURUNDI_2015.read_text())
    del data["persons"][3]["name"]
    file = SimpleUploadedFile("broken.json", json.dumps(data).encode())

    response = coordinator_client.post(TRANSFER, {"file": file, "country": "BI"})

    assert response.status_code == 200
    assert "persons[3]" in response.content.decode()
    assert "field &quot;name&quot; is missing" in response.content.decode()
    assert ImportJob.objects.count() == 0
    assert Person.objects.count() == 0


def test_a_file_that_does_not_name_its_country_asks_for_one(coordinator_client):
    response = upload(coordinator_client, BURUNDI_2015)

    assert response.status_code == 200
    assert response.context["form"].errors["country"]
    assert ImportJob.objects.count() == 0


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("people.csv", "name,country\nJosé,KE\n".encode("latin-1"), "not UTF-8"),
        ("people.json", b'{"persons": [', "not valid JSON"),
        ("people.json", b'{"rows": []}', "not Popolo"),
    ],
)
def test_unreadable_files_get_a_clear_message(coordinator_client, name, content, message):
    response = coordinator_client.post(TRANSFER, {"file": SimpleUploadedFile(name, content)})

    assert message in " ".join(response.context["form"].errors["file"])
    assert ImportJob.objects.count() == 0


def test_a_file_over_the_limit_is_refused(coordinator_client, monkeypatch):
    from contacts import imports

    monkeypatch.setattr(imports, "MAX_BYTES", 1000)
    response = upload(coordinator_client, BURUNDI_2015, country="BI")

    assert "larger than" in " ".join(response.context["form"].errors["file"])
    assert ImportJob.objects.count() == 0


def test_a_csv_upload_previews_and_imports(coordinator_client, django_capture_on_commit_callbacks):
    file = SimpleUploadedFile(
        "people.csv", b"name,institution,role\nAmina Mohamed,Senate,Senator\n"
    )
    response = coordinator_client.post(TRANSFER, {"file": file, "country": "KE"})
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert job.kind == "contacts.csv"

    with django_capture_on_commit_callbacks(execute=True):
        coordinator_client.post(reverse("contacts:import_confirm", args=[job.pk]))

    assert Person.objects.get().positions.get().institution.name == "Senate"


def test_the_stored_upload_holds_no_national_identity(coordinator_client):
    upload(coordinator_client, BURUNDI_2015, country="BI")

    stored = ImportJob.objects.get().file.read().decode()

    assert "national_identity" not in stored
    assert "HUTU" not in stored
    assert "BANYIKWA Adolphe" in stored


@pytest.mark.parametrize("persona", ["campaigner", "viewer"])
def test_only_coordinators_and_admins_may_import(client, persona, request):
    client.force_login(request.getfixturevalue(persona))

    page = client.get(TRANSFER)
    response = upload(client, BURUNDI_2015, country="BI")

    assert page.status_code == 200
    assert "Import a file" not in page.content.decode()
    assert "Download" in page.content.decode()
    assert response.status_code == 403
    assert ImportJob.objects.count() == 0


def test_an_admin_may_import(client, admin_user):
    client.force_login(admin_user)

    response = upload(client, BURUNDI_2015, country="BI")

    assert response.status_code == 302


def test_someone_elses_job_is_not_found(coordinator_client, outsider, client):
    upload(coordinator_client, BURUNDI_2015, country="BI")
    job = ImportJob.objects.get()
    client.force_login(outsider)

    response = client.get(reverse("contacts:import_job", args=[job.pk]))
    confirm = client.post(reverse("contacts:import_confirm", args=[job.pk]))

    assert response.status_code == 404
    assert confirm.status_code == 404


def test_the_csv_template_downloads(campaigner_client):
    response = campaigner_client.get(reverse("contacts:import_template"))

    assert response["Content-Type"].startswith("text/csv")
    assert "directory-import-template.csv" in response["Content-Disposition"]
    assert response.content.decode().startswith("id,name,")


def test_anyone_signed_in_may_download_the_popolo_export(campaigner_client, campaigner):
    import_file(BURUNDI_2015, "BI")

    response = campaigner_client.get(reverse("contacts:export_popolo"), {"country": "BI"})

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="directory-bi-popolo-')
    assert len(json.loads(response.content)["persons"]) == 227
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED)
    assert event.actor == campaigner
    assert event.detail == {"format": "popolo", "country": "BI", "persons": 227}


def test_the_whole_directory_downloads_with_its_own_name(campaigner_client):
    response = campaigner_client.get(reverse("contacts:export_popolo"))

    assert response["Content-Disposition"].startswith('attachment; filename="directory-popolo-')


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for url in (TRANSFER, reverse("contacts:export_popolo")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_while_the_import_transaction_is_open(coordinator):
    from django.db import transaction

    from contacts import imports

    job = ImportJob.objects.create(kind="contacts.popolo", created_by=coordinator, total=10)
    write = imports._progress_writer(job.pk)

    with transaction.atomic():
        write(4, 10)
        transaction.set_rollback(True)

    job.refresh_from_db()
    assert (job.progress, job.total) == (4, 10)
