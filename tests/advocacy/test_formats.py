"""Dates with times read the same way as dates alone in each language."""

import datetime as dt

from django.utils import translation
from django.utils.formats import date_format


def test_arabic_dates_with_times_follow_the_arabic_date_order():
    moment = dt.datetime(2026, 12, 6, 19, 40)
    with translation.override("ar"):
        date = date_format(moment.date(), "DATE_FORMAT")
        with_time = date_format(moment, "DATETIME_FORMAT")

    assert date == "6 ديسمبر، 2026"
    assert with_time.startswith(date + "، ")
    assert with_time.endswith("7:40 م")


def test_other_languages_keep_djangos_formats():
    moment = dt.datetime(2026, 12, 6, 19, 40)
    with translation.override("en"):
        assert date_format(moment, "DATETIME_FORMAT") == "Dec. 6, 2026, 7:40 p.m."


def test_the_error_summary_follows_each_languages_punctuation():
    from django import forms
    from django.template.loader import render_to_string

    class Form(forms.Form):
        email = forms.EmailField(label="Email")

    form = Form({"email": "nope"})
    form.is_valid()
    with translation.override("fr"):
        html = render_to_string("partials/form.html", {"form": form})
    with translation.override("en"):
        english = render_to_string("partials/form.html", {"form": form})

    assert "Email\u00a0: " in html
    assert "Email: " in english
