"""Categories and sub-kinds are reference data, editable by administrators. Cases are not
registered: every write on a case goes through the services (audit, locking, validation)."""

from django.contrib import admin

from beacon.cases.models import Category, SubKind


class SubKindInline(admin.TabularInline):
    model = SubKind
    extra = 0


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("key", "mission", "figure_key", "valid_from", "valid_until")
    inlines = [SubKindInline]
