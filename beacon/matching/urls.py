from django.urls import include, path

from beacon.matching import views

app_name = "matching"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("banks/", include("beacon.matching.urls_banks")),
]
