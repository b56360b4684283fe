"""Taking part: letters started from the template, the similarity nudge, approval and late
scheduling, co-signing, representatives by area; the campaigner's pages."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError

from advocacy.models import Membership
from letters import coordination, participation
from letters.models import Letter, LetterAction, Signatory
from tests.factories import (
    ActionTargetFactory,
    LetterFactory,
    MembershipFactory,
    PersonFactory,
    SignatoryFactory,
)
from tests.letters import participation_world
from tests.letters.participation_world import personalise


@pytest.fixture
def world(organisation):
    return participation_world.build(organisation)


@pytest.fixture
def supporter(world):
    return SignatoryFactory(
        action=world.action, name="Amina Odhiambo", area=world.westlands, language="en"
    )


# Starting, saving and submitting -------------------------------------------------------------


def test_a_letter_starts_as_the_template_rendered_for_its_target_and_writer(world, supporter):
    letter = participation.letter_start(
        action=world.action, target=world.mp_westlands, signatory=supporter
    )

    assert letter.state == Letter.State.DRAFT
    assert letter.subject == "Please ratify the treaty"
    assert letter.body.startswith("Dear Tim Wanyonyi,")
    assert "lives in Westlands" in letter.body
    assert letter.body.endswith("Amina Odhiambo")
    assert letter.similarity == 1.0
    # Started again, it is the same letter.
    again = participation.letter_start(
        action=world.action, target=world.mp_westlands, signatory=supporter
    )
    assert again.pk == letter.pk


def test_a_letter_is_in_the_writers_language(world, campaigner):
    campaigner.language = "fr"
    campaigner.save()
    signatory = participation.signatory_for_user(action=world.action, user=campaigner)
    letter = participation.letter_start(
        action=world.action, target=world.mp_langata, signatory=signatory, user=campaigner
    )

    assert letter.language == "fr"
    assert letter.subject == "Ratifiez"
    assert "Phelix Odiwuor" in letter.body
    assert letter.created_by == campaigner


def test_a_letter_starts_in_a_language_its_target_reads(world, campaigner):
    # The writer works in English; the MP reads French (and Swahili, which has no text).
    world.mp_langata.languages = ["sw", "fr-KE"]
    world.mp_langata.save()
    signatory = participation.signatory_for_user(action=world.action, user=campaigner)

    letter = participation.letter_start(
        action=world.action, target=world.mp_langata, signatory=signatory, user=campaigner
    )

    assert campaigner.language == "en"
    assert (letter.language, letter.subject) == ("fr", "Ratifiez")
    # A target without languages gets the writer's.
    other = participation.letter_start(
        action=world.action, target=world.mp_westlands, signatory=signatory, user=campaigner
    )
    assert other.language == "en"


def test_the_writer_chooses_the_version_of_the_letter(world, campaigner, campaigner_client):
    url = reverse("letters:write", args=[world.action.pk, world.mp_westlands.pk])

    page = campaigner_client.get(url).content.decode()
    assert '<strong aria-current="true" lang="en">English</strong>' in page
    assert '<a href="?language=fr" hreflang="fr">French</a>' in page

    response = campaigner_client.get(url, {"language": "fr"})
    body = response.context["form"].initial["body"]
    assert "Je vous demande de soutenir" in body
    assert f'hx-post="{url}similarity/?language=fr"' in response.content.decode()
    assert "replaces the letter you saved" not in response.content.decode()

    campaigner_client.post(f"{url}?language=fr", {"subject": "Ratifiez", "body": body, "save": "1"})
    letter = Letter.objects.get()
    assert letter.language == "fr" and letter.similarity == 1.0

    # Back to English: the English text is offered, and saving it replaces the French letter.
    response = campaigner_client.get(url, {"language": "en"})
    english = response.context["form"].initial["body"]
    assert english.startswith("Dear Tim Wanyonyi,")
    assert "replaces the letter you saved" in response.content.decode()
    campaigner_client.post(
        f"{url}?language=en", {"subject": "Ratify", "body": english, "save": "1"}
    )
    letter.refresh_from_db()
    assert (letter.language, letter.similarity) == ("en", 1.0)


def test_an_action_in_one_language_offers_no_choice(world, campaigner_client):
    world.action.templates.filter(language="fr").delete()
    url = reverse("letters:write", args=[world.action.pk, world.mp_westlands.pk])

    response = campaigner_client.get(url, {"language": "fr"})

    assert "The suggested text in:" not in response.content.decode()
    assert response.context["form"].initial["body"].startswith("Dear Tim Wanyonyi,")


def test_a_users_signatory_is_made_once_and_confirmed(world, campaigner, organisation):
    first = participation.signatory_for_user(action=world.action, user=campaigner)
    second = participation.signatory_for_user(action=world.action, user=campaigner)

    assert first.pk == second.pk
    assert first.is_confirmed
    assert first.email == campaigner.email
    assert first.role == Signatory.Role.CAMPAIGNER
    assert first.organisation_name == organisation.name
    assert first.consent_named_at is None


def test_a_user_claims_a_supporter_row_with_their_address(world, campaigner):
    old = SignatoryFactory(
        action=world.action, email=campaigner.email.upper(), email_confirmed_at=None
    )
    old.renew_nonce()
    old.save()
    old_token = old.token

    signatory = participation.signatory_for_user(action=world.action, user=campaigner)

    assert signatory.pk == old.pk
    assert signatory.user == campaigner
    assert signatory.is_confirmed
    assert Signatory.from_token(old_token) is None


def test_saving_recomputes_the_similarity(world, supporter):
    letter = participation.letter_start(
        action=world.action, target=world.mp_westlands, signatory=supporter
    )
    participation.letter_save(letter=letter, subject=letter.subject, body=personalise(letter.body))

    letter.refresh_from_db()
    assert PERSONAL_WORDS in letter.body
    assert letter.similarity < 0.9
    # Against the text rendered for the same target and writer: an unchanged letter to
    # another MP, by another writer, is still a copy.
    other = SignatoryFactory(action=world.action, name="Someone Else", area=world.langata)
    copy = participation.letter_start(action=world.action, target=world.mp_langata, signatory=other)
    participation.letter_save(letter=copy, subject=copy.subject, body=copy.body)
    copy.refresh_from_db()
    assert copy.similarity == 1.0


PERSONAL_WORDS = "My brother lost his leg"


def test_the_nudge_blocks_a_copy_and_lets_a_personalised_letter_through(world, supporter):
    letter = participation.letter_start(
        action=world.action, target=world.mp_westlands, signatory=supporter
    )

    with pytest.raises(participation.NearlyIdentical) as nudge:
        participation.letter_submit(letter=letter)
    assert nudge.value.similarity == 1.0
    assert "100%" in nudge.value.messages[0]
    letter.refresh_from_db()
    assert letter.state == Letter.State.DRAFT

    # Changing one word is not personalising.
    participation.letter_save(
        letter=letter, subject=letter.subject, body=letter.body.replace("lives", "life")
    )
    with pytest.raises(participation.NearlyIdentical):
        participation.letter_submit(letter=letter)

    participation.letter_save(letter=letter, subject=letter.subject, body=personalise(letter.body))
    participation.letter_submit(letter=letter)
    letter.refresh_from_db()
    assert letter.state == Letter.State.READY
    assert letter.submitted_at is not None
    assert letter.due_at is None  # the action is not launched: it waits


def test_with_approval_a_submitted_letter_waits_and_a_change_sends_it_back_to_draft(
    world, supporter
):
    world.action.requires_approval = True
    world.action.save()
    letter = participation.letter_start(
        action=world.action, target=world.mp_westlands, signatory=supporter
    )
    body = personalise(letter.body)
    participation.letter_save(letter=letter, subject=letter.subject, body=body)
    participation.letter_submit(letter=letter)
    letter.refresh_from_db()
    assert letter.state == Letter.State.SUBMITTED

    # Saved unchanged, it keeps its place; changed, it is submitted (and approved) anew.
    participation.letter_save(letter=letter, subject=letter.subject, body=body)
    letter.refresh_from_db()
    assert letter.state == Letter.State.SUBMITTED
    participation.letter_save(letter=letter, subject=letter.subject, body=body + "\nP.S.")
    letter.refresh_from_db()
    assert letter.state == Letter.State.DRAFT
    assert letter.submitted_at is None


def test_a_letter_submitted_after_launch_is_scheduled_at_once(world, supporter):
    action = world.action
    action.state = LetterAction.State.SCHEDULED
    action.deliver_on = timezone.localdate() + dt.timedelta(days=3)
    action.save()
    letter = participation.letter_start(
        action=action, target=world.mp_westlands, signatory=supporter
    )
    participation.letter_save(letter=letter, subject=letter.subject, body=personalise(letter.body))

    participation.letter_submit(letter=letter)

    letter.refresh_from_db()
    assert letter.state == Letter.State.SCHEDULED
    # 09:00 on the day in the target's zone (Nairobi, UTC+3).
    assert letter.due_at == dt.datetime.combine(action.deliver_on, dt.time(6, 0), tzinfo=dt.UTC)


def test_a_letter_on_its_way_cannot_change(world, supporter):
    letter = LetterFactory(
        action=world.action, target=world.mp_westlands, signatory=supporter, state="scheduled"
    )
    with pytest.raises(participation.ParticipationError):
        participation.letter_save(letter=letter, subject="x", body="y")
    with pytest.raises(participation.ParticipationError):
        participation.letter_submit(letter=letter)


def test_nothing_is_written_to_a_closed_action_or_by_an_unconfirmed_supporter(world, supporter):
    unconfirmed = SignatoryFactory(action=world.action, email_confirmed_at=None)
    with pytest.raises(participation.ParticipationError):
        participation.letter_start(
            action=world.action, target=world.mp_westlands, signatory=unconfirmed
        )
    world.action.state = LetterAction.State.CLOSED
    world.action.save()
    with pytest.raises(participation.ParticipationError):
        participation.letter_start(
            action=world.action, target=world.mp_westlands, signatory=supporter
        )


def test_a_supporter_writes_only_to_targets_of_the_action(world, supporter):
    stranger = PersonFactory()
    with pytest.raises(participation.ParticipationError):
        participation.letter_start(action=world.action, target=stranger, signatory=supporter)


def test_with_constituency_matching_supporters_write_to_their_own_representatives(
    world, supporter, campaigner
):
    world.action.constituency_matching = True
    world.action.save()
    with pytest.raises(participation.ParticipationError):
        participation.letter_start(
            action=world.action, target=world.mp_langata, signatory=supporter
        )
    assert participation.letter_start(
        action=world.action, target=world.mp_westlands, signatory=supporter
    )
    # Campaigners write to whomever they are assigned.
    signatory = participation.signatory_for_user(action=world.action, user=campaigner)
    assert participation.letter_start(
        action=world.action, target=world.mp_langata, signatory=signatory
    )


# Co-signing --------------------------------------------------------------------------------


def test_a_user_co_signs_once_and_counts(world, campaigner):
    world.action.kind = LetterAction.Kind.COSIGNED
    world.action.save()
    assert participation.signature_count(world.action) == 0

    participation.signatory_cosign(
        action=world.action, user=campaigner, organisation_name="Home Org", title="Director"
    )
    participation.signatory_cosign(action=world.action, user=campaigner)

    assert participation.signature_count(world.action) == 1
    signatory = Signatory.objects.get(action=world.action, user=campaigner)
    assert signatory.consent_named_at is not None


def test_cosigned_actions_have_no_letters_written_one_by_one(world, supporter):
    world.action.kind = LetterAction.Kind.COSIGNED
    world.action.save()
    with pytest.raises(participation.ParticipationError):
        participation.letter_start(
            action=world.action, target=world.mp_westlands, signatory=supporter
        )


# Representatives and areas -----------------------------------------------------------------


def _people(targets):
    return {target.person for target in targets}


def test_representatives_are_found_by_area_its_parent_and_its_children(world):
    action = world.action
    # Westlands: its MP, and the woman representative of the county it is part of; neither
    # the former MP nor the aide, whose position is held to someone else.
    assert _people(participation.representatives(action=action, area=world.westlands)) == {
        world.mp_westlands,
        world.woman_rep,
    }
    # A ward: the MP of the constituency it is part of.
    assert _people(participation.representatives(action=action, area=world.parklands)) == {
        world.mp_westlands
    }
    # The county: its representative and the MPs of its constituencies.
    assert _people(participation.representatives(action=action, area=world.county)) == {
        world.mp_westlands,
        world.mp_langata,
        world.woman_rep,
    }
    assert participation.representatives(action=action, area=None) == []


def test_an_address_is_matched_to_an_area_in_the_targets_country(world):
    def match(address):
        return participation.area_from_address(action=world.action, address=address)

    assert match("14 Muthithi Road, Westlands, Nairobi") == world.westlands
    assert match("langata road, NAIROBI") == world.langata  # case, punctuation
    assert match("Lang’ata") == world.langata  # apostrophes typed either way, or not at all
    # A ward is a constituency's part: the constituency, whose MP letters are matched on.
    assert match("Flat 3, Parklands") == world.westlands
    assert match("Nairobi") == world.county
    assert match("Nyali, Mombasa").name == "Mombasa"
    assert match("Kampala, Uganda") is None
    assert match("") is None


def test_the_area_choices_are_the_targets_areas_and_those_containing_them(world):
    names = list(participation.area_choices(world.action).values_list("name", flat=True))
    assert names == ["Lang'ata", "Nairobi", "Westlands"]


def test_a_cosigned_letter_with_matching_offers_only_constituencies_its_letters_go_to(world):
    LetterAction.objects.filter(pk=world.action.pk).update(
        kind=LetterAction.Kind.COSIGNED, constituency_matching=True
    )
    world.action.refresh_from_db()
    world.action.targets.filter(person=world.woman_rep).delete()

    names = list(participation.area_choices(world.action).values_list("name", flat=True))

    # Nairobi county holds both constituencies, but no letter goes to its representative:
    # a signature from there would stand under no letter.
    assert names == ["Lang'ata", "Westlands"]


# The campaigner's pages --------------------------------------------------------------------


def test_the_take_part_page_lists_assigned_targets_first(world, campaigner, campaigner_client):
    world.action.targets.filter(person=world.mp_langata).update(assigned_to=campaigner)

    response = campaigner_client.get(reverse("letters:take_part", args=[world.action.pk]))

    assert response.status_code == 200
    assigned = response.context["assigned"]
    assert [target.person for target in assigned] == [world.mp_langata]
    others = [target.person for target in response.context["page"]]
    assert world.mp_langata not in others and world.mp_westlands in others
    content = response.content.decode()
    assert content.index("Phelix Odiwuor") < content.index("Tim Wanyonyi")
    assert "Member of Parliament · Westlands" in content
    assert "The treaty saves lives" in content


def test_outsiders_do_not_see_the_take_part_page_and_viewers_do_not_write(
    world, outsider_client, client, viewer
):
    url = reverse("letters:take_part", args=[world.action.pk])
    assert outsider_client.get(url).status_code == 404
    client.force_login(viewer)
    response = client.get(url)
    assert b"Viewers can read the action" in response.content
    write = reverse("letters:write", args=[world.action.pk, world.mp_westlands.pk])
    assert client.get(write).status_code == 403


def test_a_partner_in_the_coalition_takes_part_in_a_shared_action(world, client, coalition):
    world.action.visibility = "coalition"
    world.action.save()
    partner = MembershipFactory(
        organisation__coalition=coalition, role=Membership.Role.CAMPAIGNER
    ).user
    client.force_login(partner)
    url = reverse("letters:write", args=[world.action.pk, world.mp_westlands.pk])
    assert client.get(url).status_code == 200


def test_the_take_part_page_of_a_draft_says_it_is_not_open(world, campaigner_client):
    world.action.state = LetterAction.State.DRAFT
    world.action.save()
    response = campaigner_client.get(reverse("letters:take_part", args=[world.action.pk]))
    assert b"This action is not open yet." in response.content


# take part page: session, user, the action (visibility in subqueries, campaign joined), the
# membership check, assigned targets, the others' count and page (people joined), the
# user's letters, the targets' current positions (merge.target_values), the menu's
# memberships.
TAKE_PART_QUERIES = 10


def test_take_part_queries_do_not_grow(
    world, campaigner, campaigner_client, django_assert_num_queries
):
    url = reverse("letters:take_part", args=[world.action.pk])
    with django_assert_num_queries(TAKE_PART_QUERIES):
        campaigner_client.get(url)

    signatory = participation.signatory_for_user(action=world.action, user=campaigner)
    for _ in range(4):
        person = PersonFactory()
        ActionTargetFactory(action=world.action, person=person, assigned_to=campaigner)
        LetterFactory(action=world.action, target=person, signatory=signatory)
    with django_assert_num_queries(TAKE_PART_QUERIES):
        response = campaigner_client.get(url)
    assert len(response.context["assigned"]) == 4


def test_writing_shows_the_template_and_saves_only_when_asked(world, campaigner, campaigner_client):
    url = reverse("letters:write", args=[world.action.pk, world.mp_westlands.pk])

    response = campaigner_client.get(url)

    assert response.status_code == 200
    body = response.context["form"].initial["body"]
    assert body.startswith("Dear Tim Wanyonyi,")
    assert not Signatory.objects.filter(user=campaigner).exists()
    assert not Letter.objects.exists()
    assert b'hx-post="' + url.encode() + b'similarity/"' in response.content
    take_part = reverse("letters:take_part", args=[world.action.pk])
    assert f'<a href="{take_part}">Back to the people this action writes to</a>' in (
        response.content.decode()
    )

    response = campaigner_client.post(url, {"subject": "Ratify", "body": body, "save": "1"})
    assert response.status_code == 302
    letter = Letter.objects.get()
    assert letter.signatory.user == campaigner
    assert letter.state == Letter.State.DRAFT
    assert letter.subject == "Ratify"


def test_submitting_the_untouched_text_shows_the_nudge_then_a_personal_one_goes(
    world, campaigner_client
):
    url = reverse("letters:write", args=[world.action.pk, world.mp_westlands.pk])
    body = campaigner_client.get(url).context["form"].initial["body"]

    response = campaigner_client.post(url, {"subject": "Ratify", "body": body, "submit": "1"})

    assert response.status_code == 400
    assert b"100% the same as the suggested text" in response.content
    letter = Letter.objects.get()
    assert letter.state == Letter.State.DRAFT  # kept as a draft

    response = campaigner_client.post(
        url, {"subject": "Ratify", "body": personalise(body), "submit": "1"}
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.state == Letter.State.READY


def test_the_similarity_meter_follows_the_text_without_saving(world, campaigner_client):
    url = reverse("letters:write_similarity", args=[world.action.pk, world.mp_westlands.pk])
    body = (
        campaigner_client.get(
            reverse("letters:write", args=[world.action.pk, world.mp_westlands.pk])
        )
        .context["form"]
        .initial["body"]
    )

    copy = campaigner_client.post(url, {"body": body}, headers={"HX-Request": "true"})
    own = campaigner_client.post(
        url, {"body": "I write in my own words entirely."}, headers={"HX-Request": "true"}
    )

    assert b"<html" not in copy.content
    assert b'value="100"' in copy.content and b"Nearly identical" in copy.content
    assert b"In your own words" in own.content
    assert not Letter.objects.exists()


# the campaigner's meter: session, user, the action (visibility in subqueries, campaign
# joined), the membership check, the target, the user's signatory (by account, then by
# address: they have none yet), the menu's memberships, the action's templates (once), the
# target's positions.
METER_QUERIES = 10


def test_the_meter_queries_are_fixed(world, campaigner_client, django_assert_num_queries):
    url = reverse("letters:write_similarity", args=[world.action.pk, world.mp_westlands.pk])
    with django_assert_num_queries(METER_QUERIES):
        response = campaigner_client.post(url, {"body": "Mine."}, headers={"HX-Request": "true"})
    assert response.status_code == 200


def test_the_similarity_meter_writes_its_percentage_as_the_pages_language_does(
    world, campaigner, campaigner_client
):
    url = reverse("letters:write_similarity", args=[world.action.pk, world.mp_westlands.pk])
    body = "I write in my own words entirely."

    english = campaigner_client.post(url, {"body": body}, headers={"HX-Request": "true"})
    campaigner.language = "fr"
    campaigner.save()
    french = campaigner_client.post(url, {"body": body}, headers={"HX-Request": "true"})

    assert re.search(r"<strong>\d+%</strong>", english.content.decode())
    assert re.search(r"<strong>\d+\u00a0%</strong>", french.content.decode())


def test_my_letters_says_when_in_the_long_date_format(world, campaigner, campaigner_client):
    signatory = participation.signatory_for_user(action=world.action, user=campaigner)
    letter = LetterFactory(action=world.action, target=world.mp_westlands, signatory=signatory)
    Letter.objects.filter(pk=letter.pk).update(
        updated_at=dt.datetime(2026, 11, 10, 12, tzinfo=dt.UTC)
    )

    page = campaigner_client.get(reverse("letters:my_letters")).content.decode()

    assert "Nov. 10, 2026" in page
    assert "11/10/2026" not in page


def test_my_letters_lists_the_users_letters(
    world, campaigner, campaigner_client, django_assert_num_queries
):
    signatory = participation.signatory_for_user(action=world.action, user=campaigner)
    LetterFactory(action=world.action, target=world.mp_westlands, signatory=signatory)
    LetterFactory(action=world.action, target=world.mp_langata)  # someone else's
    # session, user, count, the page of letters (action and target joined), the menu's
    # memberships
    with django_assert_num_queries(5):
        response = campaigner_client.get(reverse("letters:my_letters"))
    assert [letter.target for letter in response.context["page"]] == [world.mp_westlands]


def test_a_broker_that_is_down_does_not_undo_sending_a_supporters_letter_back(
    world, coordinator, monkeypatch, django_capture_on_commit_callbacks
):
    from letters import tasks

    def down(*args):
        raise OperationalError("Connection refused")

    monkeypatch.setattr(tasks.letter_sent_back_email, "delay", down)
    supporter = SignatoryFactory(action=world.action)
    letter = LetterFactory(
        action=world.action, target=world.mp_westlands, signatory=supporter, state="submitted"
    )
    with django_capture_on_commit_callbacks(execute=True):
        sent_back = coordination.letter_send_back(
            letter=letter, user=coordinator, reason="Shorter, please."
        )
    assert sent_back
    letter.refresh_from_db()
    assert (letter.state, letter.review_note) == (Letter.State.DRAFT, "Shorter, please.")


def test_a_letter_sent_back_shows_why_until_its_writer_submits_it_again(
    world, campaigner_client, coordinator
):
    world.action.requires_approval = True
    world.action.save()
    url = reverse("letters:write", args=[world.action.pk, world.mp_westlands.pk])
    mine = reverse("letters:my_letters")
    take_part = reverse("letters:take_part", args=[world.action.pk])
    body = personalise(campaigner_client.get(url).context["form"].initial["body"])
    campaigner_client.post(url, {"subject": "Ratify", "body": body, "submit": "1"})
    letter = Letter.objects.get()
    assert letter.state == Letter.State.SUBMITTED

    coordination.letter_send_back(
        letter=letter, user=coordinator, reason="Name the treaty in the subject."
    )

    page = campaigner_client.get(url).content.decode()
    assert 'id="changes-asked"' in page and "Name the treaty in the subject." in page
    listed = campaigner_client.get(mine).content.decode()
    assert "Changes asked for" in listed and "Name the treaty in the subject." in listed
    assert "Changes asked for" in campaigner_client.get(take_part).content.decode()

    # Saved as a draft, the request stays in view; submitted again, it is gone.
    campaigner_client.post(url, {"subject": "Ratify the treaty", "body": body, "save": "1"})
    letter.refresh_from_db()
    assert letter.review_note == "Name the treaty in the subject."
    response = campaigner_client.post(
        url, {"subject": "Ratify the treaty", "body": body, "submit": "1"}
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.state == Letter.State.SUBMITTED and letter.review_note == ""
    assert 'id="changes-asked"' not in campaigner_client.get(url).content.decode()
    assert "Changes asked for" not in campaigner_client.get(mine).content.decode()
    assert "Changes asked for" not in campaigner_client.get(take_part).content.decode()


def test_a_supporter_sees_why_their_letter_was_sent_back(world, supporter, client, coordinator):
    world.action.requires_approval = True
    world.action.save()
    letter = participation.letter_start(
        action=world.action, target=world.mp_westlands, signatory=supporter
    )
    participation.letter_save(letter=letter, subject=letter.subject, body=personalise(letter.body))
    participation.letter_submit(letter=letter)
    coordination.letter_send_back(letter=letter, user=coordinator, reason="Say where you live.")

    write = reverse("letters:supporter_write", args=[supporter.token, world.mp_westlands.pk])
    page = client.get(write).content.decode()
    assert 'id="changes-asked"' in page and "Say where you live." in page
    overview = client.get(reverse("letters:supporter", args=[supporter.token])).content.decode()
    assert "Changes asked for" in overview

    participation.letter_submit(letter=letter)
    letter.refresh_from_db()
    assert letter.review_note == ""
    assert 'id="changes-asked"' not in client.get(write).content.decode()


def test_the_take_part_page_shows_the_co_signed_text_as_the_public_page_does(
    world, campaigner_client
):
    world.action.kind = LetterAction.Kind.COSIGNED
    world.action.save()
    url = reverse("letters:take_part", args=[world.action.pk])

    html = campaigner_client.get(url).content.decode()

    section = html[html.index('id="letter-heading"') :]
    assert section.startswith('id="letter-heading">The letter</h2>')
    assert "each recipient gets it with their own name." in section
    assert "Signed by everyone who confirmed their address" in section

    world.action.templates.all().delete()
    html = campaigner_client.get(url).content.decode()
    assert 'id="letter-heading">The letter</h2>' in html
    assert "The text is not written yet." in html


def test_signing_without_agreeing_to_be_named_says_why_next_to_the_box(world, campaigner_client):
    world.action.kind = LetterAction.Kind.COSIGNED
    world.action.save()

    response = campaigner_client.post(
        reverse("letters:cosign", args=[world.action.pk]), {"role": "campaigner"}
    )

    assert response.status_code == 400
    html = response.content.decode()
    error = html.index('id="id_consent_named_error"')
    assert "agree to be named to sign it." in html[error : error + 300]


def test_a_campaigner_signs_a_co_signed_letter_from_the_take_part_page(world, campaigner_client):
    world.action.kind = LetterAction.Kind.COSIGNED
    world.action.save()
    url = reverse("letters:take_part", args=[world.action.pk])
    page = campaigner_client.get(url)
    assert b"0 signatures so far" in page.content

    refused = campaigner_client.post(
        reverse("letters:cosign", args=[world.action.pk]), {"role": "campaigner"}
    )
    assert refused.status_code == 400
    signed = campaigner_client.post(
        reverse("letters:cosign", args=[world.action.pk]),
        {"role": "campaigner", "consent_named": "on", "organisation_name": "Home Org"},
    )
    assert signed.status_code == 302
    assert participation.signature_count(world.action) == 1
    assert b"You have signed this letter." in campaigner_client.get(url).content


def test_a_sent_letter_is_not_told_the_action_is_closed(world, campaigner, campaigner_client):
    signatory = participation.signatory_for_user(action=world.action, user=campaigner)
    world.action.state = LetterAction.State.SENT
    world.action.save()
    sent = LetterFactory(
        action=world.action, target=world.mp_westlands, signatory=signatory, state="sent"
    )
    draft = LetterFactory(
        action=world.action, target=world.mp_langata, signatory=signatory, state="draft"
    )

    def page(letter):
        url = reverse("letters:write", args=[world.action.pk, letter.target_id])
        return campaigner_client.get(url).content.decode()

    assert "This action is not open for letters." not in page(sent)
    assert "This action is not open for letters." in page(draft)
