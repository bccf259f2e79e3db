"""Figures at a glance for any period with a comparison period, and the drill-down from each
figure to the records behind it."""

from django.http import Http404


def glance(request):
    raise Http404


def records(request, key: str):
    raise Http404
