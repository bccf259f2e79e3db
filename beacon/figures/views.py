"""The civil hotline's figures page for staff (/figures/hotline/), with its CSV and PDF exports.

One view, three renderings of the same sections (beacon.figures.hotline.figures_by_section):
the page, a CSV of one row per figure (section, key, value: stable keys, not translated, for a
spreadsheet), and a PDF that WeasyPrint renders from the page's own template.
"""

import csv
from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from beacon.core.localtime import local_days_bounds
from beacon.figures.selectors import hotline_figures_for_user, require_hotline_figures
from beacon.reports.choices import (
    AgeGroup,
    Classification,
    ContentType,
    NoticeKind,
    PlatformDecision,
    SiteType,
)

# Labels that mean something else in one section than in the others (a key is shared).
SECTION_LABELS = {
    "image_matching": {
        "images_analysed": gettext_lazy("Images analysed"),
        "exact_matches": gettext_lazy("Exact matches"),
        "near_matches": gettext_lazy("Near matches"),
        "acted_automatically": gettext_lazy("Notified without an analyst (exact match)"),
        "confirmed": gettext_lazy("Confirmed by an analyst"),
        "rejected": gettext_lazy("Rejected by an analyst (false match)"),
        "waiting": gettext_lazy("Waiting for an analyst"),
        "removed": gettext_lazy("URLs removed after a notice"),
        "notices": gettext_lazy("Notices sent after a match"),
        "median_hours_to_removal": gettext_lazy("Median hours from notice to removal"),
    },
}

# Titles of the sections and labels of their keys; a key without a label (a platform's name, a
# country code) is shown as it is.
SECTIONS = {
    "reports": gettext_lazy("Reports (the annual report's figures)"),
    "top_platforms": gettext_lazy("Social media reports by platform"),
    "notices_by_kind": gettext_lazy("Notices by recipient"),
    "inhope": gettext_lazy("Takedown (INHOPE): illegal URLs assessed in the period"),
    "inhope_by_hosting_country": gettext_lazy("Illegal URLs by hosting country"),
    "inhope_by_site_type": gettext_lazy("Illegal URLs by site type"),
    "inhope_by_classification": gettext_lazy("Accessible URLs by classification"),
    "inhope_by_age_group": gettext_lazy("Illegal URLs by victim age group"),
    "dsa_article_22": gettext_lazy("Trusted flagger report (DSA Article 22): notices to platforms"),
    "dsa_by_hosting_provider": gettext_lazy("Notices to platforms by hosting provider"),
    "dsa_by_type_of_illegal_content": gettext_lazy(
        "Notices to platforms by type of illegal content"
    ),
    "dsa_by_content_type": gettext_lazy("Notices to platforms by content type"),
    "dsa_by_action_taken": gettext_lazy("Notices to platforms by action taken"),
    "image_matching": gettext_lazy("Image matching: scanned images against banks of known hashes"),
}
LABELS = {
    "reports_received": gettext_lazy("Reports received"),
    "urls": gettext_lazy("URLs reported (distinct)"),
    "webpages": gettext_lazy("Reports of web pages"),
    "social_media": gettext_lazy("Reports of social media"),
    "social_media_share_pct": gettext_lazy("Social media, % of reports"),
    "assessable": gettext_lazy("Assessable reports"),
    "illegal": gettext_lazy("Illegal reports"),
    "illegal_share_of_assessable_pct": gettext_lazy("Illegal, % of assessable"),
    "self_generated_reports": gettext_lazy("Illegal reports, self-generated"),
    "self_generated_share_pct": gettext_lazy("Self-generated, % of illegal"),
    "trusted_partner_flags": gettext_lazy("Critical flags to platforms"),
    "victim_support": gettext_lazy("Victims referred to case managers"),
    "sent_to_police": gettext_lazy("Sent to the police"),
    "median_hours_to_notice": gettext_lazy("Median hours from report to notice"),
    "median_hours_to_removal": gettext_lazy("Median hours from notice to removal"),
    "illegal_noticed": gettext_lazy("Illegal URLs with a notice"),
    "removed_within_3_days_pct": gettext_lazy("Removed within 3 days of the report, %"),
    "removed_within_7_days_pct": gettext_lazy("Removed within 7 days of the report, %"),
    "notices": gettext_lazy("Notices to platforms"),
    "critical": gettext_lazy("Marked critical"),
    "median_hours_to_decision": gettext_lazy("Median hours from notice to decision"),
    "pending": gettext_lazy("no decision yet"),
    "unknown": gettext_lazy("unknown"),
    **{str(value): label for value, label in NoticeKind.choices},
    **{str(value): label for value, label in Classification.choices},
    **{str(value): label for value, label in AgeGroup.choices},
    **{str(value): label for value, label in SiteType.choices},
    **{str(value): label for value, label in ContentType.choices},
    **{str(value): label for value, label in PlatformDecision.choices},
}


