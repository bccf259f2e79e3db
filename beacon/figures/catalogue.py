"""The catalogue of the report's figures: every figure Beacon computes with a drill-down, defined
once (see beacon.figures.engine for what a definition gives).

Each area's figures are listed by a function here or in the area's figures module; `catalogue()`
gathers them (the per-category figures follow the categories, which are data, so the catalogue
is built when asked, in the active language). `figure(key)` finds one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.db.models import F, Q
from django.db.models.expressions import CombinedExpression
from django.utils.translation import gettext_lazy as _

from beacon.cases.choices import Mission
from beacon.cases.models import Case, Category
from beacon.figures import (
    campaigns,
    details,
    details_2021,
    exploitation,
    funding,
    hotline,
    matching,
    network,
    prevention,
)
from beacon.figures.ages import aged
from beacon.figures.engine import AnyFigure, Figure, Mean, Share, Source, other_case_in_period
from beacon.line.models import NIGHT_ENDS, NIGHT_STARTS, Call

# --- sources -----------------------------------------------------------------------------------


def _missing_cases():
    return Case.objects.filter(mission=Mission.MISSING)


def _exploitation_cases():
    return Case.objects.filter(mission=Mission.EXPLOITATION)


def _calls_116000():
    return Call.objects.on_116000().with_local_hour()


MISSING_CASES = Source(
    key="missing_cases",
    label=_("Missing-children case files, by the moment they were opened"),
    queryset=_missing_cases,
    date_field="opened_at",
    detail_permission="cases.view_missing_case",
)
EXPLOITATION_CASES = Source(
    key="exploitation_cases",
    label=_("Sexual-exploitation case files, by the moment they were opened"),
    queryset=_exploitation_cases,
    date_field="opened_at",
    detail_permission="cases.view_exploitation_case",
)
CALLS_116000 = Source(
    key="calls_116000",
    label=_("Calls to 116 000, by the moment they started"),
    queryset=_calls_116000,
    date_field="started_at",
    detail_permission="line.view_call",
)


# --- the line ---------------------------------------------------------------------------------


def line_figures() -> list[AnyFigure]:
    return [
        Figure(
            key="hotline_calls.116000_calls",
            label=_("Calls to 116 000"),
            definition=_(
                "Contacts on the 116 000 line (its free number and the number that reaches it "
                "from abroad) that started in the period. Tips on 116 800, chats, e-mails and "
                "walk-ins are not calls to 116 000."
            ),
            source=CALLS_116000,
        ),
        Figure(
            key="hotline_calls.116000_calls_at_night_23h_to_7h",
            label=_("of which at night (23:00–7:00)"),
            definition=_(
                "Of the calls to 116 000, those that started from 23:00 up to (not including) "
                "07:00 in the organisation's time zone, summer time included."
            ),
            source=CALLS_116000,
            where=Q(local_hour__gte=NIGHT_STARTS) | Q(local_hour__lt=NIGHT_ENDS),
        ),
    ]


# --- new case files per category ---------------------------------------------------------------


def new_case_figures(categories: Iterable[Category] | None = None) -> list[AnyFigure]:
    """New case files of both missions per category figure key, and their totals. A figure key
    shared by several categories (a renamed one) counts them together. `categories`: the
    categories already read (default: read them)."""
    if categories is None:
        categories = Category.objects.order_by("-mission", "position", "key")
    figures: list[AnyFigure] = []
    seen: set[tuple[str, str]] = set()
    sections: dict[str, tuple[str, Source]] = {
        Mission.MISSING: ("disappearances_new_cases", MISSING_CASES),
        Mission.EXPLOITATION: ("sexual_exploitation_new_cases", EXPLOITATION_CASES),
    }
    for category in categories:
        section, source = sections[category.mission]
        if (category.mission, category.figure_key) in seen:
            continue
        seen.add((category.mission, category.figure_key))
        figures.append(
            Figure(
                key=f"{section}.{category.figure_key}",
                label=category.name,
                definition=_(
                    "New case files of the category opened in the period (local time), "
                    "whatever became of them since."
                ),
                source=source,
                where=Q(category__figure_key=category.figure_key),
            )
        )
    figures += [
        Figure(
            key="disappearances_new_cases.total",
            label=_("Disappearances: new case files"),
            definition=_(
                "Every missing-child case file opened in the period, whatever its category."
            ),
            source=MISSING_CASES,
        ),
        Figure(
            key="disappearances_new_cases.total_worrying",
            label=_("of which worrying"),
            definition=_(
                "Of the new missing-child case files, those assessed worrying now: at least one "
                "of the six criteria holds in their latest assessment."
            ),
            source=MISSING_CASES,
            where=Q(worrying=True),
        ),
        Figure(
            key="sexual_exploitation_new_cases.total_excluding_abuse_image_reports",
            label=_("Sexual exploitation: new case files"),
            definition=_(
                "Every sexual-exploitation case file opened in the period (child prostitution, "
                "sexting without consent, sextortion, grooming), as the 2025 report counts "
                "them: without the civil hotline's reports."
            ),
            source=EXPLOITATION_CASES,
        ),
    ]
    return figures


# --- runaways ----------------------------------------------------------------------------------

RUNAWAY = Q(category__figure_key="runaway")


def _last_seen_plus(delta: timedelta) -> CombinedExpression:
    return F("last_seen_at") + delta


def _found_within(delta: timedelta) -> Q:
    return RUNAWAY & Q(found_at__isnull=False, found_at__lte=_last_seen_plus(delta))


def _repeat(start: datetime, end: datetime) -> Q:
    return other_case_in_period(RUNAWAY)(start, end)


def runaway_figures() -> list[AnyFigure]:
    reports = Figure(
        key="case_details.runaway.reports",
        label=_("Runaways: reports"),
        definition=_("New runaway case files opened in the period."),
        source=MISSING_CASES,
        where=RUNAWAY,
    )
    children = Figure(
        key="case_details.runaway.children",
        label=_("Runaways: children"),
        definition=_("Distinct children with at least one runaway case file opened in the period."),
        source=MISSING_CASES,
        where=RUNAWAY,
        distinct="person",
    )
    repeat = Figure(
        key="case_details.runaway.children_repeat",
        label=_("Children who ran away more than once"),
        definition=_(
            "Distinct children with more than one runaway case file opened in the period."
        ),
        source=MISSING_CASES,
        where=_repeat,
        distinct="person",
    )
    girls = Figure(
        key="case_details.runaway.girls",
        label=_("Runaway reports about girls"),
        definition=_("Runaway reports of the period about a child recorded as female."),
        source=MISSING_CASES,
        where=RUNAWAY & Q(person__gender="female"),
    )
    institution = RUNAWAY & Q(person__in_institution=True)
    children_in_institution = Figure(
        key="case_details.runaway.children_in_institution",
        label=_("Runaway children living in an institution"),
        definition=_(
            "Of the runaway children of the period, those who live in an institution (as "
            "their person record says)."
        ),
        source=MISSING_CASES,
        where=institution,
        distinct="person",
    )
    reports_from_institution = Figure(
        key="case_details.runaway.reports_from_institution_children",
        label=_("Runaway reports about children in an institution"),
        definition=_("Runaway reports of the period about a child who lives in an institution."),
        source=MISSING_CASES,
        where=institution,
    )
    within_48h = Figure(
        key="case_details.runaway.found_within_48h",
        label=_("Runaways found within 48 hours"),
        definition=_(
            "Runaway reports of the period whose child was found within 48 hours of being "
            "last seen (a case still open counts in none of the found figures)."
        ),
        source=MISSING_CASES,
        where=_found_within(timedelta(hours=48)),
    )
    within_week = Figure(
        key="case_details.runaway.found_within_week",
        label=_("Runaways found within a week"),
        definition=_(
            "Runaway reports of the period whose child was found within 7 days of being last seen."
        ),
        source=MISSING_CASES,
        where=_found_within(timedelta(days=7)),
    )
    over_month = Figure(
        key="case_details.runaway.longer_than_month",
        label=_("Runaways missing longer than a month"),
        definition=_(
            "Runaway reports of the period whose child was found more than 30 days after "
            "being last seen."
        ),
        source=MISSING_CASES,
        where=RUNAWAY & Q(found_at__gt=_last_seen_plus(timedelta(days=30))),
    )

    # Age bands at disappearance (beacon.figures.ages), per report: a child who ran away twice
    # counts at the age of each time. A report of unknown age is in no band but in the reports.
    def band(key, label, low, high, definition):
        return Figure(
            key=f"case_details.runaway.{key}",
            label=label,
            definition=definition,
            source=MISSING_CASES,
            where=RUNAWAY & aged(low, high),
        )

    under_13 = band(
        "under_13",
        _("Runaway reports: children under 13"),
        None,
        13,
        _(
            "Runaway reports of the period whose child was under 13 on the day last seen (local "
            "time); a child of unknown age is in no age band."
        ),
    )
    age_13_15 = band(
        "age_13_15",
        _("Runaway reports: children aged 13–15"),
        13,
        16,
        _(
            "Runaway reports of the period whose child was 13, 14 or 15 on the day last seen "
            "(local time); a child of unknown age is in no age band."
        ),
    )
    age_16_17 = band(
        "age_16_17",
        _("Runaway reports: children aged 16–17"),
        16,
        18,
        _(
            "Runaway reports of the period whose child was 16 or 17 on the day last seen (local "
            "time); a child of unknown age is in no age band."
        ),
    )

    def share(key, label, part, whole, definition):
        return Share(
            key=f"case_details.runaway.{key}",
            label=label,
            definition=definition,
            part=part,
            whole=whole,
        )

    return [
        reports,
        children,
        repeat,
        share(
            "children_repeat_pct",
            _("Share of runaway children who ran away more than once"),
            repeat,
            children,
            _("Children who ran away more than once, as a percentage of the runaway children."),
        ),
        share(
            "girls_pct_of_reports",
            # xgettext:no-python-format
            _("Girls, % of runaway reports"),
            girls,
            reports,
            _("Runaway reports about girls, as a percentage of the runaway reports."),
        ),
        share(
            "children_in_institution_pct",
            # xgettext:no-python-format
            _("Children in an institution, % of runaway children"),
            children_in_institution,
            children,
            _("Runaway children living in an institution, as a percentage of the children."),
        ),
        share(
            "reports_from_institution_children_pct",
            # xgettext:no-python-format
            _("Reports about children in an institution, % of runaway reports"),
            reports_from_institution,
            reports,
            _("Runaway reports about children in an institution, as a percentage of reports."),
        ),
        share(
            "found_within_48h_pct",
            # xgettext:no-python-format
            _("Found within 48 hours, % of runaway reports"),
            within_48h,
            reports,
            _("Runaway reports found within 48 hours, as a percentage of the reports."),
        ),
        share(
            "found_within_week_pct",
            # xgettext:no-python-format
            _("Found within a week, % of runaway reports"),
            within_week,
            reports,
            _("Runaway reports found within 7 days, as a percentage of the reports."),
        ),
        share(
            "longer_than_month_pct",
            # xgettext:no-python-format
            _("Missing longer than a month, % of runaway reports"),
            over_month,
            reports,
            _("Runaway reports found after more than 30 days, as a percentage of the reports."),
        ),
        under_13,
        age_13_15,
        age_16_17,
        share(
            "under_13_pct",
            # xgettext:no-python-format
            _("Under 13, % of runaway reports"),
            under_13,
            reports,
            _("Runaway reports about a child under 13, as a percentage of the reports."),
        ),
        share(
            "age_13_15_pct",
            # xgettext:no-python-format
            _("Aged 13–15, % of runaway reports"),
            age_13_15,
            reports,
            _("Runaway reports about a child aged 13 to 15, as a percentage of the reports."),
        ),
        share(
            "age_16_17_pct",
            # xgettext:no-python-format
            _("Aged 16–17, % of runaway reports"),
            age_16_17,
            reports,
            _("Runaway reports about a child aged 16 or 17, as a percentage of the reports."),
        ),
    ]


# --- the catalogue -----------------------------------------------------------------------------

# Functions returning an area's figures; an area adds its own here (CONTRIBUTING.md: "how to
# add a figure").
AREAS: list[Callable[[], list[AnyFigure]]] = [
    line_figures,
    new_case_figures,
    runaway_figures,
    details.details_figures,
    details_2021.catalogue_figures,
    exploitation.catalogue_figures,
    hotline.catalogue_figures,
    matching.catalogue_figures,
    campaigns.catalogue_figures,
    prevention.catalogue_figures,
    network.catalogue_figures,
    funding.catalogue_figures,
]


def catalogue() -> dict[str, AnyFigure]:
    """Every figure with a drill-down, by key, in the order of the report."""
    figures: dict[str, AnyFigure] = {}
    for area in AREAS:
        for figure in area():
            figures[figure.key] = figure
    return figures


def figure(key: str) -> AnyFigure:
    """The figure of `key`; KeyError for none."""
    return catalogue()[key]


__all__ = ["Mean", "catalogue", "figure"]
