"""The public side of search notices, under /missing/: pages, the still-missing list, the feeds,
published photos and posters, and recipients' confirmations. No staff session is read there."""

from django.urls import include, path

app_name = "missing"

urlpatterns: list = [
    # CAP 1.2 and JSON feeds for digital screens and apps (beacon/alerts/feed_urls.py).
    path("feeds/", include("beacon.alerts.feed_urls")),
    # Public pages, the still-missing list, published files, confirmations.
    path("", include("beacon.alerts.page_urls")),
]
