"""A browser's date box reads only ISO dates: every form's date box gets one in every
language, or a French or Spanish editor finds the date gone when they change a record.
The forms are found, not listed, so a new date box is checked too."""

import datetime as dt
import importlib
import inspect

import pytest
from django import forms
from django.utils import translation

MODULES = [
    "advocacy.forms",
    "campaigns.calendar_forms",
    "campaigns.forms",
    "contacts.forms",
    "letters.forms",
    "letters.participation_forms",
    "letters.replies",
    "meetings.forms",
]
DAY = dt.date(2026, 11, 20)


def date_boxes() -> list[tuple[str, str, forms.Field]]:
    found = {}
    for module in map(importlib.import_module, MODULES):
        for form in vars(module).values():
            if not (inspect.isclass(form) and issubclass(form, forms.BaseForm)):
                continue
            for name, field in form.base_fields.items():
                if getattr(field.widget, "input_type", None) == "date":
                    found[f"{form.__module__}.{form.__name__}.{name}"] = (name, field)
    return sorted((key, name, field) for key, (name, field) in found.items())


def test_the_project_has_date_boxes_to_check():
    # At least the meetings', the calendar's, the directory's and the letters' ones.
    assert len(date_boxes()) >= 15


@pytest.mark.parametrize("language", ["fr", "es", "ar"])
def test_every_date_box_shows_an_iso_date(language):
    wrong = []
    with translation.override(language):
        for key, name, field in date_boxes():
            html = field.widget.render(name, DAY)
            if 'value="2026-11-20"' not in html:
                wrong.append(f"{key}: {html}")
    assert wrong == []


def test_a_contact_point_being_changed_in_french_keeps_its_dates():
    from contacts.forms import ContactPointForm
    from contacts.models import ContactPoint

    point = ContactPoint(kind="email", value="a@example.org", valid_from=DAY)

    with translation.override("fr"):
        html = str(ContactPointForm(instance=point)["valid_from"])

    assert 'value="2026-11-20"' in html
