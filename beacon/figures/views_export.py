"""The annual report's figures as CSV and XLSX downloads (/figures/export/?year=Y&format=csv).

Thin: parse the year and the format, authorise (`figures.view_figures`, through
figures_for_user), compute, check, write with beacon.figures.exports. The XLSX carries the
contradictions found in a sheet `checks`; the CSV holds the figures only.
"""

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from beacon.core.permissions import require
from beacon.figures import exports
from beacon.figures.consistency import check
from beacon.figures.selectors import figures_for_user

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@require_GET
def export(request: HttpRequest) -> HttpResponse:
    """The figures of `year` as an attachment in `format` (csv or xlsx): 403 without the figures
    permission, 400 for a year or format it cannot export."""
    require(request.user, "figures.view_figures")
    format = request.GET.get("format", "csv")
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = 0
    if not 1900 < year < 3000:
        return HttpResponseBadRequest(_("Give the year of the figures, e.g. ?year=2025."))
    if format not in FORMATS:
        return HttpResponseBadRequest(_("The figures can be exported as csv or xlsx."))
    figures = figures_for_user(user=request.user, year=year)
    if format == "csv":
        content: str | bytes = exports.to_csv(figures)
    else:
        content = exports.to_xlsx(figures, check(figures))
    response = HttpResponse(content, content_type=FORMATS[format])
    response["Content-Disposition"] = f'attachment; filename="beacon-figures-{year}.{format}"'
    return response
