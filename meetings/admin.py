from django.contrib import admin

from meetings.models import (
    ChecklistTemplate,
    ChecklistTemplateItem,
    FollowUp,
    Meeting,
    MeetingAttendee,
)


class AttendeeInline(admin.TabularInline):
    model = MeetingAttendee
    extra = 0
    raw_id_fields = ["person", "institution"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    # No notes and no off-record markers here: the admin is for fixing records, not reading
    # what an organisation wrote.
    list_display = ["__str__", "organisation", "kind", "status", "starts_at", "visibility"]
    list_filter = ["kind", "status", "visibility"]
    search_fields = ["title"]
    fields = [
        "organisation",
        "kind",
        "status",
        "title",
        "starts_at",
        "ends_at",
        "time_zone",
        "location",
        "campaign",
        "visibility",
    ]
    raw_id_fields = ["campaign"]
    inlines = [AttendeeInline]


class ChecklistTemplateItemInline(admin.TabularInline):
    model = ChecklistTemplateItem
    extra = 0


@admin.register(ChecklistTemplate)
class ChecklistTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "is_default"]
    inlines = [ChecklistTemplateItemInline]


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "due_on", "done_at"]
    list_filter = ["done_at"]
    fields = ["title", "owner", "due_on", "done_at"]
    raw_id_fields = ["owner"]
