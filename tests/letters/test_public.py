"""The public action page: sign-up with its limits and honeypot, answers that reveal nobody,
confirmation by a signed link, representatives, writing past the nudge, co-signing, and the
reply form."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from kombu.exceptions import OperationalError

from contacts.models import Position
from letters import participation, ratelimit, replies
from letters import participation_forms as forms
from letters.models import Letter, LetterAction, Signatory
from tests.factories import (
    ActionTargetFactory,
    AreaFactory,
    LetterActionFactory,
    LetterFactory,
    LetterTemplateFactory,
    PersonFactory,
    PositionFactory,
    SignatoryFactory,
)
from tests.letters import participation_world
from tests.letters.participation_world import personalise, signup_data


@pytest.fixture
def world(organisation):
    return participation_world.build(organisation)


@pytest.fixture
def action(world):
    return world.action


def _url(action):
    return reverse("letters:public", args=[action.public_key])


def _signup(client, action, capture, ip="203.0.113.7", **overrides):
    # A constituent says where: the default role needs a constituency.
    data = signup_data(**{"address": "Westlands", **overrides})
    with capture(execute=True):
        return client.post(_url(action), data, REMOTE_ADDR=ip)


def _link(message) -> str:
    match = re.search(r"https?://[^/\s]+(/letters/supporter/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def _signatory_of(link: str) -> Signatory | None:
    return Signatory.from_token(link.rstrip("/").rsplit("/", 1)[-1])


def _without_csrf(content: bytes) -> bytes:
    return re.sub(rb'(csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]*"', b"", content)


def _confirmed(client, link):
    client.post(link + "confirm/")
    return link


# The page ----------------------------------------------------------------------------------


def test_the_public_page_shows_the_action_and_the_form_without_the_menu(client, action):
    response = client.get(_url(action))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Ban landmines now" in content
    assert "Parliament votes on the treaty this month." in content
    assert "The treaty saves lives" in content
    assert 'name="website"' in content  # the honeypot, hidden
    assert 'aria-label="Main"' not in content


def test_drafts_private_actions_and_requests_have_no_public_page(client, action):
    action.state = LetterAction.State.DRAFT
    action.save()
    assert client.get(_url(action)).status_code == 404

    action.state = LetterAction.State.OPEN
    action.public_page = False
    action.save()
    assert client.get(_url(action)).status_code == 404

    action.public_page = True
    action.kind = LetterAction.Kind.FOI
    action.save()
    assert client.get(_url(action)).status_code == 404


def test_a_closed_action_says_it_is_not_open(client, action, django_capture_on_commit_callbacks):
    action.state = LetterAction.State.CLOSED
    action.save()

    response = client.get(_url(action))
    assert b"This action is not open any more." in response.content
    assert b'name="email"' not in response.content
    _signup(client, action, django_capture_on_commit_callbacks)
    assert not Signatory.objects.exists()


# public page: the action (campaign joined), the signature count, the areas to choose from.
PUBLIC_QUERIES = 3


def test_public_page_queries_do_not_grow(client, world, action, django_assert_num_queries):
    with django_assert_num_queries(PUBLIC_QUERIES):
        client.get(_url(action))

    SignatoryFactory.create_batch(5, action=action)
    for _ in range(5):
        ActionTargetFactory(action=action, person=PersonFactory())
    with django_assert_num_queries(PUBLIC_QUERIES):
        response = client.get(_url(action))
    assert b"5 people take part." in response.content


# co-signed: and the letter's template, its first target, and that target's positions.
COSIGNED_PUBLIC_QUERIES = PUBLIC_QUERIES + 3


def test_the_cosigned_page_shows_the_text_and_a_count_never_the_names(
    client, action, django_assert_num_queries
):
    action.kind = LetterAction.Kind.COSIGNED
    action.save()
    SignatoryFactory(action=action, name="Famous Bishop", organisation_name="Cathedral")
    SignatoryFactory(action=action, name="Quiet Person", consent_named_at=None)
    SignatoryFactory(action=action, name="Not Yet Confirmed", email_confirmed_at=None)

    with django_assert_num_queries(COSIGNED_PUBLIC_QUERIES):
        response = client.get(_url(action))

    content = response.content.decode()
    assert "1 person has signed." in content
    assert "The letter you sign" in content
    first = action.targets.select_related("person").first().person
    assert f"Dear {first.name}," in content  # as the first target reads it
    for name in ("Famous Bishop", "Cathedral", "Quiet Person", "Not Yet Confirmed"):
        assert name not in content


# Signing up --------------------------------------------------------------------------------


def test_signing_up_records_the_supporter_and_emails_the_link(
    client, world, action, django_capture_on_commit_callbacks
):
    response = _signup(
        client,
        action,
        django_capture_on_commit_callbacks,
        address="12 Muthithi Road, Westlands",
        organisation_name="Nairobi Peace Forum",
        title="Director",
        role="community_leader",
        consent_named="on",
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("letters:public_sent", args=[action.public_key])
    signatory = Signatory.objects.get()
    assert signatory.email == "amina@example.org"
    assert signatory.user is None
    assert not signatory.is_confirmed
    assert signatory.area == world.westlands
    assert signatory.role == "community_leader"
    assert signatory.consent_named_at is not None
    assert signatory.consent_contact_at is None
    assert signatory.ip_address == "203.0.113.7"
    assert signatory.language == "en"
    [message] = mail.outbox
    assert message.to == ["amina@example.org"]
    assert "Confirm your address" in message.subject
    assert _signatory_of(_link(message)) == signatory


def test_a_supporter_signs_up_in_their_language(client, action, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_url(action), signup_data(address="Westlands"), HTTP_ACCEPT_LANGUAGE="fr")
    assert Signatory.objects.get().language == "fr"
    assert mail.outbox[0].to == ["amina@example.org"]


def test_the_subject_shows_the_title_as_written(client, action, django_capture_on_commit_callbacks):
    action.title = "Schools & hospitals don't wait"
    action.save(update_fields=["title"])
    _signup(client, action, django_capture_on_commit_callbacks)
    assert mail.outbox[0].subject == (
        "Confirm your address to take part in “Schools & hospitals don't wait”"
    )


def test_errors_are_shown_next_to_the_fields(client, action):
    response = client.post(_url(action), signup_data(name="", email="not-an-address"))
    assert response.status_code == 400
    assert b"error-summary" in response.content
    assert not Signatory.objects.exists()


def test_with_constituency_matching_an_unknown_address_is_an_error(
    client, action, django_capture_on_commit_callbacks
):
    action.constituency_matching = True
    action.save()
    response = client.post(_url(action), signup_data(address="Somewhere unknown"))
    assert response.status_code == 400
    assert b"No constituency matches this address" in response.content
    response = client.post(_url(action), signup_data())
    assert b"Choose your constituency" in response.content
    assert not Signatory.objects.exists()


def _leeds(world):
    """Two more constituencies whose names start with the same town, each with its MP."""
    parliament = Position.objects.filter(person=world.mp_westlands).first().institution
    areas = []
    for name in ("Leeds West", "Leeds East"):
        area = AreaFactory(name=name, country=world.westlands.country)
        person = PersonFactory(name=f"MP for {name}")
        PositionFactory(person=person, institution=parliament, area=area)
        ActionTargetFactory(action=world.action, person=person)
        areas.append(area)
    return areas


def _field_errors(content: bytes, field: str) -> str:
    match = re.search(rf'id="id_{field}_error">(.*?)</div>', content.decode(), re.S)
    return match.group(1) if match else ""


def test_an_address_matching_no_constituency_says_so_next_to_it_and_keeps_what_was_typed(
    client, world, action
):
    action.constituency_matching = True
    action.save()
    data = signup_data(
        address="12 High Street, Nowhere",
        organisation_name="Peace Forum",
        title="Director",
        consent_contact="on",
    )

    response = client.post(_url(action), data)

    assert response.status_code == 400
    assert "No constituency matches this address" in _field_errors(response.content, "address")
    assert "Choose yours from the list above" in _field_errors(response.content, "address")
    form = response.context["form"]
    for field in ("name", "email", "organisation_name", "title", "address"):
        assert form[field].value() == data[field], field
    assert form["consent_contact"].value() is True
    assert not Signatory.objects.exists()


def test_with_matching_an_area_nobody_writes_to_is_no_match(client, world, action):
    # Mombasa is in the directory, but no target of the action represents it.
    action.constituency_matching = True
    action.save()
    response = client.post(_url(action), signup_data(address="Nyali, Mombasa"))
    assert response.status_code == 400
    assert "No constituency matches this address" in _field_errors(response.content, "address")
    assert not Signatory.objects.exists()


def test_a_town_that_starts_several_constituencies_offers_them_to_choose_from(
    client, world, action, django_capture_on_commit_callbacks
):
    action.constituency_matching = True
    action.save()
    leeds_west, leeds_east = _leeds(world)

    response = client.post(_url(action), signup_data(address="12 High Street, Leeds"))

    assert response.status_code == 400
    assert "Choose yours below" in _field_errors(response.content, "address")
    offered = [area for area, _label in response.context["form"].fields["match"].choices]
    assert {choice.value for choice in offered} == {leeds_west.pk, leeds_east.pk}
    content = response.content.decode()
    assert f'type="radio" name="match" value="{leeds_east.pk}"' in content
    assert "12 High Street, Leeds" in content

    with django_capture_on_commit_callbacks(execute=True):
        chosen = client.post(
            _url(action), signup_data(address="12 High Street, Leeds", match=leeds_east.pk)
        )

    assert chosen.status_code == 302
    signatory = Signatory.objects.get()
    assert signatory.area == leeds_east
    assert signatory.address == "12 High Street, Leeds"


@pytest.mark.parametrize("matching", [True, False])
def test_saving_a_constituency_that_matches_nothing_says_so_on_the_supporters_page(
    client, world, action, matching
):
    action.constituency_matching = matching
    action.save()
    leeds_west, _leeds_east = _leeds(world)
    signatory = SignatoryFactory(action=action, area=None)
    signatory.renew_nonce()
    signatory.save()
    url = reverse("letters:supporter_area", args=[signatory.token])

    nowhere = client.post(url, {"area": "", "address": "Nowhere at all"})
    assert nowhere.status_code == 400
    assert "No constituency matches this address" in _field_errors(nowhere.content, "address")
    assert "Nowhere at all" in nowhere.content.decode()

    leeds = client.post(url, {"area": "", "address": "Leeds"})
    assert leeds.status_code == 400
    assert "Choose yours below" in _field_errors(leeds.content, "address")

    chosen = client.post(url, {"area": "", "address": "Leeds", "match": leeds_west.pk})
    assert chosen.status_code == 302
    signatory.refresh_from_db()
    assert signatory.area == leeds_west


def test_a_constituent_says_which_constituency_and_other_roles_need_not(
    client, world, action, django_capture_on_commit_callbacks
):
    response = client.post(_url(action), signup_data(role="constituent"))

    assert response.status_code == 400
    assert "As a constituent, tell us your constituency" in _field_errors(response.content, "area")
    assert not Signatory.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        leader = client.post(_url(action), signup_data(role="faith_leader"))
        constituent = client.post(
            _url(action), signup_data(email="c@example.org", area=world.langata.pk)
        )
    assert leader.status_code == constituent.status_code == 302
    assert Signatory.objects.get(email="c@example.org").area == world.langata


def test_the_constituency_list_shows_names_in_the_pages_language(action):
    with translation.override("fr"):
        html = str(forms.AreaFields(action=action)["area"])
    assert ">Nairobi</option>" in html and ">Westlands</option>" in html
    assert "(county)" not in html and "(constituency)" not in html


def test_co_signing_needs_consent_to_be_named(client, action):
    action.kind = LetterAction.Kind.COSIGNED
    action.save()
    response = client.post(_url(action), signup_data())
    assert response.status_code == 400
    assert b"agree to be named" in response.content


def test_the_honeypot_gets_the_same_answer_and_nothing_happens(
    client, action, django_capture_on_commit_callbacks
):
    response = _signup(client, action, django_capture_on_commit_callbacks, website="http://x.biz")

    assert response.status_code == 302
    assert response["Location"] == reverse("letters:public_sent", args=[action.public_key])
    assert not Signatory.objects.exists()
    assert mail.outbox == []


def test_the_answer_is_the_same_whether_the_address_signed_before(
    client, action, django_capture_on_commit_callbacks
):
    SignatoryFactory(action=action, email="known@example.org", name="Known Person")
    fresh = _signup(client, action, django_capture_on_commit_callbacks, email="new@example.org")
    known = _signup(
        client, action, django_capture_on_commit_callbacks, email="KNOWN@example.org", name="X"
    )

    assert (fresh.status_code, fresh["Location"]) == (known.status_code, known["Location"])
    page = _without_csrf(client.get(fresh["Location"]).content)
    assert page == _without_csrf(client.get(known["Location"]).content)
    assert b"known@example.org" not in page and b"Known Person" not in page
    # The confirmed signatory keeps their details; the email takes them back to their page.
    known_row = Signatory.objects.get(email="known@example.org")
    assert known_row.name == "Known Person"
    assert [message.to for message in mail.outbox] == [["new@example.org"], ["known@example.org"]]
    assert "Your link back" in mail.outbox[1].subject
    assert _signatory_of(_link(mail.outbox[1])) == known_row


def test_signing_up_again_before_confirming_replaces_the_details_and_the_link(
    client, action, django_capture_on_commit_callbacks, settings
):
    _signup(client, action, django_capture_on_commit_callbacks, name="Amina Typo")
    first_link = _link(mail.outbox[0])
    Signatory.objects.update(confirmation_sent_at=timezone.now() - ratelimit.RESEND_AFTER)

    _signup(client, action, django_capture_on_commit_callbacks, name="Amina Odhiambo")

    signatory = Signatory.objects.get()
    assert signatory.name == "Amina Odhiambo"
    assert len(mail.outbox) == 2
    assert client.get(first_link).status_code == 404
    assert client.get(_link(mail.outbox[1])).status_code == 200


def test_signing_up_again_within_minutes_updates_the_details_and_keeps_the_earlier_link(
    client, world, action, django_capture_on_commit_callbacks
):
    _signup(client, action, django_capture_on_commit_callbacks, name="Amina Typo")
    first_link = _link(mail.outbox[0])

    again = _signup(
        client,
        action,
        django_capture_on_commit_callbacks,
        name="Amina Odhiambo",
        organisation_name="Nairobi Peace Forum",
        title="Director",
        role="community_leader",
        area=world.langata.pk,
        address="",
        consent_contact="on",
    )

    # No second email: the limit against filling an inbox holds.
    assert len(mail.outbox) == 1
    signatory = Signatory.objects.get()
    assert (signatory.name, signatory.organisation_name, signatory.title) == (
        "Amina Odhiambo",
        "Nairobi Peace Forum",
        "Director",
    )
    assert (signatory.role, signatory.area) == ("community_leader", world.langata)
    assert signatory.consent_contact_at is not None
    # The page says so, truthfully.
    page = client.get(again["Location"]).content.decode()
    assert "a few minutes ago" in page
    assert "its link still works, and shows the details you have just given" in page
    assert "We have sent a link" not in page
    # The earlier link still works and shows the new details.
    confirm = client.get(first_link).content.decode()
    assert "Amina Odhiambo" in confirm and "Nairobi Peace Forum" in confirm
    assert "Lang&#x27;ata" in confirm and "Amina Typo" not in confirm
    # Once the minutes have passed, a fresh link goes out and replaces the earlier one.
    Signatory.objects.update(confirmation_sent_at=timezone.now() - ratelimit.RESEND_AFTER)
    later = _signup(client, action, django_capture_on_commit_callbacks, name="Amina O.")
    assert len(mail.outbox) == 2
    assert "We have sent a link" in client.get(later["Location"]).content.decode()
    assert client.get(first_link).status_code == 404
    assert b"Amina O." in client.get(_link(mail.outbox[1])).content


def test_only_the_browser_that_signed_up_is_told_no_new_email_comes(
    client, action, django_capture_on_commit_callbacks
):
    _signup(client, action, django_capture_on_commit_callbacks, email="amina@example.org")
    stranger = Client()

    known = _signup(stranger, action, django_capture_on_commit_callbacks, name="Someone")
    fresh = _signup(stranger, action, django_capture_on_commit_callbacks, email="new@example.org")

    assert (known.status_code, known["Location"]) == (fresh.status_code, fresh["Location"])
    known_page = _without_csrf(stranger.get(known["Location"]).content)
    assert known_page == _without_csrf(stranger.get(fresh["Location"]).content)
    assert b"a few minutes ago" not in known_page
    # The page after the next sign-up is the usual one again.
    assert (
        b"a few minutes ago"
        in client.get(
            _signup(client, action, django_capture_on_commit_callbacks)["Location"]
        ).content
    )
    assert b"a few minutes ago" not in client.get(fresh["Location"]).content


def test_a_letter_days_pages_speak_of_letters_and_a_co_signed_ones_of_signatures(
    client, action, django_capture_on_commit_callbacks
):
    _signup(client, action, django_capture_on_commit_callbacks)
    letter_day = client.get(_url(action)).content.decode()
    confirm = client.get(_link(mail.outbox[0])).content.decode()
    for page in (letter_day, confirm):
        assert "goes out under your name to the representatives you write to" in page
        assert "co-signed" not in page and "Other signatories" not in page

    action.kind = LetterAction.Kind.COSIGNED
    action.save()
    cosigned = client.get(_url(action)).content.decode()
    assert "Other signatories' names are never shown here" in cosigned.replace("&#x27;", "'")
    Signatory.objects.update(consent_named_at=None)
    confirm = client.get(_link(mail.outbox[0])).content.decode()
    assert "Your name is not shown on a co-signed letter." in confirm
    assert "goes out under your name" not in confirm


def test_one_link_per_address_every_few_minutes(client, action, django_capture_on_commit_callbacks):
    for _ in range(3):
        response = _signup(client, action, django_capture_on_commit_callbacks)
        assert response.status_code == 302
    assert len(mail.outbox) == 1


def test_sign_ups_are_limited_per_ip_address_with_a_clear_message(
    client, action, django_capture_on_commit_callbacks
):
    for number in range(ratelimit.SIGNUPS_PER_IP):
        _signup(client, action, django_capture_on_commit_callbacks, email=f"p{number}@example.org")
    assert Signatory.objects.count() == ratelimit.SIGNUPS_PER_IP

    response = _signup(client, action, django_capture_on_commit_callbacks, email="one@more.org")

    assert response.status_code == 429
    assert b"Too many sign-ups have come from your internet connection" in response.content
    assert not Signatory.objects.filter(email="one@more.org").exists()
    # Another connection is not affected, and an hour later this one is not either.
    other = _signup(
        client, action, django_capture_on_commit_callbacks, email="one@more.org", ip="198.51.100.1"
    )
    assert other.status_code == 302
    Signatory.objects.update(created_at=timezone.now() - ratelimit.WINDOW)
    again = _signup(client, action, django_capture_on_commit_callbacks, email="two@more.org")
    assert again.status_code == 302


def test_sign_ups_are_limited_per_email_address_without_saying_so(
    client, organisation, action, django_capture_on_commit_callbacks
):
    for number in range(ratelimit.SIGNUPS_PER_EMAIL):
        other = LetterActionFactory(campaign=action.campaign, public_page=True)
        LetterTemplateFactory(action=other)
        _signup(
            client,
            other,
            django_capture_on_commit_callbacks,
            ip=f"198.51.100.{number}",
            role="faith_leader",  # the other actions write to nobody's constituency
        )
    assert len(mail.outbox) == ratelimit.SIGNUPS_PER_EMAIL

    response = _signup(client, action, django_capture_on_commit_callbacks, ip="192.0.2.1")

    assert response.status_code == 302  # the usual answer
    assert not Signatory.objects.filter(action=action).exists()
    assert len(mail.outbox) == ratelimit.SIGNUPS_PER_EMAIL


def test_signing_up_again_for_a_confirmed_address_says_nothing_changed_and_where_to_change(
    client, action, django_capture_on_commit_callbacks
):
    _signup(client, action, django_capture_on_commit_callbacks, name="Amina Typo")
    link = _confirmed(client, _link(mail.outbox[0]))

    again = _signup(client, action, django_capture_on_commit_callbacks, name="Amina Odhiambo")

    assert len(mail.outbox) == 1
    assert Signatory.objects.get().name == "Amina Typo"
    page = client.get(again["Location"]).content.decode()
    assert "a few minutes ago" in page
    assert "nothing was changed" in page
    assert "open the link in the earlier email: your page there has a form for them" in page
    assert "its link still works" not in page
    # And the page behind the link has that form.
    assert b"Details wrong? Correct them here." in client.get(link).content
    # Anyone else typing the confirmed address hears what a new address hears.
    stranger = Client()
    known = _signup(stranger, action, django_capture_on_commit_callbacks, name="Someone")
    fresh = _signup(stranger, action, django_capture_on_commit_callbacks, email="new@example.org")
    known_page = _without_csrf(stranger.get(known["Location"]).content)
    assert known_page == _without_csrf(stranger.get(fresh["Location"]).content)
    assert b"nothing was changed" not in known_page


def test_on_a_letter_day_writing_in_ones_own_name_is_the_consent_to_be_named(
    client, action, django_capture_on_commit_callbacks
):
    page = client.get(_url(action)).content.decode()
    assert 'name="consent_named"' not in page
    assert "writing it is agreeing to that" in page

    _signup(client, action, django_capture_on_commit_callbacks)

    assert Signatory.objects.get().consent_named_at is not None

    action.kind = LetterAction.Kind.COSIGNED
    action.save()
    cosigned = client.get(_url(action)).content.decode()
    assert 'name="consent_named"' in cosigned
    assert "writing it is agreeing to that" not in cosigned


# Correcting one's details ------------------------------------------------------------------


def _details_url(signatory) -> str:
    return reverse("letters:supporter_details", args=[signatory.token])


def _details(**overrides) -> dict:
    data = {
        "name": "Amina Odhiambo",
        "organisation_name": "",
        "title": "",
        "role": Signatory.Role.CONSTITUENT,
    }
    data.update(overrides)
    return data


def _with_link(signatory) -> Signatory:
    signatory.renew_nonce()
    signatory.save()
    return signatory


def test_a_confirmed_supporter_corrects_their_details_on_their_page(client, world, action):
    signatory = _with_link(SignatoryFactory(action=action, name="Amina Typo", area=world.westlands))
    sent = LetterFactory(
        action=action,
        target=world.mp_westlands,
        signatory=signatory,
        state="sent",
        body="Dear Tim,\n\nRatify it.\n\nAmina Typo",
    )
    page = client.get(reverse("letters:supporter", args=[signatory.token])).content.decode()
    assert "Your details" in page and 'value="Amina Typo"' in page
    assert "Letters already sent keep the name they went out with." in page
    assert 'name="consent_named"' not in page  # a letter day: it goes out under their name

    response = client.post(
        _details_url(signatory),
        _details(
            organisation_name="Nairobi Peace Forum",
            title="Director",
            role="community_leader",
            consent_contact="on",
        ),
    )

    assert response.status_code == 302
    signatory.refresh_from_db()
    assert (signatory.name, signatory.organisation_name, signatory.title, signatory.role) == (
        "Amina Odhiambo",
        "Nairobi Peace Forum",
        "Director",
        "community_leader",
    )
    assert signatory.area == world.westlands  # its own form on a letter day's page
    assert signatory.consent_contact_at is not None
    assert signatory.consent_named_at is not None
    assert b"Your details are saved." in client.get(response["Location"]).content
    sent.refresh_from_db()
    assert sent.body.endswith("Amina Typo")


def test_correcting_ones_details_follows_the_sign_up_rules(client, world, action):
    # A letter day: a constituent needs the constituency saved in its own form first.
    leader = _with_link(SignatoryFactory(action=action, role="faith_leader", area=None))
    response = client.post(_details_url(leader), _details(role="constituent"))
    assert response.status_code == 400
    assert "tell us your constituency first" in _field_errors(response.content, "role")
    assert client.post(_details_url(leader), _details(name="")).status_code == 400
    leader.refresh_from_db()
    assert leader.role == "faith_leader"

    # A co-signed letter: the constituency is asked here, and signing needs consent.
    action.kind = LetterAction.Kind.COSIGNED
    action.save()
    response = client.post(_details_url(leader), _details(role="constituent"))
    assert response.status_code == 400
    assert "As a constituent, tell us your constituency" in _field_errors(response.content, "area")
    assert "agree to be named" in _field_errors(response.content, "consent_named")

    response = client.post(
        _details_url(leader),
        _details(role="constituent", address="Lang'ata", consent_named="on"),
    )
    assert response.status_code == 302
    leader.refresh_from_db()
    assert (leader.role, leader.area) == ("constituent", world.langata)


def test_only_a_confirmed_supporter_of_an_open_action_corrects_their_details(client, action):
    unconfirmed = _with_link(SignatoryFactory(action=action, email_confirmed_at=None))
    client.post(_details_url(unconfirmed), _details(role="expert"))
    unconfirmed.refresh_from_db()
    assert unconfirmed.role == "constituent"

    confirmed = _with_link(SignatoryFactory(action=action, role="expert"))
    action.state = LetterAction.State.CLOSED
    action.save()
    page = client.get(reverse("letters:supporter", args=[confirmed.token])).content
    assert b"Your details" not in page
    client.post(_details_url(confirmed), _details(role="other"))
    confirmed.refresh_from_db()
    assert confirmed.role == "expert"


def test_the_confirmation_is_sent_through_the_task(
    client, action, monkeypatch, django_capture_on_commit_callbacks
):
    from letters import tasks

    sent = []
    monkeypatch.setattr(tasks.signatory_confirmation_send, "delay", lambda pk: sent.append(pk))
    _signup(client, action, django_capture_on_commit_callbacks)
    signatory = Signatory.objects.get()
    assert sent == [signatory.pk]
    tasks.signatory_confirmation_send.apply(args=[signatory.pk])
    assert mail.outbox[0].to == [signatory.email]


def test_a_broker_that_is_down_keeps_the_sign_up(
    client, action, monkeypatch, django_capture_on_commit_callbacks
):
    from letters import tasks

    def down(pk):
        raise OperationalError("Connection refused")

    monkeypatch.setattr(tasks.signatory_confirmation_send, "delay", down)
    response = _signup(client, action, django_capture_on_commit_callbacks)
    assert response.status_code == 302
    assert Signatory.objects.get().email == "amina@example.org"
    assert mail.outbox == []


# Confirming ----------------------------------------------------------------------------------


def test_the_link_asks_to_confirm_and_confirming_counts(
    client, action, django_capture_on_commit_callbacks
):
    action.kind = LetterAction.Kind.COSIGNED
    action.save()
    _signup(client, action, django_capture_on_commit_callbacks, consent_named="on")
    link = _link(mail.outbox[0])

    # Opening the link (or a mail scanner fetching it) confirms nothing.
    page = client.get(link)
    assert b"Confirm your address" in page.content
    assert participation.signature_count(action) == 0
    assert b"0 people have signed" not in client.get(_url(action)).content

    response = client.post(link + "confirm/")

    assert response.status_code == 302
    assert Signatory.objects.get().is_confirmed
    assert participation.signature_count(action) == 1
    assert b"1 person has signed." in client.get(_url(action)).content
    assert b"your signature counts" in client.get(link).content
    # Confirming twice changes nothing.
    client.post(link + "confirm/")
    assert participation.signature_count(action) == 1


def test_a_tampered_or_foreign_token_gets_a_clear_404(client, action):
    signatory = SignatoryFactory(action=action)
    signatory.renew_nonce()
    signatory.save()
    token = signatory.token
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    for bad in (tampered, "nonsense", token.replace(":", ";")):
        response = client.get(reverse("letters:supporter", args=[bad]))
        assert response.status_code == 404
        assert b"This link does not work" in response.content
        assert client.post(reverse("letters:confirm", args=[bad])).status_code == 404

    # A link whose nonce changed no longer works.
    signatory.renew_nonce()
    signatory.save()
    assert client.get(reverse("letters:supporter", args=[token])).status_code == 404


# Writing as a supporter --------------------------------------------------------------------


def test_a_supporter_is_matched_to_their_representatives_and_writes_past_the_nudge(
    client, world, action, django_capture_on_commit_callbacks
):
    _signup(client, action, django_capture_on_commit_callbacks, address="Parklands, Nairobi")
    link = _confirmed(client, _link(mail.outbox[0]))

    page = client.get(link)
    # Parklands is a ward of Westlands, in Nairobi county: its MP and the county's woman
    # representative.
    representatives = {target.person for target in page.context["representatives"]}
    assert representatives == {world.mp_westlands, world.woman_rep}
    assert Signatory.objects.get().area == world.westlands
    # Tokens carry the time they were made: the link on the page, not a fresh one.
    write = f"{link}write/{world.mp_westlands.pk}/"
    assert write.encode() in page.content

    writing = client.get(write)
    assert f'<a href="{link}">Back to your page on this action</a>' in writing.content.decode()
    body = writing.context["form"].initial["body"]
    assert "Dear Tim Wanyonyi," in body and body.endswith("Amina Odhiambo")
    nudged = client.post(write, {"subject": "Ratify", "body": body, "submit": "1"})
    assert nudged.status_code == 400
    assert b"the same as the suggested text" in nudged.content

    submitted = client.post(write, {"subject": "Ratify", "body": personalise(body), "submit": "1"})
    assert submitted.status_code == 302
    letter = Letter.objects.get()
    assert letter.state == Letter.State.READY
    assert letter.signatory.email == "amina@example.org"
    assert letter.similarity < 0.9


def test_the_supporters_meter_follows_their_typing(client, world, action):
    signatory = SignatoryFactory(action=action, area=world.westlands)
    signatory.renew_nonce()
    signatory.save()
    url = reverse("letters:supporter_similarity", args=[signatory.token, world.mp_westlands.pk])
    response = client.post(url, {"body": "All mine."}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b'value="0"' in response.content


# the supporter's meter: the signatory by token (action, campaign and area joined), the
# target, their letter to the target, the action's templates (once), the target's positions.
SUPPORTER_METER_QUERIES = 5


def test_the_supporters_meter_queries_are_fixed(client, world, action, django_assert_num_queries):
    signatory = SignatoryFactory(action=action, area=world.westlands)
    signatory.renew_nonce()
    signatory.save()
    url = reverse("letters:supporter_similarity", args=[signatory.token, world.mp_westlands.pk])
    with django_assert_num_queries(SUPPORTER_METER_QUERIES):
        response = client.post(url, {"body": "All mine."}, headers={"HX-Request": "true"})
    assert response.status_code == 200


def test_an_empty_letter_is_asked_for_not_praised(client, world, action):
    signatory = SignatoryFactory(action=action, area=world.westlands)
    signatory.renew_nonce()
    signatory.save()
    url = reverse("letters:supporter_similarity", args=[signatory.token, world.mp_westlands.pk])
    write = reverse("letters:supporter_write", args=[signatory.token, world.mp_westlands.pk])

    for response in (
        client.post(url, {"body": "  \n "}, headers={"HX-Request": "true"}),
        client.post(write, {"subject": "Ratify", "body": "", "save": "1"}),
    ):
        assert b"Write your letter: start from the suggested text" in response.content
        assert b"Thank you" not in response.content
    own = client.post(url, {"body": "All mine."}, headers={"HX-Request": "true"})
    assert b"In your own words. Thank you." in own.content


def test_with_matching_a_supporter_cannot_write_to_someone_elses_mp(client, world, action):
    action.constituency_matching = True
    action.save()
    signatory = SignatoryFactory(action=action, area=world.langata)
    signatory.renew_nonce()
    signatory.save()
    url = reverse("letters:supporter_write", args=[signatory.token, world.mp_westlands.pk])

    assert client.get(url).status_code == 302
    response = client.post(url, {"subject": "x", "body": "y", "submit": "1"})
    assert response.status_code == 302
    assert not Letter.objects.exists()


def test_without_matching_a_supporter_may_choose_whom_to_write_to(client, world, action):
    signatory = SignatoryFactory(action=action)  # no area
    signatory.renew_nonce()
    signatory.save()
    page = client.get(reverse("letters:supporter", args=[signatory.token]))
    assert page.context["representatives"] == []
    assert world.mp_langata in [target.person for target in page.context["others"]]
    choose = client.get(
        reverse("letters:supporter_choose", args=[signatory.token]), {"to": world.mp_langata.pk}
    )
    assert choose["Location"] == reverse(
        "letters:supporter_write", args=[signatory.token, world.mp_langata.pk]
    )


def test_a_supporter_sets_their_constituency_on_their_page(client, world, action):
    signatory = SignatoryFactory(action=action)
    signatory.renew_nonce()
    signatory.save()
    url = reverse("letters:supporter_area", args=[signatory.token])

    response = client.post(url, {"area": world.langata.pk, "address": ""})

    assert response.status_code == 302
    signatory.refresh_from_db()
    assert signatory.area == world.langata


def test_an_unconfirmed_supporter_cannot_write(client, world, action):
    signatory = SignatoryFactory(action=action, email_confirmed_at=None, area=world.westlands)
    signatory.renew_nonce()
    signatory.save()
    url = reverse("letters:supporter_write", args=[signatory.token, world.mp_westlands.pk])
    assert client.post(url, {"subject": "x", "body": "y", "submit": "1"}).status_code == 302
    assert not Letter.objects.exists()


# supporter page: the signatory by token (action, campaign and area joined), its letters
# (targets joined), the representatives, the other targets, the areas to choose from.
SUPPORTER_QUERIES = 5


def test_supporter_page_queries_do_not_grow(client, world, action, django_assert_num_queries):
    signatory = SignatoryFactory(action=action, area=world.county)
    signatory.renew_nonce()
    signatory.save()
    url = reverse("letters:supporter", args=[signatory.token])
    with django_assert_num_queries(SUPPORTER_QUERIES):
        client.get(url)
    for person in (world.mp_westlands, world.mp_langata, world.woman_rep):
        LetterFactory(action=action, target=person, signatory=signatory)
    with django_assert_num_queries(SUPPORTER_QUERIES):
        response = client.get(url)
    assert len(response.context["letters"]) == 3


# co-signed: the signatory by token, its letters, the signature count, the letter's template,
# its first target and that target's positions, the areas to choose from.
COSIGNED_SUPPORTER_QUERIES = 7


def test_a_cosigned_actions_supporter_page_shows_the_count_and_the_text(
    client, action, django_assert_num_queries
):
    action.kind = LetterAction.Kind.COSIGNED
    action.save()
    signatory = SignatoryFactory(action=action)
    signatory.renew_nonce()
    signatory.save()

    with django_assert_num_queries(COSIGNED_SUPPORTER_QUERIES):
        response = client.get(reverse("letters:supporter", args=[signatory.token]))

    content = response.content.decode()
    assert "1 person has signed." in content
    assert "The letter you sign" in content


# Replies ---------------------------------------------------------------------------------


def test_the_writer_says_whether_a_reply_came(client, world, action):
    signatory = SignatoryFactory(action=action)
    signatory.renew_nonce()
    signatory.save()
    letter = LetterFactory(
        action=action,
        target=world.mp_westlands,
        signatory=signatory,
        state="sent",
        sent_at=timezone.now() - dt.timedelta(days=14),
    )
    url = reverse("letters:public_reply", args=[signatory.token, letter.pk])
    assert b"Did Tim Wanyonyi reply?" in client.get(url).content

    response = client.post(url, {"kind": "answer", "summary": "They will vote for it."})

    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.reply_kind == "answer"
    assert letter.reply_summary == "They will vote for it."
    assert letter.reply_logged_by is None and letter.reply_logged_at is not None


def test_the_reply_forms_date_box_gets_an_iso_date_in_every_language():
    for language in ("fr", "es", "en"):
        with translation.override(language):
            form = replies.ReplyForm(
                initial={"received_on": dt.date(2026, 11, 20)}, letter=Letter(), writer=True
            )
            html = str(form["received_on"])
        assert 'value="2026-11-20"' in html, language


@pytest.mark.parametrize(
    ("days_ago", "message"),
    [
        (-1, "The reply can&#x27;t have come in the future."),
        (20, "The letter went out on"),
    ],
)
def test_a_reply_dated_in_the_future_or_before_the_letter_went_out_is_refused(
    client, world, action, days_ago, message
):
    signatory = SignatoryFactory(action=action)
    signatory.renew_nonce()
    signatory.save()
    letter = LetterFactory(
        action=action,
        target=world.mp_westlands,
        signatory=signatory,
        state="sent",
        sent_at=timezone.now() - dt.timedelta(days=14),
    )
    url = reverse("letters:public_reply", args=[signatory.token, letter.pk])
    day = timezone.localdate() - dt.timedelta(days=days_ago)

    response = client.post(url, {"kind": "answer", "received_on": day.isoformat()})

    assert response.status_code == 400
    html = response.content.decode()
    error = html.index('id="id_received_on_error"')
    assert message in html[error : error + 300]
    letter.refresh_from_db()
    assert letter.reply_kind == ""


def test_the_reply_form_is_only_for_the_letters_writer_once_it_went_out(client, world, action):
    writer = SignatoryFactory(action=action)
    other = SignatoryFactory(action=action)
    for signatory in (writer, other):
        signatory.renew_nonce()
        signatory.save()
    letter = LetterFactory(action=action, target=world.mp_westlands, signatory=writer)

    url = reverse("letters:public_reply", args=[other.token, letter.pk])
    assert client.get(url).status_code == 404
    mine = reverse("letters:public_reply", args=[writer.token, letter.pk])
    response = client.post(mine, {"kind": "answer", "summary": "Yes"})
    assert b"has not gone out yet" in response.content
    letter.refresh_from_db()
    assert letter.reply_kind == ""


# Through a real worker -----------------------------------------------------------------------


@pytest.fixture
def mail_worker(smtp_server, monkeypatch, request):
    """A Celery worker that sends its email to the test's SMTP server."""
    monkeypatch.setenv("EMAIL_URL", f"smtp://127.0.0.1:{smtp_server.port}")
    return request.getfixturevalue("celery_worker")


@pytest.mark.integration
def test_the_confirmation_goes_through_the_worker(
    transactional_db, client, organisation, mail_worker, smtp_server
):
    action = participation_world.build(organisation).action

    data = signup_data(email="worker@example.org", address="Westlands")
    response = client.post(_url(action), data)

    assert response.status_code == 302
    try:
        [message] = smtp_server.wait_for(1, timeout=30)
    except AssertionError:
        raise AssertionError("".join(mail_worker.log)) from None
    assert message["To"] == "worker@example.org"
    body = smtp_server.body(message)
    token = re.search(r"/letters/supporter/(\S+)/", body).group(1)
    assert Signatory.from_token(token) == Signatory.objects.get(email="worker@example.org")
