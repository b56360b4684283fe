"""The time zones every form offers: places, and whatever a person or record has already."""

from django.urls import reverse

from advocacy.models import time_zone_choices


def test_the_choices_are_places_and_utc():
    names = [name for name, _label in time_zone_choices()]
    assert names == sorted(names)
    assert {"UTC", "Europe/London", "America/Argentina/Buenos_Aires"} <= set(names)
    assert not {"US/Eastern", "GB", "EST5EDT", "Etc/GMT+3", "Factory", "localtime"} & set(names)
    assert ("America/Argentina/Buenos_Aires", "America/Argentina/Buenos Aires") in (
        time_zone_choices()
    )


def test_a_zone_someone_already_has_stays_on_offer():
    names = [name for name, _label in time_zone_choices("US/Eastern")]
    assert "US/Eastern" in names
    assert names == sorted(names)


def test_the_profile_keeps_an_old_zone(client, campaigner):
    campaigner.time_zone = "US/Eastern"
    campaigner.save(update_fields=["time_zone"])
    client.force_login(campaigner)

    form = client.get(reverse("profile")).context["form"]

    assert form["time_zone"].value() == "US/Eastern"
    assert "US/Eastern" in dict(form.fields["time_zone"].choices)
