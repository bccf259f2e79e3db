"""The annual report as a web page and as a PDF, in Dutch, French and English.

/figures/report/<year>/?lang=nl|fr|en (default: the user's language) shows the report of a
calendar year (beacon.figures.report.build_report); `&format=pdf` renders the same template with
WeasyPrint. /figures/report/ goes to the last complete year. Figures permission required.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.views.decorators.http import require_GET

from beacon.core.permissions import require
from beacon.figures.report import build_report

REPORT_LANGUAGES = ("nl", "fr", "en")
# Years a report can be asked for: not before records can exist, not after next year.
FIRST_YEAR = 1990


def _language(request: HttpRequest) -> str:
    asked = request.GET.get("lang", "")
    if asked in REPORT_LANGUAGES:
        return asked
    current = translation.get_language() or "en"
    return current if current in REPORT_LANGUAGES else "en"


@login_required
@require_GET
def report(request: HttpRequest, year: int) -> HttpResponse:
    require(request.user, "figures.view_figures")
    if not FIRST_YEAR <= year <= timezone.localdate().year + 1:
        return HttpResponse(status=404)
    language = _language(request)
    pdf = request.GET.get("format") == "pdf"
    with translation.override(language):
        context = {
            **build_report(year),
            "language": language,
            "languages": REPORT_LANGUAGES,
            "pdf": pdf,
        }
        html = render_to_string("figures/report.html", context, request=request)
    if not pdf:
        return HttpResponse(html)
    # Imported here: WeasyPrint loads Pango when imported, which only the PDF needs.
    from weasyprint import HTML

    # No base URL: the charts are inline SVG and the document uses no file or address.
    document = HTML(string=html).write_pdf()
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="annual-report-{year}-{language}.pdf"'
    return response


@login_required
@require_GET
def report_latest(request: HttpRequest) -> HttpResponse:
    """The report of the last complete calendar year (local time), keeping the query."""
    require(request.user, "figures.view_figures")
    url = reverse("figures:report", args=[timezone.localdate().year - 1])
    query = request.GET.urlencode()
    return HttpResponseRedirect(f"{url}?{query}" if query else url)
