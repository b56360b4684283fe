import pytest
from django.apps import apps
from django.urls import reverse

from advocacy.models import AuditEvent
from contacts import services
from contacts.models import (
    ContactPoint,
    Identifier,
    Link,
    OtherName,
    Person,
    StanceAssessment,
    Tag,
)
from contacts.search import person_refresh_search, search_people
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair():
    """Two records of one person, each with some of everything."""
    keep = factories.PersonFactory(
        name="Ababu Namwamba", given_name="Ababu", family_name="Namwamba", languages=["en"]
    )
    duplicate = factories.PersonFactory(
        name="Ababu Tawfiq Namwamba",
        given_name="Ababu",
        family_name="Namwamba",
        biography="Lawyer.",
        languages=["sw", "en"],
    )
    return keep, duplicate


def _give_everything(person: Person, n: int) -> None:
    factories.PositionFactory(person=person, role=f"role {n}")
    factories.ContactPointFactory(person=person)
    Identifier.objects.create(person=person, scheme=f"scheme{n}", value=f"id-{person.pk}")
    OtherName.objects.create(person=person, name=f"Other {n}")
    Link.objects.create(person=person, url=f"https://example.org/{person.pk}")
    person.tags.add(Tag.objects.create(name=f"tag {n}", slug=f"tag-{n}"))
    factories.StanceAssessmentFactory(person=person)


def test_a_merge_keeps_every_link_of_both(pair, campaigner):
    keep, duplicate = pair
    _give_everything(keep, 1)
    _give_everything(duplicate, 2)
    shared = Tag.objects.create(name="health", slug="health")
    keep.tags.add(shared)
    duplicate.tags.add(shared)
    aide = factories.PositionFactory(role="aide", to_person=duplicate)
    person_refresh_search([keep.pk, duplicate.pk])

    services.person_merge(
        keep=keep, duplicate=duplicate, values={"biography": "Lawyer."}, actor=campaigner
    )

    assert not Person.objects.filter(pk=duplicate.pk).exists()
    keep.refresh_from_db()
    assert keep.positions.count() == 2
    assert ContactPoint.objects.filter(person=keep).count() == 2
    assert keep.identifiers.count() == 2 and keep.other_names.count() == 2
    assert keep.links.count() == 2
    assert set(keep.tags.values_list("name", flat=True)) == {"tag 1", "tag 2", "health"}
    assert StanceAssessment.objects.filter(person=keep).count() == 2
    aide.refresh_from_db()
    assert aide.to_person == keep
    assert keep.biography == "Lawyer." and keep.name == "Ababu Namwamba"
    assert keep.languages == ["en", "sw"]
    # The merged record is found by what the duplicate's positions said.
    assert list(search_people(Person.objects.all(), "role 2")) == [keep]
    event = AuditEvent.objects.get(target_id=str(keep.pk))
    assert event.detail["merged"] == {"id": duplicate.pk, "name": "Ababu Tawfiq Namwamba"}
    assert event.detail["fields"] == ["biography"] and event.actor == campaigner


def test_an_aide_of_the_other_record_is_not_made_their_own_aide(pair, campaigner):
    keep, duplicate = pair
    position = factories.PositionFactory(person=duplicate, role="aide", to_person=keep)

    services.person_merge(keep=keep, duplicate=duplicate, values={}, actor=campaigner)

    position.refresh_from_db()
    assert position.person == keep and position.to_person is None


def test_it_finds_every_relation_to_a_person_in_every_app():
    """Relations added later (meeting attendees, letter targets) are merged without
    changing the merge: it walks the models, and this test walks the registry."""
    found = {(model, field) for model, field, _name in services._links_to_person()}
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.fields:
            if field.is_relation and field.related_model is Person:
                assert (model, field.name) in found, f"{model.__name__}.{field.name}"


def test_a_repoint_drops_rows_that_would_break_a_uniqueness_rule(pair):
    keep, duplicate = pair
    both, only_theirs = Tag.objects.create(slug="a"), Tag.objects.create(slug="b")
    keep.tags.add(both)
    duplicate.tags.add(both, only_theirs)

    moved = services._repoint(Person.tags.through, "person", keep, duplicate)

    assert moved == 1
    assert set(keep.tags.all()) == {both, only_theirs}
    assert not Person.tags.through.objects.filter(person=duplicate).exists()


def test_two_different_ids_in_one_scheme_are_both_kept_and_flagged(pair, campaigner_client):
    keep, duplicate = pair
    Identifier.objects.create(person=keep, scheme="wikidata", value="Q1")
    Identifier.objects.create(person=duplicate, scheme="wikidata", value="Q2")
    url = reverse("contacts:person_merge_review", args=[keep.pk, duplicate.pk])

    review = campaigner_client.get(url).content.decode()
    campaigner_client.post(url, {"name": "keep", "biography": "duplicate"})

    assert "different identifier in: wikidata" in review
    assert set(keep.identifiers.values_list("value", flat=True)) == {"Q1", "Q2"}


def test_the_merge_search_lists_other_records_by_name(pair, campaigner_client):
    keep, duplicate = pair
    factories.PersonFactory(name="Someone Else")
    person_refresh_search(Person.objects.values_list("pk", flat=True))

    html = campaigner_client.get(
        reverse("contacts:person_merge", args=[keep.pk]), {"q": "namwamba"}
    ).content.decode()

    assert reverse("contacts:person_merge_review", args=[keep.pk, duplicate.pk]) in html
    assert reverse("contacts:person_merge_review", args=[keep.pk, keep.pk]) not in html
    assert "Someone Else" not in html


def test_the_review_offers_a_choice_only_where_the_records_differ(pair, campaigner_client):
    keep, duplicate = pair
    html = campaigner_client.get(
        reverse("contacts:person_merge_review", args=[keep.pk, duplicate.pk])
    ).content.decode()

    assert 'name="name" value="keep"' in html and 'name="name" value="duplicate"' in html
    assert 'name="biography"' in html  # empty here, filled there
    assert 'name="family_name"' not in html  # the same in both


def test_confirming_the_review_merges_with_the_chosen_values(pair, campaigner_client):
    keep, duplicate = pair
    _give_everything(duplicate, 1)

    response = campaigner_client.post(
        reverse("contacts:person_merge_review", args=[keep.pk, duplicate.pk]),
        {"name": "duplicate", "biography": "duplicate"},
    )

    assert response.status_code == 302 and response["Location"] == keep.get_absolute_url()
    keep.refresh_from_db()
    assert keep.name == "Ababu Tawfiq Namwamba" and keep.biography == "Lawyer."
    assert keep.positions.count() == 1
    assert not Person.objects.filter(pk=duplicate.pk).exists()


def test_the_review_can_keep_the_other_record_instead(pair, campaigner_client):
    keep, duplicate = pair
    campaigner_client.post(
        reverse("contacts:person_merge_review", args=[duplicate.pk, keep.pk]),
        {"name": "keep", "biography": "keep"},
    )
    assert list(Person.objects.values_list("pk", flat=True)) == [duplicate.pk]


def test_a_record_is_not_merged_with_itself(pair, campaigner_client, campaigner):
    keep, _duplicate = pair
    response = campaigner_client.post(
        reverse("contacts:person_merge_review", args=[keep.pk, keep.pk]), {}
    )
    assert response.status_code == 302
    assert Person.objects.filter(pk=keep.pk).exists()
    with pytest.raises(ValueError):
        services.person_merge(keep=keep, duplicate=keep, values={}, actor=campaigner)


def test_viewers_may_not_merge(pair, client, viewer):
    keep, duplicate = pair
    client.force_login(viewer)
    url = reverse("contacts:person_merge_review", args=[keep.pk, duplicate.pk])
    assert client.get(reverse("contacts:person_merge", args=[keep.pk])).status_code == 403
    assert client.post(url, {"name": "keep"}).status_code == 403
    assert Person.objects.count() == 2


def test_stance_histories_of_both_join_up(pair, campaigner, organisation):
    keep, duplicate = pair
    campaign = factories.CampaignFactory(organisation=organisation)
    factories.StanceAssessmentFactory(person=keep, campaign=campaign, stance="opposed")
    factories.StanceAssessmentFactory(person=duplicate, campaign=campaign, stance="supportive")

    services.person_merge(keep=keep, duplicate=duplicate, values={}, actor=campaigner)

    history = StanceAssessment.objects.filter(person=keep, campaign=campaign)
    assert sorted(history.values_list("stance", flat=True)) == ["opposed", "supportive"]
