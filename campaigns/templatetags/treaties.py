"""`{% treaty_statuses_for country as statuses %}`: a country's treaty statuses, for the
partial campaigns/partials/treaty-statuses.html that the directory's country page includes."""

from django import template

from campaigns import services
from campaigns.models import TreatyStatus

register = template.Library()


@register.simple_tag
def treaty_statuses_for(country) -> list[TreatyStatus]:
    return services.treaty_statuses_for_country(country)