def default_period(today: date) -> tuple[date, date]:
    """The last complete calendar year: what the annual report covers."""
    return date(today.year - 1, 1, 1), date(today.year - 1, 12, 31)


def parse_period(params) -> tuple[date, date, list[str]]:
    """`from` and `to` (YYYY-MM-DD, both days included) from the query, the defaults for what
    is missing, and the errors found."""
    default_from, default_to = default_period(timezone.localdate())
    errors = []
    days = {}
    for name, default in (("from", default_from), ("to", default_to)):
        raw = (params.get(name) or "").strip()
        try:
            days[name] = date.fromisoformat(raw) if raw else default
        except ValueError:
            errors.append(_("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": raw[:20]})
            days[name] = default
    if not errors and days["from"] > days["to"]:
        errors.append(_("The period must not end before it starts."))
    return days["from"], days["to"], errors


def _display(value) -> str:
    if value is None:
        return "—"
    return str(value)


@login_required
@require_GET
def hotline(request: HttpRequest) -> HttpResponse:
    first, last, errors = parse_period(request.GET)
    start, end = local_days_bounds(first, last)
    export = request.GET.get("format", "")
    if errors:
        # Permission first: a refused user learns nothing, not even that a date was wrong; and
        # nothing is counted for a period that is not one.
        require_hotline_figures(request.user)
        sections = {}
    else:
        sections = hotline_figures_for_user(user=request.user, start=start, end=end)
    if export == "csv" and not errors:
        return _csv(sections, first, last)
    context = {
        "first": first,
        "last": last,
        "errors": errors,
        "tables": [
            {
                "key": key,
                "title": SECTIONS.get(key, key),
                "rows": [
                    (SECTION_LABELS.get(key, {}).get(k) or LABELS.get(k, k), _display(v))
                    for k, v in values.items()
                ],
            }
            for key, values in sections.items()
        ],
        "query": f"from={first.isoformat()}&to={last.isoformat()}",
    }
    if export == "pdf" and not errors:
        return _pdf(request, context, first, last)
    return render(request, "figures/hotline.html", context, status=400 if errors else 200)


def _filename(first: date, last: date, extension: str) -> str:
    return f"hotline-figures-{first.isoformat()}-{last.isoformat()}.{extension}"


def _csv(sections: dict[str, dict], first: date, last: date) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(first, last, "csv")}"'
    writer = csv.writer(response)
    writer.writerow(["section", "key", "value"])
    writer.writerow(["period", "from", first.isoformat()])
    writer.writerow(["period", "to", last.isoformat()])
    for section, values in sections.items():
        for key, value in values.items():
            writer.writerow([section, key, "" if value is None else value])
    return response


def _pdf(request: HttpRequest, context: dict, first: date, last: date) -> HttpResponse:
    # Imported here: WeasyPrint loads Pango when imported, which only the PDF needs.
    from weasyprint import HTML

    html = render_to_string("figures/hotline.html", {**context, "pdf": True}, request=request)
    # No base URL: the document uses no file or address, so WeasyPrint fetches nothing.
    document = HTML(string=html).write_pdf()
    response = HttpResponse(document, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(first, last, "pdf")}"'
    return response
