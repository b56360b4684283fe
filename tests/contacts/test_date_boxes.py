"""A browser's date box reads only ISO dates: the directory's forms give it one in every
language, or a French or Spanish editor finds the date gone when they change a record."""

import datetime as dt

import pytest
from django.utils import translation

from contacts import forms
from contacts.models import ContactPoint

DAY = dt.date(2026, 11, 20)


@pytest.mark.parametrize(
    ("form", "field"),
    [
        (forms.InstitutionForm, "founding_date"),
        (forms.InstitutionForm, "dissolution_date"),
        (forms.ContactPointForm, "valid_from"),
        (forms.ContactPointForm, "valid_until"),
    ],
)
@pytest.mark.parametrize("language", ["fr", "es"])
def test_date_boxes_show_iso_dates(form, field, language):
    with translation.override(language):
        html = form.base_fields[field].widget.render(field, DAY)

    assert 'type="date"' in html
    assert 'value="2026-11-20"' in html


def test_a_contact_point_being_changed_in_french_keeps_its_dates():
    point = ContactPoint(kind="email", value="a@example.org", valid_from=DAY)

    with translation.override("fr"):
        html = str(forms.ContactPointForm(instance=point)["valid_from"])

    assert 'value="2026-11-20"' in html
