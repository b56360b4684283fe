"""A contact point is current from its start to its end, both days included."""

import datetime as dt

import pytest

from contacts.models import ContactPoint
from tests.factories import ContactPointFactory

DAY = dt.date(2026, 11, 20)


@pytest.mark.django_db
def test_current_contact_points_are_those_valid_on_the_day():
    always = ContactPointFactory()
    started = ContactPointFactory(valid_from=DAY)
    ends_today = ContactPointFactory(valid_until=DAY)
    ContactPointFactory(valid_from=DAY + dt.timedelta(days=1))  # not yet
    ContactPointFactory(valid_until=DAY - dt.timedelta(days=1))  # over

    current = set(ContactPoint.objects.current(DAY).values_list("pk", flat=True))

    assert current == {always.pk, started.pk, ends_today.pk}
