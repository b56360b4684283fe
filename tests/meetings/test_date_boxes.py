"""A browser's date box reads only ISO dates: the meetings' forms give it one in every
language, or a French or Spanish editor finds the date gone when they change a meeting."""

import datetime as dt

import pytest
from django.utils import translation

from meetings import forms

DAY = dt.date(2026, 11, 20)


@pytest.mark.parametrize(
    ("form", "field"),
    [
        (forms.MeetingForm, "date"),
        (forms.CommitmentForm, "due_on"),
        (forms.CommitmentForm, "done_on"),
        (forms.FollowUpForm, "due_on"),
        (forms.QuickLogForm, "due_on"),
        (forms.FollowUpEditForm, "due_on"),
    ],
)
@pytest.mark.parametrize("language", ["fr", "es"])
def test_date_boxes_show_iso_dates(form, field, language):
    with translation.override(language):
        html = form.base_fields[field].widget.render(field, DAY)

    assert 'type="date"' in html
    assert 'value="2026-11-20"' in html
