"""Figures at a glance for any period with a comparison period, and the drill-down from each
figure to the records behind it.

`glance`: every figure of the catalogue (beacon.figures.catalogue) for a period and a comparison
period, with the change between them (beacon.figures.report.fmt_change: a growth in percent,
or a difference in points for a share), and for a calendar year
the five-year evolution of the figures that can be counted per year. Every value links to its
drill-down.

`records`: the records behind one figure, filtered exactly as the figure counts them (the
figure's own `records`), so the list's length is the figure (`drill_down_count`). A reader of
figures sees numbers, dates and categories; who a record is about only for the records the
reader may open.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, F, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from beacon.alerts.models import ChannelStat, Recipient, SearchNotice
from beacon.cases.models import Case
from beacon.core.audit import audit
from beacon.core.models import AuditAction
from beacon.core.permissions import require
from beacon.figures.catalogue import catalogue
from beacon.figures.engine import (
    AnyFigure,
    Figure,
    Mean,
    Period,
    PeriodError,
    Share,
    Total,
    drill_down_count,
    drill_down_total,
    evaluate,
    evaluate_per_year,
)
from beacon.figures.report import fmt, fmt_change
from beacon.line.models import Call
from beacon.matching.models import ScanBatch
from beacon.reports.models import Notice, Report, ReportUrl

PERMISSION = "figures.view_figures"
# Rows (or groups of a distinct figure) per page of a drill-down.
PAGE_SIZE = 200
# How many years the evolution table of a year shows (the year and the four before).
EVOLUTION_YEARS = 5

SECTION_TITLES = {
    "hotline_calls": gettext_lazy("The 116 000 line"),
    "disappearances_new_cases": gettext_lazy("Disappearances: new case files"),
    "sexual_exploitation_new_cases": gettext_lazy("Sexual exploitation: new case files"),
    "case_details": gettext_lazy("Details per category"),
    "abuse_image_hotline": gettext_lazy("Civil hotline"),
    "search_campaigns": gettext_lazy("Search campaigns"),
    "network": gettext_lazy("Network"),
    "prevention": gettext_lazy("Prevention"),
    "funding": gettext_lazy("Funding"),
}


class BadPeriod(ValueError):
    """Query parameters that do not make a period (the message says why)."""


def default_period(today: date) -> Period:
    """The last complete calendar year: what the annual report covers."""
    return Period.year(today.year - 1)


def _day(params, name: str) -> date | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise BadPeriod(
            _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": raw[:20]}
        ) from None


def _period(first: date, last: date) -> Period:
    try:
        return Period(first, last)
    except PeriodError as error:
        raise BadPeriod(str(error)) from None


def parse_periods(params) -> tuple[Period, Period]:
    """The period (`from`, `to`; default the last complete calendar year) and the comparison
    period (`compare_from`, `compare_to`; default the period just before) of the query;
    BadPeriod for dates that are not dates or do not make a period."""
    first, last = _day(params, "from"), _day(params, "to")
    default = default_period(timezone.localdate())
    if first is None and last is None:
        period = default
    elif first is None or last is None:
        raise BadPeriod(_("Give both the first and the last day of the period."))
    else:
        period = _period(first, last)
    compare_first, compare_last = _day(params, "compare_from"), _day(params, "compare_to")
    if compare_first is None and compare_last is None:
        return period, period.previous()
    if compare_first is None or compare_last is None:
        raise BadPeriod(_("Give both the first and the last day of the comparison period."))
    return period, _period(compare_first, compare_last)


def _query(period: Period) -> str:
    return f"from={period.first.isoformat()}&to={period.last.isoformat()}"


def _bad_request(request: HttpRequest, template: str, message: str) -> HttpResponse:
    return render(request, template, {"error": message}, status=400)


def display(value: Any, kind: str = "count") -> str:
    """A figure's value as the page shows it, grouped the way the reader's language writes
    numbers (as the report does)."""
    return fmt(value, pct=kind == "share")


def _is_count(figure: AnyFigure) -> bool:
    return isinstance(figure, Figure)


@login_required
@require_GET
def glance(request: HttpRequest) -> HttpResponse:
    # Permission first: a refused user learns nothing, not even that a date was wrong.
    require(request.user, PERMISSION)
    try:
        period, compare = parse_periods(request.GET)
    except BadPeriod as error:
        return _bad_request(request, "figures/glance.html", str(error))
    figures = catalogue()
    values = evaluate(figures.values(), period)
    previous = evaluate(figures.values(), compare)
    sections: dict[str, dict[str, Any]] = {}
    for key, figure in figures.items():
        section = key.split(".", 1)[0]
        sections.setdefault(
            section, {"key": section, "title": SECTION_TITLES.get(section, section), "rows": []}
        )["rows"].append(
            {
                "key": key,
                "label": figure.label,
                "value": display(values[key], figure.kind),
                "previous": display(previous[key], figure.kind),
                "growth": fmt_change(figure.kind, values[key], previous[key]),
            }
        )
    empty = not any(values[k] for k, f in figures.items() if _is_count(f))
    evolution = None
    if period.is_year:
        evolution = _evolution(figures, period.first.year)
    context = {
        "period": period,
        "compare": compare,
        "query": _query(period),
        "compare_query": _query(compare),
        "sections": list(sections.values()),
        "empty": empty,
        "evolution": evolution,
    }
    return render(request, "figures/glance.html", context)


def _evolution(figures: dict[str, AnyFigure], year: int) -> dict[str, Any]:
    """The five-year table of a year: the per-year figures from year-4 to year, each year's
    value linking to its drill-down, and the growth of the last year against the one before."""
    per_year = [f for f in figures.values() if f.per_year]
    first = year - EVOLUTION_YEARS + 1
    values = evaluate_per_year(per_year, first, year)
    years = [str(y) for y in range(first, year + 1)]
    rows = []
    for figure in per_year:
        by_year = values[figure.key]
        rows.append(
            {
                "key": figure.key,
                "label": figure.label,
                "cells": [
                    (display(by_year[y], figure.kind), _query(Period.year(int(y)))) for y in years
                ],
                "growth": fmt_change(figure.kind, by_year[years[-1]], by_year[years[-2]]),
            }
        )
    return {"years": years, "rows": rows}


# --- the drill-down ------------------------------------------------------------------------


def _counted(figure: AnyFigure) -> AnyFigure:
    return figure.part if isinstance(figure, Share) else figure


def _case_rows(user, cases: list[Case]) -> list[dict[str, Any]]:
    openable = Case.objects.openable_ids(user, [c.pk for c in cases])
    return [
        {
            "number": case.number,
            "date": timezone.localtime(case.opened_at),
            "category": case.category.name,
            "subkind": case.subkind.name if case.subkind else "",
            "outcome": case.get_outcome_display(),
            # Who the case is about only for a reader who may open it.
            "name": case.person.full_name if case.pk in openable else "",
            "pk": case.pk if case.pk in openable else None,
        }
        for case in cases
    ]


def _call_rows(calls: list[Call]) -> list[dict[str, Any]]:
    return [
        {
            "number": f"#{call.pk}",
            "date": timezone.localtime(call.started_at),
            "category": call.get_channel_display(),
        }
        for call in calls
    ]


def _hotline_rows(records: list) -> list[dict[str, Any]]:
    """Reports, the URLs they name, notices: numbers, dates and kinds, never a URL."""
    rows = []
    for record in records:
        if isinstance(record, Report):
            row = {"number": record.number, "category": record.get_where_seen_display()}
            when = record.received_at
        elif isinstance(record, ReportUrl):
            row = {"number": record.report.number}
            when = record.report.received_at
        else:
            assert isinstance(record, Notice)
            row = {"number": record.reference, "category": record.get_kind_display()}
            when = record.created_at
        rows.append({**row, "date": timezone.localtime(when)})
    return rows


def _campaign_rows(figure: AnyFigure, records: list) -> list[dict[str, Any]]:
    """Search notices, the partners they reached, their network figures: the notice's public
    reference, when it was published and what the record is; never who the notice is about."""
    rows = []
    for record in records:
        row: dict[str, Any]
        if isinstance(record, SearchNotice):
            notice = record
            row = {"category": notice.get_kind_display(), "outcome": notice.get_status_display()}
        elif isinstance(record, Recipient):
            notice = record.notice
            partner = record.partner
            row = {
                "category": partner.get_kind_display() if partner else record.get_kind_display(),
                "subkind": partner.name if partner else "",
            }
        else:
            assert isinstance(record, ChannelStat)
            notice = record.notice
            row = {"category": record.get_network_display()}
        row.update(number=notice.public_id, date=timezone.localtime(notice.published_at))
        rows.append(row)
    return rows


def _rows(user, figure: AnyFigure, records: list) -> list[dict[str, Any]]:
    model = figure.source.queryset().model
    if model in (SearchNotice, Recipient, ChannelStat):
        return _campaign_rows(figure, records)
    if model is Case:
        return _case_rows(user, records)
    if model is Call:
        return _call_rows(records)
    if model in (Report, ReportUrl, Notice):
        return _hotline_rows(records)
    date_field = figure.source.date_field
    # A calendar day (trainings, volunteers joining) has no time to show.
    when = "day" if figure.source.days else "date"
    rows = [{"number": f"#{r.pk}", when: getattr(r, date_field, None)} for r in records]
    if model is ScanBatch:
        for row, batch in zip(rows, records, strict=True):
            row["category"] = batch.get_source_display()
    return rows


def _measured(figure: AnyFigure) -> str:
    """The field a figure adds up (a total) or averages (a mean): each row of its drill-down
    shows its value, so the reader can redo the sum."""
    return figure.field_name if isinstance(figure, Total | Mean) else ""


def _rows_with_values(user, figure: AnyFigure, records: list) -> list[dict[str, Any]]:
    rows = _rows(user, figure, records)
    if _measured(figure):
        for row, record in zip(rows, records, strict=True):
            row["amount"] = record.figure_value or 0
    return rows


def _ordered(figure: AnyFigure, queryset):
    model = queryset.model
    if model is Case:
        queryset = queryset.select_related("category", "subkind", "person")
    if model is ReportUrl:
        queryset = queryset.select_related("report")
    if model is Recipient:
        queryset = queryset.select_related("notice", "partner")
    if model is ChannelStat:
        queryset = queryset.select_related("notice")
    return queryset.order_by(figure.source.date_field, "pk")


@login_required
@require_GET
def records(request: HttpRequest, key: str) -> HttpResponse:
    require(request.user, PERMISSION)
    figure = catalogue().get(key)
    if figure is None:
        raise Http404(key)
    try:
        period, _compare = parse_periods(request.GET)
    except BadPeriod as error:
        return _bad_request(request, "figures/records.html", str(error))
    start, end = period.bounds
    queryset = figure.records(start, end)
    if _measured(figure):
        queryset = queryset.annotate(figure_value=F(_measured(figure)))
    counted = _counted(figure)
    total = drill_down_count(figure, period)
    whole = drill_down_count(figure.whole, period) if isinstance(figure, Share) else None
    # A total: the sum of its field over the records listed, which is the figure.
    summed = drill_down_total(figure, period) if isinstance(figure, Total) else None
    if isinstance(figure, Mean):
        # A mean: the sum of the listed values, divided by how many are listed.
        summed = queryset.aggregate(sum=Sum("figure_value"))["sum"] or 0
    distinct = counted.distinct if isinstance(counted, Figure) else ""
    page_number = request.GET.get("page") or 1
    groups: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []
    if distinct:
        # One entry per distinct value (e.g. child), with the records that make it count.
        grouped = queryset.values(distinct).annotate(records=Count("pk")).order_by(distinct)
        page = Paginator(grouped, PAGE_SIZE).get_page(page_number)
        values = [g[distinct] for g in page.object_list]
        members = list(_ordered(figure, queryset.filter(**{f"{distinct}__in": values})))
        rows_of: dict[Any, list[dict[str, Any]]] = {}
        for row, record in zip(
            _rows_with_values(request.user, figure, members), members, strict=True
        ):
            value = getattr(record, f"{distinct}_id", getattr(record, distinct, None))
            rows_of.setdefault(value, []).append(row)
        groups = [
            {
                "value": group[distinct],
                "count": group["records"],
                "rows": rows_of.get(group[distinct], []),
            }
            for group in page.object_list
        ]
    else:
        page = Paginator(_ordered(figure, queryset), PAGE_SIZE).get_page(page_number)
        rows = _rows_with_values(request.user, figure, list(page.object_list))
    audit(
        actor=request.user,
        action=AuditAction.VIEW,
        object_type="figures.records",
        object_id=key[:64],
        fields=[
            f"from={period.first.isoformat()}",
            f"to={period.last.isoformat()}",
            f"page={page.number}",
        ],
    )
    context = {
        "figure": figure,
        "key": key,
        "period": period,
        "query": _query(period),
        "total": total,
        "whole": whole,
        "summed": summed,
        "summed_text": None if summed is None else fmt(summed),
        "measured": bool(_measured(figure)),
        "distinct": distinct,
        "groups": groups,
        "rows": rows,
        "page": page,
        "value": display(evaluate([figure], period)[key], figure.kind),
        "is_mean": isinstance(figure, Mean),
    }
    return render(request, "figures/records.html", context)
