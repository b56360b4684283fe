"""A browser's date box reads only ISO dates: the campaigns' forms give it one in every
language, or a French or Spanish editor finds the date gone when they change a record."""

import datetime as dt

import pytest
from django.utils import translation

from campaigns import calendar_forms, forms

DAY = dt.date(2026, 11, 20)


@pytest.mark.parametrize(
    ("form", "field"),
    [
        (calendar_forms.CalendarEventForm, "start_date"),
        (calendar_forms.CalendarEventForm, "end_date"),
        (calendar_forms.CalendarEventForm, "repeat_until"),
        (forms.TreatyStatusForm, "changed_on"),
        (forms.TreatyStatusForm, "signed_on"),
        (forms.RelationshipForm, "last_contact_on"),
    ],
)
@pytest.mark.parametrize("language", ["fr", "es"])
def test_date_boxes_show_iso_dates(form, field, language):
    with translation.override(language):
        html = form.base_fields[field].widget.render(field, DAY)

    assert 'type="date"' in html
    assert 'value="2026-11-20"' in html
