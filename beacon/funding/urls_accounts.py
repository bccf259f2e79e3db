"""The staff pages of funding: accounts (mounted under /funding/ by beacon/funding/urls.py)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
