"""Image matching's staff pages: the analysts' queue of matches, one scanned image, its preview
(blurred until revealed), and the scans."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    return render(request, "matching/queue.html", {"items": []})
