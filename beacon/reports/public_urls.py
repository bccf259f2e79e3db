"""The public report form, under /report/: anonymous, in NL/FR/EN/DE, styled apart from staff pages."""

from django.urls import path

from beacon.reports import public_views

app_name = "report"

urlpatterns: list = [
    path("", public_views.start, name="start"),
    path("<str:lang>/", public_views.report_form, name="form"),
    path("<str:lang>/thanks/", public_views.thanks, name="thanks"),
]
