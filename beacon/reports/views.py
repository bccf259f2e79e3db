"""The civil hotline's staff pages."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def queue(request):
    return HttpResponse("")
