"""The public side of search notices, under /missing/: pages, the still-missing list, the feeds,
published photos and posters, and recipients' confirmations. No staff session is read there."""

from django.urls import path  # noqa: F401

app_name = "missing"

urlpatterns: list = []
