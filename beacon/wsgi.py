"""WSGI entry point."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beacon.settings")
django_application = get_wsgi_application()

# Feed polls (screens, apps) are answered before Django's middleware: beacon/alerts/feed_views.py.
from beacon.alerts.feed_views import FeedFastPath  # noqa: E402 - needs the apps loaded above

application = FeedFastPath(django_application)
