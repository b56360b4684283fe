from django.contrib import admin

from letters.models import ActionTarget, Letter, LetterAction, LetterTemplate, Signatory


class TemplateInline(admin.StackedInline):
    model = LetterTemplate
    extra = 0


@admin.register(LetterAction)
class LetterActionAdmin(admin.ModelAdmin):
    # For fixing records; the letters themselves are listed on their own (raw ids: an
    # action may have thousands of targets and letters).
    list_display = ["title", "kind", "state", "campaign", "organisation", "deliver_on"]
    list_filter = ["kind", "state", "channel", "visibility"]
    search_fields = ["title"]
    raw_id_fields = ["campaign", "organisation", "created_by", "launched_by", "foi_country"]
    readonly_fields = ["public_key", "launched_at", "sending_started_at", "sent_at", "closed_at"]
    inlines = [TemplateInline]


@admin.register(ActionTarget)
class ActionTargetAdmin(admin.ModelAdmin):
    list_display = ["person", "action", "time_zone", "assigned_to", "delivered_at"]
    list_select_related = ["person", "action", "assigned_to"]
    search_fields = ["person__name", "action__title"]
    raw_id_fields = ["action", "person", "assigned_to"]


@admin.register(Signatory)
class SignatoryAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "action", "role", "email_confirmed_at"]
    list_filter = ["role"]
    list_select_related = ["action"]
    search_fields = ["name", "email", "action__title"]
    raw_id_fields = ["action", "user", "area"]
    readonly_fields = ["nonce", "ip_address", "created_at"]


@admin.register(Letter)
class LetterAdmin(admin.ModelAdmin):
    list_display = ["subject", "target", "action", "state", "due_at", "sent_at", "attempts"]
    list_filter = ["state", "reply_kind"]
    list_select_related = ["target", "action"]
    search_fields = ["subject", "target__name", "message_id", "action__title"]
    raw_id_fields = [
        "action",
        "target",
        "signatory",
        "approved_by",
        "reply_logged_by",
        "created_by",
    ]
    readonly_fields = ["message_id", "queued_at", "claimed_at", "created_at", "updated_at"]
