"""The hash banks' pages, under /matching/banks/ in the "matching" namespace."""

from django.urls import path

from beacon.matching import views_banks

urlpatterns = [
    path("", views_banks.bank_list, name="banks"),
    path("new/", views_banks.bank_new, name="bank_new"),
    path("<int:pk>/", views_banks.bank_detail, name="bank"),
    path("<int:pk>/edit/", views_banks.bank_edit, name="bank_edit"),
    path("<int:pk>/imports/new/", views_banks.import_new, name="import_new"),
    path("<int:pk>/imports/<int:import_id>/", views_banks.import_status, name="import_status"),
    path(
        "<int:pk>/imports/<int:import_id>/resume/",
        views_banks.import_resume,
        name="import_resume",
    ),
    path("<int:pk>/export/", views_banks.bank_export, name="bank_export"),
    path("<int:pk>/remove/", views_banks.hash_remove, name="hash_remove"),
]
