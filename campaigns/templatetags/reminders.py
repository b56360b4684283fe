"""`{% remind_me record %}`: the "remind me" form for any record, for record pages."""

from django import template
from django.db import models

from campaigns.forms import RemindMeForm

register = template.Library()


@register.inclusion_tag("campaigns/reminders/remind-me.html", takes_context=True)
def remind_me(context: template.Context, record: models.Model) -> dict:
    request = context["request"]
    content_type = record._meta.label_lower
    return {
        "form": RemindMeForm.for_record(content_type, record.pk),
        "content_type": content_type,
        "object_id": record.pk,
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }
