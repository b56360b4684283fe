"""The results of an action (numbers, CSV, PDF report), one letter's page with its reply
form, the signatories export, and who may see and do what."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from advocacy.models import AuditEvent
from advocacy.pdf import pdf_filename
from contacts.models import StanceAssessment
from letters import exports, replies, results
from letters.models import Letter, LetterAction
from tests import factories
from tests.advocacy.pdfs import pdf_words
from tests.letters.results_world import build_world


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def world(organisation, coordinator, campaigner):
    world = build_world(organisation, coordinator)
    replies.reply_log(
        letter=world.fatuma_to_amina,
        user=campaigner,
        kind=Letter.ReplyKind.ANSWER,
        received_on=timezone.localdate() - dt.timedelta(days=3),
        summary="She will ask a question in the house.",
        commitment="A question before the recess.",
        stance="supportive",
    )
    return world


def _yesterday() -> str:
    return (timezone.localdate() - dt.timedelta(days=1)).isoformat()


def _results_url(world) -> str:
    return f"/letters/{world.action.pk}/results/"


# The numbers


def test_the_numbers_of_a_letter_day(world):
    found = results.action_results(world.action)

    assert {row.state: row.count for row in found.by_state if row.count} == {
        "draft": 1,
        "sent": 2,
        "printed": 1,
        "failed": 1,
    }
    assert (found.total, found.written, found.sent, found.replies) == (5, 4, 3, 1)
    # Of the two targets a letter went out to, Amina replied (to one of her two letters).
    assert (found.targets_written_to, found.targets_replied) == (2, 1)
    assert found.response_rate == 50
    assert [(row.state, row.count) for row in found.reply_kinds] == [("answer", 1)]
    by_target = {row.person.name: row for row in found.by_target}
    assert list(by_target) == ["Brian Kiprop", "Amina Odhiambo", "Clara Wanjiru"]
    amina = by_target["Amina Odhiambo"]
    assert (amina.written, amina.sent, amina.failed, amina.replies) == (2, 2, 0, 1)
    assert amina.latest_reply == timezone.localdate() - dt.timedelta(days=3)
    assert amina.replied is True
    brian = by_target["Brian Kiprop"]
    assert (brian.written, brian.sent, brian.failed, brian.replies) == (2, 1, 1, 0)
    assert brian.replied is False
    assert by_target["Clara Wanjiru"].replied is None
    assert [row.person.name for row in found.unwritten] == ["Clara Wanjiru"]
    assert [
        (row.role, row.signatories, row.letters, row.sent, row.replies) for row in found.by_role
    ] == [
        ("constituent", 1, 2, 1, 0),
        ("faith_leader", 1, 1, 1, 1),
        ("community_leader", 1, 1, 1, 0),
    ]
    assert found.foi is None
    assert [letter.pk for letter in found.recent_replies] == [world.fatuma_to_amina.pk]


def test_the_numbers_take_a_fixed_number_of_queries(world, django_assert_num_queries):
    with django_assert_num_queries(6):
        results.action_results(world.action)
    for _ in range(5):
        factories.LetterFactory(action=world.action, target=world.clara, state="sent")
    with django_assert_num_queries(6):
        results.action_results(world.action)


def test_foi_answers_on_time_late_or_not_at_all(organisation, coordinator):
    action = factories.LetterActionFactory(
        campaign=factories.CampaignFactory(organisation=organisation, created_by=coordinator),
        kind=LetterAction.Kind.FOI,
    )
    today = timezone.localdate()
    deadline = today - dt.timedelta(days=5)

    def request(**fields):
        factories.LetterFactory(
            action=action, signatory=None, state="sent", foi_deadline=deadline, **fields
        )

    request(reply_kind="answer", reply_received_on=deadline)  # on time
    request(reply_kind="refusal", reply_received_on=deadline - dt.timedelta(days=2))  # on time
    request(reply_kind="answer", reply_received_on=deadline + dt.timedelta(days=1))  # late
    request(reply_kind="no_answer")  # marked by the daily task
    request()  # past its deadline, not marked yet
    factories.LetterFactory(
        action=action, signatory=None, state="sent", foi_deadline=today + dt.timedelta(days=3)
    )

    foi = results.action_results(action).foi

    assert (foi.on_time, foi.late, foi.no_answer, foi.waiting) == (2, 1, 2, 1)


def test_a_cosigned_letter_counts_its_signatories_by_role(organisation, coordinator):
    action = factories.LetterActionFactory(
        campaign=factories.CampaignFactory(organisation=organisation, created_by=coordinator),
        kind=LetterAction.Kind.COSIGNED,
    )
    for role in ("faith_leader", "faith_leader", "constituent"):
        factories.SignatoryFactory(action=action, role=role)
    factories.SignatoryFactory(action=action, role="expert", email_confirmed_at=None)

    found = results.action_results(action)

    assert [(row.role, row.signatories) for row in found.by_role] == [
        ("constituent", 1),
        ("faith_leader", 2),
    ]
    assert found.signatories == 3


def test_an_foi_request_counts_as_the_organisations_letter(organisation, coordinator):
    action = factories.LetterActionFactory(
        campaign=factories.CampaignFactory(organisation=organisation, created_by=coordinator),
        kind=LetterAction.Kind.FOI,
    )
    factories.LetterFactory(action=action, signatory=None, state="sent", reply_kind="answer")
    factories.LetterFactory(action=action, signatory=None, state="sent")

    found = results.action_results(action)

    assert [
        (row.role, row.label, row.signatories, row.letters, row.sent, row.replies)
        for row in found.by_role
    ] == [("", f"{organisation.name}, in its own name", None, 2, 2, 1)]
    assert found.signatories == 0


def test_the_foi_results_page_says_who_sent_the_requests(organisation, coordinator, client):
    action = factories.LetterActionFactory(
        campaign=factories.CampaignFactory(organisation=organisation, created_by=coordinator),
        kind=LetterAction.Kind.FOI,
    )
    factories.LetterFactory(action=action, signatory=None, state="sent")
    client.force_login(coordinator)

    html = client.get(f"/letters/{action.pk}/results/").content.decode()

    assert "Nobody has written or signed yet." not in html
    assert f"{organisation.name}, in its own name" in html


def test_a_cosigned_letter_shows_as_from_all_the_signatories(organisation, coordinator):
    action = factories.LetterActionFactory(
        campaign=factories.CampaignFactory(organisation=organisation, created_by=coordinator),
        kind=LetterAction.Kind.COSIGNED,
    )
    factories.SignatoryFactory(action=action, role="expert")
    factories.LetterFactory(action=action, signatory=None, state="sent")

    found = results.action_results(action)

    assert [(row.role, row.label, row.signatories, row.sent) for row in found.by_role] == [
        ("expert", "Expert or academic", 1, 0),
        ("", "Co-signed letters, from all the signatories", None, 1),
    ]
    assert found.signatories == 1


# CSV and PDF


def _rows(text: str) -> list[dict]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_the_results_csv_has_a_row_per_target(world):
    rows = _rows(exports.results_csv(results.action_results(world.action)))

    assert [row["target"] for row in rows] == ["Brian Kiprop", "Amina Odhiambo", "Clara Wanjiru"]
    amina = rows[1]
    assert amina["letters_written"] == "2"
    assert amina["letters_sent"] == "2"
    assert amina["replies"] == "1"
    # Two letters and one reply: she replied, as the page counts her.
    assert amina["replied"] == "yes"
    assert "response_rate_percent" not in amina
    assert amina["nobody_wrote"] == ""
    assert rows[0]["replied"] == "no"
    assert rows[2]["nobody_wrote"] == "yes"
    assert rows[2]["replied"] == ""
    assert rows[0]["letters_failed"] == "1"


def test_the_results_download_for_a_viewer(world, client, viewer):
    client.force_login(viewer)

    response = client.get(f"/letters/{world.action.pk}/results.csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert ".csv" in response["Content-Disposition"]
    assert "Amina Odhiambo" in response.content.decode()
    day = timezone.localdate().isoformat()
    assert (
        f'filename="results-ratification-letter-day-{day}.csv"' in (response["Content-Disposition"])
    )


def test_download_names_take_another_extension():
    assert pdf_filename("signatories", "Sign for the treaty", extension="csv") == (
        "signatories-sign-for-the-treaty.csv"
    )
    assert pdf_filename("signatories", "Sign for the treaty") == (
        "signatories-sign-for-the-treaty.pdf"
    )


def test_the_pdf_report(world, client, viewer):
    client.force_login(viewer)

    response = client.get(f"/letters/{world.action.pk}/results.pdf")

    assert response.status_code == 200
    text = pdf_words(response.content)
    assert "Results: Ratification letter day" in text
    assert "Letters written 4" in text
    assert "Letters sent 3" in text
    assert "Response rate (targets who replied, of the targets written to) 50% (1 of 2)" in text
    assert "1 nobody wrote to" in text
    assert "Clara Wanjiru (nobody wrote)" in text
    assert "She will ask a question in the house." in text
    assert "A question before the recess." in text
    assert response["Content-Disposition"].startswith('attachment; filename="results-')


def test_the_signatories_csv_for_editors_is_audited(world, client, campaigner):
    world.george.organisation_name = '=HYPERLINK("http://evil.example")'
    world.george.save()
    client.force_login(campaigner)

    response = client.get(f"/letters/{world.action.pk}/signatories.csv")
    rows = _rows(response.content.decode())

    assert [row["name"] for row in rows] == ["Fatuma Hassan", "George Otieno", "Hannah Njeri"]
    fatuma = rows[0]
    assert fatuma["organisation"] == "Westlands Mosque"
    assert fatuma["title"] == "Imam"
    assert fatuma["role"] == "Faith leader"
    assert fatuma["constituency"] == "Westlands"
    assert fatuma["email_confirmed"]
    assert rows[1]["address"] == "12 Kibra Road / Nairobi"
    # A spreadsheet must not run it as a formula.
    assert rows[1]["organisation"].startswith("'=")
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED)
    assert event.actor == campaigner
    assert event.detail == {"document": "signatories", "format": "csv", "rows": 3}


def test_signatories_download(world, client, campaigner, viewer, outsider):
    url = f"/letters/{world.action.pk}/signatories.csv"
    client.force_login(campaigner)
    response = client.get(url)
    assert response.status_code == 200
    assert "fatuma" not in response["Content-Disposition"]
    assert "Fatuma Hassan" in response.content.decode()

    client.force_login(viewer)
    assert client.get(url).status_code == 403
    client.force_login(outsider)
    assert client.get(url).status_code == 404


# The results page


def test_the_results_page(world, campaigner_client):
    response = campaigner_client.get(_results_url(world))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Results: Ratification letter day" in html
    assert "(targets who replied, of the targets written to)" in html
    assert "50%" in html and "(1 of 2)" in html
    assert "Nobody wrote to them" in html
    assert "She will ask a question in the house." in html
    assert world.fatuma_to_amina.get_absolute_url() in html
    assert f"/letters/{world.action.pk}/signatories.csv" in html
    assert f"/letters/{world.action.pk}/print/all.pdf" in html
    assert f"/letters/{world.action.pk}/print/{world.to_amina.pk}.pdf" in html


def test_a_viewer_reads_the_results_without_the_editors_downloads(world, client, viewer):
    client.force_login(viewer)

    html = client.get(_results_url(world)).content.decode()

    assert "Results: Ratification letter day" in html
    assert "results.csv" in html
    assert "signatories.csv" not in html
    assert "/print/" not in html


@pytest.mark.parametrize("size", [1, 4, 10])
def test_the_results_page_queries_do_not_grow(
    size, world, campaigner_client, django_assert_num_queries
):
    for _ in range(size):
        target = factories.ActionTargetFactory(action=world.action)
        signatory = factories.SignatoryFactory(action=world.action, role="expert")
        factories.LetterFactory(
            action=world.action,
            target=target.person,
            signatory=signatory,
            state="sent",
            reply_kind="answer",
            reply_received_on=timezone.localdate(),
        )
    # session, user; the action (campaign, organisation, country joined); whether the user
    # edits it; the totals; the targets (people joined); letters by target; by role;
    # signatories by role; the replies (targets and writers joined); the menu's memberships
    with django_assert_num_queries(11):
        response = campaigner_client.get(_results_url(world))
    assert response.status_code == 200


# One letter's page


def _letter_url(letter) -> str:
    return f"/letters/{letter.action_id}/letter/{letter.pk}/"


def test_the_letter_page_shows_the_text_history_delivery_and_reply(world, campaigner_client):
    letter = world.george_to_amina
    Letter.objects.filter(pk=letter.pk).update(
        to_email="amina@parliament.example.org",
        cc=["aide@parliament.example.org"],
        message_id="<letter-1.2@example.org>",
    )

    response = campaigner_client.get(_letter_url(letter))

    html = response.content.decode()
    assert response.status_code == 200
    assert "My family lives in Kibra" in html
    assert "George Otieno" in html
    assert "amina@parliament.example.org" in html
    assert "aide@parliament.example.org" in html
    assert "&lt;letter-1.2@example.org&gt;" in html
    assert "History" in html and "Written" in html and "Delivered" in html
    assert "Log the reply" in html
    assert 'name="received_on"' in html


def test_the_letter_page_says_when_it_is_due_once_in_the_target_s_zone(world, campaigner_client):
    letter = world.hannah_to_brian
    due = dt.datetime(2026, 11, 1, 6, 0, tzinfo=dt.UTC)  # 9 a.m. in Nairobi
    Letter.objects.filter(pk=letter.pk).update(state="scheduled", due_at=due)

    html = campaigner_client.get(_letter_url(letter)).content.decode()

    delivery = html.split('id="delivery-heading"', 1)[1].split("</table>", 1)[0]
    assert delivery.count("Nov. 1, 2026") == 1
    assert 'Nov. 1, 2026, 9 a.m. <span class="meta">(<bdi dir="ltr">Africa/Nairobi</bdi>)' in (
        delivery
    )


def test_the_letter_page_keeps_machine_strings_left_to_right_and_dates_unambiguous(
    world, campaigner_client
):
    letter = world.george_to_amina
    Letter.objects.filter(pk=letter.pk).update(
        to_email="amina@parliament.example.org",
        cc=["aide@parliament.example.org", "office@parliament.example.org"],
        message_id="<letter-1.2@example.org>",
        sent_at=dt.datetime(2026, 10, 29, 9, 0, tzinfo=dt.UTC),
        reply_kind="answer",
        reply_summary="Merci pour votre lettre.",
    )

    html = campaigner_client.get(_letter_url(letter)).content.decode()

    assert '<bdi dir="ltr">amina@parliament.example.org</bdi>' in html
    assert (
        '<bdi dir="ltr">aide@parliament.example.org</bdi>, '
        '<bdi dir="ltr">office@parliament.example.org</bdi>'
    ) in html
    assert '<bdi dir="ltr">&lt;letter-1.2@example.org&gt;</bdi>' in html
    assert '<div dir="auto"><p>Merci pour votre lettre.</p></div>' in html
    history = html.split('id="history-heading"', 1)[1].split("</ol>", 1)[0]
    assert "Oct. 29, 2026, 9 a.m." in history
    assert "10/29/2026" not in history  # month first reads wrong outside the US


def _history_labels(client, letter) -> list[str]:
    html = client.get(_letter_url(letter)).content.decode()
    part = html.split('id="history-heading"', 1)[1].split("</ol>", 1)[0]
    return [item.split("</span>", 1)[1].split("<", 1)[0].strip() for item in part.split("<li>")[1:]]


def test_the_history_is_in_the_order_things_happened(world, campaigner_client):
    letter = world.fatuma_to_amina
    sent = letter.sent_at
    # Recorded after it went out, as a letter brought in with its past is.
    Letter.objects.filter(pk=letter.pk).update(
        created_at=timezone.now(), submitted_at=sent - dt.timedelta(days=3)
    )

    labels = _history_labels(campaigner_client, letter)

    assert labels == ["Written", "Submitted", "Printed", "Delivered", "Reply logged"]


def test_the_history_shows_approval_only_when_the_action_asks_for_it(
    world, campaigner_client, coordinator
):
    letter = world.george_to_amina
    submitted = letter.sent_at - dt.timedelta(days=3)
    Letter.objects.filter(pk=letter.pk).update(submitted_at=submitted)

    assert "Submitted for approval" not in _history_labels(campaigner_client, letter)
    assert "Submitted" in _history_labels(campaigner_client, letter)

    LetterAction.objects.filter(pk=world.action.pk).update(requires_approval=True)
    Letter.objects.filter(pk=letter.pk).update(
        approved_at=submitted + dt.timedelta(hours=2), approved_by=coordinator
    )

    labels = _history_labels(campaigner_client, letter)
    assert labels[:3] == ["Written", "Submitted for approval", "Approved"]


def test_a_failed_letter_shows_why(world, campaigner_client):
    html = campaigner_client.get(_letter_url(world.george_to_brian)).content.decode()

    assert "Why it failed" in html
    assert "No address for them" in html
    assert "A reply can be logged once the letter has gone out." in html
    assert 'name="received_on"' not in html


def test_an_editor_logs_a_reply_through_the_form(world, campaigner_client, campaigner):
    letter = world.george_to_amina

    response = campaigner_client.post(
        _letter_url(letter),
        {
            "kind": "answer",
            "received_on": _yesterday(),
            "summary": "Thanks for writing; she supports it.",
            "commitment": "",
            "stance": "champion",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == _letter_url(letter)
    letter.refresh_from_db()
    assert letter.reply_summary == "Thanks for writing; she supports it."
    assert letter.reply_logged_by == campaigner
    assert StanceAssessment.objects.filter(person=world.amina, stance="champion").exists()
    html = campaigner_client.get(_letter_url(letter)).content.decode()
    assert "Thanks for writing; she supports it." in html
    assert "Change the reply" in html


def test_the_form_shows_errors_next_to_the_fields(world, campaigner_client):
    letter = world.george_to_amina
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()

    response = campaigner_client.post(_letter_url(letter), {"kind": "answer", "received_on": ""})

    html = response.content.decode()
    assert response.status_code == 400
    assert 'class="error-summary"' in html
    assert 'id="id_received_on_error"' in html
    assert "When did the reply come?" in html

    response = campaigner_client.post(
        _letter_url(letter), {"kind": "answer", "received_on": tomorrow}
    )
    assert response.status_code == 400
    assert "The reply can&#x27;t have come in the future." in response.content.decode()
    letter.refresh_from_db()
    assert letter.reply_kind == ""


def test_a_writers_report_is_marked_on_the_page(world, campaigner_client):
    replies.reply_log(
        letter=world.hannah_to_brian,
        signatory=world.hannah,
        kind=Letter.ReplyKind.ACKNOWLEDGEMENT,
        summary="A short note of thanks.",
    )

    html = campaigner_client.get(_letter_url(world.hannah_to_brian)).content.decode()

    assert "reported by the writer" in html
    assert "A short note of thanks." in html


def test_a_viewer_reads_the_letter_but_cannot_log_a_reply(world, client, viewer):
    client.force_login(viewer)
    url = _letter_url(world.george_to_amina)

    html = client.get(url).content.decode()
    assert "My family lives in Kibra" in html
    assert 'name="received_on"' not in html
    assert "letter.pdf" not in html

    response = client.post(url, {"kind": "answer", "received_on": _yesterday()})
    assert response.status_code == 403
    world.george_to_amina.refresh_from_db()
    assert world.george_to_amina.reply_kind == ""


@pytest.mark.parametrize(
    "path",
    [
        "/letters/{action}/results/",
        "/letters/{action}/results.csv",
        "/letters/{action}/results.pdf",
        "/letters/{action}/letter/{letter}/",
    ],
)
def test_outsiders_find_nothing(world, outsider_client, path):
    url = path.format(action=world.action.pk, letter=world.george_to_amina.pk)
    assert outsider_client.get(url).status_code == 404


def test_a_letter_of_another_action_is_not_found_under_this_one(
    world, campaigner_client, organisation, coordinator
):
    other = factories.LetterActionFactory(
        campaign=factories.CampaignFactory(organisation=organisation, created_by=coordinator)
    )
    url = f"/letters/{other.pk}/letter/{world.george_to_amina.pk}/"
    assert campaigner_client.get(url).status_code == 404


@pytest.mark.parametrize("size", [1, 5])
def test_the_letter_page_queries_are_fixed(
    size, world, campaigner_client, django_assert_num_queries
):
    letter = world.george_to_amina
    for _ in range(size):
        factories.LetterFactory(action=world.action, target=world.amina, state="sent")
    # session, user; the letter (action with campaign, organisation and country, target,
    # writer with area, approver and reply logger joined); whether the user edits the
    # action; the action target; the menu's memberships
    with django_assert_num_queries(6):
        response = campaigner_client.get(_letter_url(letter))
    assert response.status_code == 200


def test_a_partner_who_wrote_reports_the_reply_as_the_writer(world, client, coalition_partner):
    LetterAction.objects.filter(pk=world.action.pk).update(visibility="coalition")
    signatory = factories.SignatoryFactory(
        action=world.action, user=coalition_partner, name="Pat Partner"
    )
    letter = factories.LetterFactory(
        action=world.action, target=world.clara, signatory=signatory, state="sent"
    )
    client.force_login(coalition_partner)

    html = client.get(_letter_url(letter)).content.decode()
    assert 'name="received_on"' in html
    assert 'name="stance"' not in html
    response = client.post(
        _letter_url(letter),
        {"kind": "answer", "received_on": _yesterday(), "summary": "She thanked me."},
    )

    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.reply_summary == "She thanked me."
    assert letter.reported_by_writer
    assert not StanceAssessment.objects.filter(person=world.clara).exists()
    # Someone else's letter: reading it is fine, logging its reply is not.
    other = client.post(_letter_url(world.george_to_amina), {"kind": "answer"})
    assert other.status_code == 403


def test_the_letter_page_names_a_member_by_their_role_in_the_organisation(
    world, coordinator, campaigner_client
):
    from letters import participation

    signatory = participation.signatory_for_user(action=world.action, user=coordinator)
    letter = factories.LetterFactory(
        action=world.action, target=world.george_to_amina.target, signatory=signatory
    )

    html = campaigner_client.get(_letter_url(letter)).content.decode()

    start = html.index("From:")
    assert "(Coordinator)" in html[start : start + 400], html[start : start + 400]
