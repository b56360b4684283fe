"""The results of co-signed letters and FOI requests before launch (no target is one "nobody
wrote to": their letters are made at launch), account holders counted as the organisation's
own people, and dates and reply headings as the page's language writes them."""

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone
from django.utils.translation import trans_real

from letters import exports, participation, replies, results
from letters.models import Letter, LetterAction, Signatory
from tests import factories
from tests.advocacy.pdfs import pdf_words
from tests.letters.results_world import build_world


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _action(organisation, coordinator, kind, **fields) -> LetterAction:
    action = factories.LetterActionFactory(
        campaign=factories.CampaignFactory(organisation=organisation, created_by=coordinator),
        kind=kind,
        state=LetterAction.State.OPEN,
        **fields,
    )
    factories.LetterTemplateFactory(action=action)
    for name in ("Amina Odhiambo", "Brian Kiprop", "Clara Wanjiru"):
        factories.ActionTargetFactory(action=action, person=factories.PersonFactory(name=name))
    return action


def _csv_rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


# Before launch, no target is "unwritten"


@pytest.mark.parametrize("kind", [LetterAction.Kind.COSIGNED, LetterAction.Kind.FOI])
def test_before_launch_the_targets_letters_are_made_at_launch_not_missing(
    kind, organisation, coordinator, client
):
    action = _action(organisation, coordinator, kind)
    for _ in range(6):
        factories.SignatoryFactory(action=action, role="faith_leader")
    client.force_login(coordinator)

    found = results.action_results(action)
    html = client.get(f"/letters/{action.pk}/results/").content.decode()
    pdf = pdf_words(client.get(f"/letters/{action.pk}/results.pdf").content)
    rows = _csv_rows(exports.results_csv(found))

    assert found.unwritten == []
    assert found.made_at_launch
    for text in (html, pdf):
        assert "their letters are made at launch" in text
        assert "nobody wrote" not in text.lower()
    assert "Nobody wrote to them" not in html
    assert [row["nobody_wrote"] for row in rows] == ["", "", ""]


def test_after_launch_a_cosigned_target_without_its_letter_is_a_gap(organisation, coordinator):
    action = _action(organisation, coordinator, LetterAction.Kind.COSIGNED)
    action.state = LetterAction.State.SCHEDULED
    action.launched_at = timezone.now()
    action.save()
    first, *others = action.targets.select_related("person")
    factories.LetterFactory(action=action, target=first.person, signatory=None, state="scheduled")

    found = results.action_results(action)

    assert not found.made_at_launch
    assert {row.person for row in found.unwritten} == {target.person for target in others}


# Account holders: the organisation's own people


def test_account_holders_count_as_the_organisations_people_and_say_their_role(
    organisation, coordinator, campaigner, coalition_partner
):
    action = _action(organisation, coordinator, LetterAction.Kind.LETTER_DAY)
    people = [target.person for target in action.targets.all()]
    supporter = factories.SignatoryFactory(action=action, role="constituent")
    signatories = [
        participation.signatory_for_user(action=action, user=user)
        for user in (coordinator, campaigner, coalition_partner)
    ]
    for signatory, person in zip([supporter, *signatories], [*people, people[0]], strict=True):
        factories.LetterFactory(action=action, target=person, signatory=signatory, state="sent")

    found = results.action_results(action)

    assert [(row.label, row.signatories, row.letters) for row in found.by_role] == [
        ("Constituent", 1, 1),
        ("Campaigners and partners (with an account)", 3, 3),
    ]
    # One letter's page says what the writer is in the organisation, as the letters list does.
    assert [s.role_label for s in [supporter, *signatories]] == [
        "Constituent",
        "Coordinator",
        "Campaigner",
        "Campaigner",  # a coalition partner: their role in their own organisation
    ]
    # Someone with an account who signs as a faith leader is one.
    signed = Signatory.objects.get(pk=signatories[0].pk)
    signed.role = Signatory.Role.FAITH_LEADER
    assert signed.role_label == "Faith leader"


# Dates and reply headings in the page's language


@pytest.fixture
def world(organisation, coordinator, campaigner):
    world = build_world(organisation, coordinator)
    replies.reply_log(
        letter=world.fatuma_to_amina,
        user=campaigner,
        kind=Letter.ReplyKind.ANSWER,
        received_on=dt.date(2026, 11, 10),
        summary="She will ask a question in the house.",
    )
    return world


def test_the_latest_reply_is_dated_as_the_rest_of_the_page(world, coordinator, client):
    client.force_login(coordinator)

    html = client.get(f"/letters/{world.action.pk}/results/").content.decode()
    pdf = pdf_words(client.get(f"/letters/{world.action.pk}/results.pdf").content)

    assert "11/10/2026" not in html and "11/10/2026" not in pdf
    row = html.split(f'id="target-{world.amina.pk}"')[1].split("</tr>")[0]
    assert "Nov. 10, 2026" in row


def test_a_reply_heading_follows_the_languages_punctuation(world, coordinator, client, monkeypatch):
    # French puts a space before a colon; the catalogue says so once the lead translates.
    catalogue = trans_real.translation("fr")._catalog._catalogs[0]
    pattern = '<span dir="%(direction)s">%(name)s</span>: %(kind)s'
    monkeypatch.setitem(catalogue, pattern, '<span dir="%(direction)s">%(name)s</span> : %(kind)s')
    coordinator.language = "fr"
    coordinator.save()
    client.force_login(coordinator)

    html = client.get(f"/letters/{world.action.pk}/results/").content.decode()
    pdf = pdf_words(client.get(f"/letters/{world.action.pk}/results.pdf").content)

    assert '<span dir="auto">Hon. Amina Odhiambo</span> : ' in html
    assert "Amina Odhiambo : " in pdf
