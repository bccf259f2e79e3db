"""The figures' tables as CSV and XLSX downloads."""

from django.http import Http404


def export(request):
    raise Http404
