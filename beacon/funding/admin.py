"""Django admin for administrators: the partner tiers are reference data, kept here (names per
language, thresholds, the years they apply to). Donors, gifts and certificates are kept through
the funding pages only (their services validate, audit and never edit an issued certificate)."""

from django.contrib import admin

from beacon.funding.models import SponsorTier


@admin.register(SponsorTier)
class SponsorTierAdmin(admin.ModelAdmin):
    list_display = ("code", "minimum_eur", "maximum_eur", "first_year", "last_year")
    ordering = ("minimum_eur",)
