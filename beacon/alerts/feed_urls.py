"""The feeds under /missing/feeds/ (URL namespace "missing"). beacon.alerts.feed_views.FeedFastPath
answers the same paths in front of Django: keep its path constants in step (a test checks)."""

from django.urls import path

from beacon.alerts import feed_views

urlpatterns = [
    path("cap/", feed_views.cap_index, name="feed_cap_index"),
    path("cap/<str:public_id>.xml", feed_views.cap_alert, name="feed_cap_alert"),
    path("notices.json", feed_views.notices_json, name="feed_notices_json"),
]
