from django.contrib import admin

from contacts.models import (
    Area,
    ContactPoint,
    Country,
    Identifier,
    Institution,
    Link,
    OtherName,
    Person,
    Position,
    Post,
    StanceAssessment,
    Tag,
)


class IdentifierInline(admin.TabularInline):
    model = Identifier
    extra = 0
    fk_name = "person"


class OtherNameInline(admin.TabularInline):
    model = OtherName
    extra = 0
    fk_name = "person"


class ContactPointInline(admin.TabularInline):
    model = ContactPoint
    extra = 0
    fk_name = "person"


class PositionInline(admin.TabularInline):
    model = Position
    extra = 0
    fk_name = "person"
    raw_id_fields = ["institution", "party", "area", "post", "to_person"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "honorific_prefix", "gender", "updated_at"]
    search_fields = ["name", "search_document"]
    filter_horizontal = ["tags"]
    inlines = [PositionInline, ContactPointInline, OtherNameInline, IdentifierInline]


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country", "parent", "is_governing"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "short_name"]
    raw_id_fields = ["parent"]


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ["person", "role", "institution", "party", "area", "start_date", "end_date"]
    search_fields = ["person__name", "institution__name", "role"]
    raw_id_fields = ["person", "institution", "party", "area", "post", "to_person"]


@admin.register(StanceAssessment)
class StanceAssessmentAdmin(admin.ModelAdmin):
    list_display = ["target", "campaign", "stance", "influence", "assessed_at", "organisation"]
    list_filter = ["stance", "campaign"]
    raw_id_fields = ["person", "institution"]


admin.site.register([Country, Area, Tag, Post, ContactPoint, Identifier, OtherName, Link])
