"""The staff pages of funding: donors (mounted under /funding/ by beacon/funding/urls.py)."""

from django.urls import path

from beacon.funding import views_donors as views

urlpatterns: list = [
    path("donors/", views.donor_list, name="donors"),
    path("donors/new/", views.donor_new, name="donor_new"),
    path("donors/<int:pk>/", views.donor_detail, name="donor"),
    path("donors/<int:pk>/edit/", views.donor_edit, name="donor_edit"),
    path("donors/<int:pk>/accounts/", views.donor_account_new, name="donor_account_new"),
    path("donors/<int:pk>/mandates/new/", views.mandate_new, name="mandate_new"),
    path("donors/<int:pk>/gifts/new/", views.gift_new, name="gift_new"),
    path("donors/<int:pk>/export/", views.donor_export, name="donor_export"),
    path("donors/<int:pk>/erase/", views.donor_erase, name="donor_erase"),
    path("gifts/<int:pk>/refund/", views.gift_refund, name="gift_refund"),
    path("tiers/", views.tiers, name="tiers"),
]
