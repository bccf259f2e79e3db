"""The annual report as a web page and as a PDF, in Dutch, French and English."""

from django.http import Http404


def report(request, year: int):
    raise Http404


def report_latest(request):
    raise Http404
