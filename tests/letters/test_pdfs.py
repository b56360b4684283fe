"""Printed letters, read back from the PDF: one letter per page with the writer's and the
target's address blocks, the combined file for hand delivery, the co-signed letter with its
signatories (constituents only when matching is on), FOI requests and Arabic letters."""

import datetime as dt
import re
import subprocess

import pytest
from django.utils import formats, timezone

from advocacy.models import AuditEvent
from letters import pdfs
from letters.models import Letter, LetterAction, Signatory
from tests import factories
from tests.advocacy.pdfs import pdf_pages, pdf_words
from tests.letters.results_world import areas, build_world, mp

ARABIC_BODY = "حضرة النائب المحترم،\n\nندعوكم إلى التصديق على الاتفاقية هذا العام.\n\nفاطمة حسن"
ARABIC_SUBJECT = "التصديق على الاتفاقية"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def world(organisation, coordinator):
    return build_world(organisation, coordinator)


# A letter day on paper


def test_every_letter_to_a_target_one_per_page_with_both_address_blocks(world):
    data = pdfs.target_letters_pdf(world.to_amina)

    # Fatuma's and George's letters; Hannah's draft is not printed.
    assert pdf_pages(data) == 2
    first, second = pdf_words(data, page=1), pdf_words(data, page=2)
    assert "Fatuma Hassan" in first
    assert "Imam, Westlands Mosque" in first
    assert "Faith leader" in first
    assert "Hon. Amina Odhiambo" in first
    assert "MP National Assembly Parliament Buildings Parliament Road, Nairobi" in first
    assert "As imam of Westlands Mosque I ask you to support ratification" in first
    assert "Ratify the treaty, Amina Odhiambo" in first
    assert "George Otieno" in second
    assert "Constituent, Kibra 12 Kibra Road Nairobi" in second
    assert "My family lives in Kibra" in second
    assert "Hannah" not in first + second
    # The date of the letter day, in the letter's language.
    assert formats.date_format(world.action.deliver_on, "DATE_FORMAT") in first


def test_many_targets_are_laid_out_once_and_split_by_target(world):
    found = pdfs.targets_letters_pdfs([world.to_amina, world.to_brian, world.to_clara])

    assert set(found) == {world.to_amina.pk, world.to_brian.pk, world.to_clara.pk}
    assert pdf_pages(found[world.to_amina.pk]) == 2
    # Brian: Hannah's printed letter; George's failed one is not printed.
    assert pdf_pages(found[world.to_brian.pk]) == 1
    brian = pdf_words(found[world.to_brian.pk])
    assert "Hannah Njeri" in brian and "Hon. Brian Kiprop" in brian
    assert "Amina" not in brian
    assert "No letters to print for them yet." in pdf_words(found[world.to_clara.pk])


def test_the_combined_file_lists_the_deliveries_then_every_letter(world):
    data = pdfs.combined_pdf(world.action)

    assert pdf_pages(data) == 1 + 2 + 1
    cover = pdf_words(data, page=1)
    assert "Letters to deliver: Ratification letter day" in cover
    assert "3 letters" in cover
    assert "Hon. Amina Odhiambo" in cover and "Hon. Brian Kiprop" in cover
    # Nobody wrote to Clara: nothing to deliver.
    assert "Clara" not in pdf_words(data)
    assert "Hannah Njeri" in pdf_words(data, page=2)  # Kiprop sorts before Odhiambo


def test_a_single_letter(world):
    data = pdfs.letter_pdf(world.george_to_amina)

    assert pdf_pages(data) == 1
    assert "My family lives in Kibra" in pdf_words(data)
    assert pdfs.letter_filename(world.george_to_amina).startswith("letter-")


def test_file_names(world):
    day = world.action.deliver_on.isoformat()
    assert pdfs.target_filename(world.to_amina) == f"letters-{day}-amina-odhiambo.pdf"
    assert pdfs.combined_filename(world.action) == f"letters-{day}-ratification-letter-day-all.pdf"


def test_arabic_letters_run_right_to_left(world):
    Letter.objects.filter(pk=world.fatuma_to_amina.pk).update(
        language="ar", subject=ARABIC_SUBJECT, body=ARABIC_BODY
    )

    data = pdfs.target_letters_pdf(world.to_amina)

    arabic = pdf_words(data, page=1)
    assert "ندعوكم إلى التصديق على الاتفاقية هذا العام" in arabic
    assert ARABIC_SUBJECT in arabic
    # The Arabic letter's text starts on the right of the page; George's English one on the
    # left, in the same file.
    assert _start_of(data, 1, "ندعوكم") > 0.85
    assert _start_of(data, 2, "My") < 0.25


