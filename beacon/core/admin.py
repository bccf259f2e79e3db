"""Django admin for administrators: reference data is editable; the audit trail is read-only."""

from django.contrib import admin

from beacon.core.models import ApiToken, AuditRecord, Organisation, Region, Team


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_id", "channel")
    list_filter = ("action", "object_type", "channel")
    search_fields = ("object_id", "actor__username")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "hint", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("user", "name", "hint", "digest", "created_at", "last_used_at", "revoked_at")

    def has_add_permission(self, request):
        return False  # `beacon token create` shows the secret once; the admin never sees it


admin.site.register(Organisation)
admin.site.register(Region)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "lead")
    filter_horizontal = ("members",)
