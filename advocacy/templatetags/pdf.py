"""Template helpers for the PDF templates in templates/pdf/."""

from django import template

from advocacy import pdf

register = template.Library()


@register.filter
def direction(text: object) -> str:
    """`dir` for a piece of user text: {{ message|direction }} gives "rtl" or "ltr"."""
    return pdf.text_direction(str(text))
