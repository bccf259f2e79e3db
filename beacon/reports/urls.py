"""The civil hotline's staff pages (analysts, team leads), under /hotline/."""

from django.urls import path

from beacon.reports import views

app_name = "reports"

urlpatterns: list = [
    path("", views.queue, name="queue"),
]
