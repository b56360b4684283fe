from django.contrib import admin

from campaigns.models import Campaign


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "visibility", "updated_at"]
    list_filter = ["visibility", "organisation"]
    search_fields = ["name"]
