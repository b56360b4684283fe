from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from advocacy.models import VisibleQuerySet, VisibleRecord


class CampaignQuerySet(VisibleQuerySet):
    def for_list(self) -> "CampaignQuerySet":
        return self.select_related("organisation").order_by("-updated_at")


class Campaign(VisibleRecord):
    """A lobbying campaign run by one organisation, shared with its coalition or not."""

    name = models.CharField(_("name"), max_length=200)
    goal = models.TextField(
        _("goal"), blank=True, help_text=_("What will have changed when we win?")
    )
    description = models.TextField(_("description"), blank=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("campaigns:detail", args=[self.pk])