def _start_of(data: bytes, page: int, word: str) -> float:
    """Where (as a share of the page's width) the line holding `word` ends on the right for
    right-to-left text, or starts on the left: the right edge of the rightmost word."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page), "-l", str(page), "-", "-"],
        input=data,
        capture_output=True,
        check=True,
    ).stdout.decode()
    width = float(re.search(r'<page width="([\d.]+)"', html).group(1))
    boxes = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)"[^>]*>([^<]+)</word>', html
    )
    matching = [box for box in boxes if sorted(box[3]) == sorted(word)]
    y = matching[0][1]
    line = [box for box in boxes if box[1] == y]
    if pdfs.pdf.text_direction(word) == "rtl":
        return max(float(box[2]) for box in line) / width
    return min(float(box[0]) for box in line) / width


# Co-signed letters


@pytest.fixture
def cosigned(organisation, coordinator):
    nairobi, westlands, kibra, parklands = areas()
    parliament = factories.InstitutionFactory(
        name="National Assembly", kind="parliament", country=westlands.country
    )
    amina = mp("Amina Odhiambo", westlands, parliament)
    brian = mp("Brian Kiprop", kibra, parliament)
    action = factories.LetterActionFactory(
        campaign=factories.CampaignFactory(organisation=organisation, created_by=coordinator),
        kind=LetterAction.Kind.COSIGNED,
        title="Faith leaders for the treaty",
        channel=LetterAction.Channel.HAND,
        deliver_on=timezone.localdate() + dt.timedelta(days=10),
    )
    factories.LetterTemplateFactory(
        action=action,
        subject="Faith leaders ask you to ratify",
        body="Dear {{ target.honorific }} {{ target.full_name }},\n\nWe, the undersigned, ask you "
        "to ratify the treaty.",
    )
    targets = {
        "amina": factories.ActionTargetFactory(action=action, person=amina),
        "brian": factories.ActionTargetFactory(action=action, person=brian),
    }

    def sign(name, area=None, **fields):
        return factories.SignatoryFactory(action=action, name=name, area=area, **fields)

    sign(
        "Imam Yusuf Ali",
        westlands,
        role=Signatory.Role.FAITH_LEADER,
        title="Imam",
        organisation_name="Jamia Mosque",
    )
    sign("Pastor Ruth Achieng", parklands, role=Signatory.Role.FAITH_LEADER)  # inside Westlands
    sign("Bishop Peter Mwangi", kibra, role=Signatory.Role.FAITH_LEADER)
    sign("Grace County", nairobi, role=Signatory.Role.COMMUNITY_LEADER)  # contains Westlands
    sign("Unconfirmed Person", westlands, email_confirmed_at=None)
    sign("Anonymous Supporter", westlands, consent_named_at=None)
    return action, targets


def test_the_cosigned_letter_lists_the_confirmed_signatories_who_may_be_named(cosigned):
    action, targets = cosigned

    data = pdfs.cosigned_pdf(targets["amina"])

    text = pdf_words(data)
    assert "Dear Hon. Amina Odhiambo" in text
    assert "We, the undersigned, ask you to ratify the treaty." in text
    assert "Signed by 4 people" in text
    # Name, organisation and role there, and as whom they sign (table cells).
    assert "Imam Yusuf Ali" in text
    assert "Imam, Jamia Mosque" in text
    assert "Faith leader, Westlands" in text
    assert "Faith leader: 3 · Community leader: 1" in text
    for name in ("Pastor Ruth Achieng", "Bishop Peter Mwangi", "Grace County"):
        assert name in text
    assert "Unconfirmed Person" not in text
    assert "Anonymous Supporter" not in text
    assert "And 1 more person who supports this letter without being named." in text
    assert pdfs.target_filename(targets["amina"]).startswith("cosigned-letter-")


def test_with_constituency_matching_only_their_constituents_are_named(cosigned):
    action, targets = cosigned
    action.constituency_matching = True
    action.save()

    amina = pdf_words(pdfs.cosigned_pdf(targets["amina"]))
    brian = pdf_words(pdfs.cosigned_pdf(targets["brian"]))

    assert "Signed by 2 people" in amina
    assert "Imam Yusuf Ali" in amina
    assert "Pastor Ruth Achieng" in amina  # Parklands lies inside Westlands
    assert "Bishop Peter Mwangi" not in amina
    assert "Grace County" not in amina  # the county is larger than the constituency
    assert "Signed by 1 person" in brian
    assert "Bishop Peter Mwangi" in brian
    assert "Imam Yusuf Ali" not in brian


def test_the_launched_cosigned_letter_is_the_one_printed(cosigned):
    action, targets = cosigned
    factories.LetterFactory(
        action=action,
        target=targets["amina"].person,
        signatory=None,
        state=Letter.State.SCHEDULED,
        subject="Faith leaders ask you to ratify",
        body="Dear Hon. Amina Odhiambo,\n\nThe text as it was launched.",
    )

    text = pdf_words(pdfs.target_letters_pdf(targets["amina"]))

    assert "The text as it was launched." in text
    assert "Signed by 4 people" in text


def test_the_combined_file_of_a_cosigned_letter_holds_every_target(cosigned):
    action, _targets = cosigned

    text = pdf_words(pdfs.combined_pdf(action))

    assert "Dear Hon. Amina Odhiambo" in text
    assert "Dear Hon. Brian Kiprop" in text


# FOI requests


def test_an_foi_request_states_the_statutory_deadline(organisation, coordinator):
    kenya = factories.CountryFactory(code="KE", name="Kenya")
    ministry = factories.InstitutionFactory(name="Ministry of Defence", kind="ministry")
    officer = factories.PersonFactory(name="Information Officer")
    factories.PositionFactory(person=officer, institution=ministry, role="Information officer")
    action = factories.LetterActionFactory(
        campaign=factories.CampaignFactory(organisation=organisation, created_by=coordinator),
        kind=LetterAction.Kind.FOI,
        title="Stockpile records",
        channel=LetterAction.Channel.PRINT,
        foi_country=kenya,
        deliver_on=dt.date(2027, 3, 1),
    )
    target = factories.ActionTargetFactory(action=action, person=officer)
    factories.LetterFactory(
        action=action,
        target=officer,
        signatory=None,
        state=Letter.State.SCHEDULED,
        subject="Request for information: cluster munition stockpiles",
        body="Please send us the records of the destruction of stockpiles since 2020.",
    )

    text = pdf_words(pdfs.target_letters_pdf(target))

    assert "access-to-information law of Kenya" in text
    # Kenya: 21 days from 1 March 2027.
    assert "The law gives 21 days to answer: by March 22, 2027 at the latest." in text
    assert "Home Org" in text  # the organisation writes
    assert "Please send us the records" in text


# Downloads


def test_editors_download_the_printed_letters(world, campaigner_client):
    response = campaigner_client.get(f"/letters/{world.action.pk}/print/{world.to_amina.pk}.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "letters-" in response["Content-Disposition"]
    assert pdf_pages(response.content) == 2
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.EXPORTED, detail__document="target_letters"
    ).exists()


def test_the_file_printed_on_the_day_is_served_when_there_is_one(world, campaigner_client):
    from django.core.files.base import ContentFile

    world.to_amina.pdf.save("printed.pdf", ContentFile(b"%PDF-printed-on-the-day"))

    response = campaigner_client.get(f"/letters/{world.action.pk}/print/{world.to_amina.pk}.pdf")

    assert response.content == b"%PDF-printed-on-the-day"


def test_the_combined_download(world, campaigner_client):
    response = campaigner_client.get(f"/letters/{world.action.pk}/print/all.pdf")

    assert response.status_code == 200
    assert pdf_pages(response.content) == 4


def test_the_cosigned_download(cosigned, client, coordinator):
    action, targets = cosigned
    client.force_login(coordinator)

    response = client.get(f"/letters/{action.pk}/cosigned/{targets['brian'].pk}.pdf")

    assert response.status_code == 200
    assert "Bishop Peter Mwangi" in pdf_words(response.content)


def test_an_action_that_is_not_cosigned_has_no_cosigned_letter(world, campaigner_client):
    response = campaigner_client.get(f"/letters/{world.action.pk}/cosigned/{world.to_amina.pk}.pdf")

    assert response.status_code == 404


@pytest.mark.parametrize(
    "path",
    ["print/{target}.pdf", "print/all.pdf", "letter/{letter}/letter.pdf"],
)
def test_viewers_may_not_download_letters_and_outsiders_find_nothing(
    world, client, viewer, outsider, path
):
    url = f"/letters/{world.action.pk}/" + path.format(
        target=world.to_amina.pk, letter=world.fatuma_to_amina.pk
    )
    client.force_login(viewer)
    assert client.get(url).status_code == 403
    client.force_login(outsider)
    assert client.get(url).status_code == 404
