"""The per-category details the 2021 report gives for the 2021 taxonomy (international parental
abduction, abduction by a third party, unaccompanied minors and undefined disappearances as
counted then: case files handled in the year, new and carried over), each a figure of the
catalogue.

"Handled in a period" (`HandledSource`) is a case file open at some moment of it: opened before
the period ended and not closed before it started (a file closed at the very instant the period
starts was handled in the period before). Of those, the new ones were opened in the period and
the carried-over ones before it; which is which depends on the period, so these figures are
counted period by period, never grouped by year (`HandledFigure.per_year` is False).

International parental abductions, as the report words them:

- children involved, girls, boys, of unknown gender: the totals of the files' facts
  (beacon.cases.models.AbductionFacts) over the files handled;
- the abducting parent (mother, father): "in 54% of the effective abductions reported in 2021":
  a share of the effective files opened in the period;
- the destination ("65% of all effective abductions happened within the EU, of which 8% to
  Belgium; almost 20% to an African country, ..."): shares of the effective files handled in the
  period; "to Belgium" is an inbound file (`Case.direction`), and counts in the EU too;
- closed ("73 files could be closed (26%)"): effective files handled in the period and closed in
  it (at the latest at its last instant), and their share of the effective files handled (73 of 276);
- an active role in the return ("in over 12% of the solved files"): a share of those closed.

Undefined disappearances (new files of the period, by sub-kind): young adults; young children
(the sub-kind "lost child"); adults with limited self-reliance (sub-kind "other", 18 or older at
disappearance: the organisation takes an adult's disappearance only when they are under
guardianship); custody arrangements not respected with a worrying element (sub-kind "other", a
minor, assessed worrying).

`section_2021(period)` gives them in the published nesting (`case_details_<year>`), with the
closed share of the two years before and the unaccompanied minors' files of the year before under
the report's names (`closed_pct_2020`, `handled_2020`, ...); `add_section_2021(details, period)`
merges them into the other details of the year.
Not computed: the report's words ("1 in 5", "over 80").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from beacon.cases.choices import Abductor, DestinationRegion, Direction, Mission
from beacon.cases.models import Case
from beacon.figures.ages import aged
from beacon.figures.engine import AnyFigure, Figure, Period, Share, Source, Total, evaluate

PREFIX = "case_details."

RUNAWAY = Q(category__figure_key="runaway")
ABDUCTION = Q(category__figure_key="legacy_international_parental_abduction")
EFFECTIVE = ABDUCTION & Q(subkind__key="effective")
PREVENTIVE = ABDUCTION & Q(subkind__key="preventive")
THIRD_PARTY = Q(category__figure_key="legacy_abduction_by_third_party")
UNACCOMPANIED = Q(category__figure_key="unaccompanied_minor")
UNDEFINED = Q(category__figure_key="undefined_and_other")


@dataclass(frozen=True)
class HandledSource(Source):
    """Case files handled in a period: opened before it ended (`date_field`) and not closed
    before it started (`closed_field` empty or after its first instant)."""

    closed_field: str = "closed_at"

    def in_period(self, start: datetime, end: datetime) -> QuerySet:
        # A file opened in the period is handled in it even when its closing moment comes
        # before its opening (a child found before the report was written down): new files
        # are always among the handled.
        still_open = (
            Q(**{f"{self.closed_field}__isnull": True})
            | Q(**{f"{self.closed_field}__gt": start})
            | Q(**{f"{self.date_field}__gte": start})
        )
        return self.queryset().filter(still_open, **{f"{self.date_field}__lt": end})


@dataclass(frozen=True)
class HandledFigure(Figure):
    """A figure of a HandledSource: counted period by period, never grouped by year."""

    per_year = False  # type: ignore[assignment]


@dataclass(frozen=True)
class HandledTotal(Total):
    """A total over a HandledSource: counted period by period, never grouped by year."""

    per_year = False  # type: ignore[assignment]


def _missing_cases():
    return Case.objects.filter(mission=Mission.MISSING)


HANDLED_CASES = HandledSource(
    key="handled_missing_cases",
    label=_("Missing-children case files handled in the period (open at some moment of it)"),
    queryset=_missing_cases,
    date_field="opened_at",
    closed_field="closed_at",
    detail_permission="cases.view_missing_case",
)


def _new(start: datetime, end: datetime) -> Q:
    return Q(opened_at__gte=start)


def _carried_over(start: datetime, end: datetime) -> Q:
    return Q(opened_at__lt=start)


def _closed(start: datetime, end: datetime) -> Q:
    # A file closed at the very instant the period ends was open in it and closed by its end
    # (and not handled in the next period): closed in this one.
    return Q(closed_at__lte=end)


def _and(where, condition):
    """`where` (a Q) and `condition` (a Q or a function of the period)."""
    if callable(condition):
        return lambda start, end: where & condition(start, end)
    return where & condition


def _handled(key: str, label, definition, where) -> HandledFigure:
    return HandledFigure(
        key=f"{PREFIX}{key}",
        label=label,
        definition=definition,
        source=HANDLED_CASES,
        where=where,
    )


def _total(key: str, label, definition, field_name: str) -> HandledTotal:
    return HandledTotal(
        key=f"{PREFIX}{key}",
        label=label,
        definition=definition,
        source=HANDLED_CASES,
        field_name=field_name,
        where=ABDUCTION,
    )


def _share(key: str, label, definition, part: Figure, whole: Figure) -> Share:
    return Share(key=f"{PREFIX}{key}", label=label, definition=definition, part=part, whole=whole)


def _new_case(key: str, label, definition, where: Q) -> Figure:
    from beacon.figures.catalogue import MISSING_CASES

    return Figure(
        key=f"{PREFIX}{key}", label=label, definition=definition, source=MISSING_CASES, where=where
    )


def handled_figures(group: str, where: Q, name) -> list[AnyFigure]:
    """`handled` and `new` of a category, in the 2021 report's sense."""
    return [
        _handled(
            f"{group}.handled",
            _("%(category)s: case files handled") % {"category": name},
            _(
                "Case files of the category open at some moment of the period: opened before it "
                "ended and not closed before it started (new and carried over)."
            ),
            where,
        ),
        _handled(
            f"{group}.new",
            _("%(category)s: new case files") % {"category": name},
            _("Of the case files of the category handled in the period, those opened in it."),
            _and(where, _new),
        ),
    ]


def abduction_figures() -> list[AnyFigure]:
    group = "international_parental_abduction"
    handled, new = handled_figures(group, ABDUCTION, _("International parental abductions"))
    assert isinstance(handled, Figure) and isinstance(new, Figure)
    effective = _handled(
        f"{group}.handled_effective",
        _("of which effective abductions"),
        _("International parental abduction files handled in the period, sub-kind 'effective'."),
        EFFECTIVE,
    )
    new_effective = _handled(
        f"{group}.new_effective",
        _("New effective abductions"),
        _("Effective international parental abduction files opened in the period."),
        _and(EFFECTIVE, _new),
    )
    closed = _handled(
        f"{group}.closed",
        _("Effective abduction files closed"),
        _(
            "Effective international parental abduction files handled in the period and closed in it."
        ),
        _and(EFFECTIVE, _closed),
    )
    active_role = _handled(
        f"{group}.closed_with_active_role",
        _("Closed effective abduction files with an active role in the return"),
        _(
            "Of the effective abduction files closed in the period, those whose facts say the "
            "organisation played an active role in bringing the children back."
        ),
        _and(EFFECTIVE & Q(abduction__active_role_in_return=True), _closed),
    )

    def abductor(value: str, label) -> Share:
        return _share(
            f"{group}.abductor_{value}_pct",
            label,
            _(
                "New effective international parental abduction files (opened in the period) "
                "whose facts name this parent as the abductor, as a percentage of the new "
                "effective files (those without the fact included)."
            ),
            _handled(
                f"{group}.abductor_{value}",
                label,
                _("New effective abduction files whose facts name this parent as the abductor."),
                _and(EFFECTIVE & Q(abduction__abductor=value), _new),
            ),
            new_effective,
        )

    def destination(key: str, label, where: Q) -> Share:
        return _share(
            f"{group}.{key}_pct",
            label,
            _(
                "Effective international parental abduction files handled in the period whose "
                "children were taken there, as a percentage of the effective files handled "
                "(those without the fact included). To Belgium: files from abroad into the "
                "country (direction 'inbound'), which count within the EU as well."
            ),
            _handled(
                f"{group}.{key}",
                label,
                _(
                    "Effective abduction files handled in the period whose children were taken there."
                ),
                EFFECTIVE & where,
            ),
            effective,
        )

    def children(key: str, label, field_name: str) -> HandledTotal:
        return _total(
            f"{group}.{key}",
            label,
            _(
                "The total, over the international parental abduction files handled in the "
                "period, of the children each file's facts record (a file without facts adds "
                "none)."
            ),
            field_name,
        )

    return [
        handled,
        effective,
        _handled(
            f"{group}.handled_preventive",
            _("of which preventive files"),
            _(
                "International parental abduction files handled in the period, sub-kind 'preventive'."
            ),
            PREVENTIVE,
        ),
        children("children_involved", _("Children involved"), "abduction__children"),
        children("girls", _("of whom girls"), "abduction__girls"),
        children("boys", _("of whom boys"), "abduction__boys"),
        children("gender_unknown", _("of whom of unknown gender"), "abduction__gender_unknown"),
        new,
        _handled(
            f"{group}.carried_over",
            _("Carried-over abduction files"),
            _(
                "International parental abduction files handled in the period that were opened "
                "before it (still open when it started)."
            ),
            _and(ABDUCTION, _carried_over),
        ),
        new_effective,
        _handled(
            f"{group}.new_preventive",
            _("New preventive files"),
            _("Preventive international parental abduction files opened in the period."),
            _and(PREVENTIVE, _new),
        ),
        # xgettext:no-python-format
        abductor(Abductor.MOTHER.value, _("Abducted by the mother, % of new effective abductions")),
        # xgettext:no-python-format
        abductor(Abductor.FATHER.value, _("Abducted by the father, % of new effective abductions")),
        destination(
            "within_eu",
            # xgettext:no-python-format
            _("Within the EU, % of effective abductions handled"),
            Q(abduction__destination_region=DestinationRegion.EU),
        ),
        destination(
            "to_belgium",
            # xgettext:no-python-format
            _("To Belgium, % of effective abductions handled"),
            Q(direction=Direction.INBOUND),
        ),
        destination(
            "africa",
            # xgettext:no-python-format
            _("To Africa, % of effective abductions handled"),
            Q(abduction__destination_region=DestinationRegion.AFRICA),
        ),
        destination(
            "asia",
            # xgettext:no-python-format
            _("To Asia, % of effective abductions handled"),
            Q(abduction__destination_region=DestinationRegion.ASIA),
        ),
        destination(
            "americas",
            # xgettext:no-python-format
            _("To the Americas, % of effective abductions handled"),
            Q(abduction__destination_region=DestinationRegion.AMERICAS),
        ),
        closed,
        _share(
            f"{group}.closed_pct",
            # xgettext:no-python-format
            _("Effective abduction files closed, % of those handled"),
            _(
                "Effective international parental abduction files closed in the period, as a "
                "percentage of the effective files handled in it."
            ),
            closed,
            effective,
        ),
        _share(
            f"{group}.active_role_in_return_pct",
            # xgettext:no-python-format
            _("Active role in the return, % of the closed effective files"),
            _(
                "Closed effective abduction files in which the organisation played an active role "
                "in bringing the children back, as a percentage of the effective files closed in "
                "the period."
            ),
            active_role,
            closed,
        ),
    ]


def undefined_figures() -> list[AnyFigure]:
    group = "undefined"
    other = UNDEFINED & Q(subkind__key="other")
    return [
        _new_case(
            f"{group}.young_adults",
            _("Undefined disappearances of young adults"),
            _("New undefined disappearance files of the period, sub-kind 'young adult'."),
            UNDEFINED & Q(subkind__key="young_adult"),
        ),
        _new_case(
            f"{group}.young_children",
            _("Undefined disappearances of (mostly young) children"),
            _("New undefined disappearance files of the period, sub-kind 'lost child'."),
            UNDEFINED & Q(subkind__key="lost_child"),
        ),
        _new_case(
            f"{group}.adults_limited_self_reliance",
            _("Adults with limited self-reliance"),
            _(
                "New undefined disappearance files of the period, sub-kind 'other', about a "
                "person 18 or older on the day last seen (an adult's disappearance is taken on "
                "only when they lack self-reliance, under guardianship)."
            ),
            other & aged(low=18),
        ),
        _new_case(
            f"{group}.custody_non_respect_worrying",
            _("Custody arrangement not respected, worrying"),
            _(
                "New undefined disappearance files of the period, sub-kind 'other', about a "
                "minor on the day last seen, assessed worrying (a custody arrangement not "
                "respected with a worrying element)."
            ),
            other & aged(high=18) & Q(worrying=True),
        ),
    ]


def catalogue_figures() -> list[AnyFigure]:
    """This section's figures in the catalogue (beacon.figures.catalogue), with drill-downs."""
    return [
        _handled(
            "runaway.handled",
            _("Runaways: case files handled"),
            _(
                "Runaway case files open at some moment of the period: opened before it ended "
                "and not closed before it started (new and carried over)."
            ),
            RUNAWAY,
        ),
        *abduction_figures(),
        *undefined_figures(),
        *handled_figures("unaccompanied_minor", UNACCOMPANIED, _("Unaccompanied minors")),
        *handled_figures("abduction_by_third_party", THIRD_PARTY, _("Abductions by a third party")),
    ]


# Figures counted only to give a share; not published on their own.
INTERNAL = {
    "case_details.international_parental_abduction.closed_with_active_role",
    "case_details.international_parental_abduction.abductor_mother",
    "case_details.international_parental_abduction.abductor_father",
    "case_details.international_parental_abduction.within_eu",
    "case_details.international_parental_abduction.to_belgium",
    "case_details.international_parental_abduction.africa",
    "case_details.international_parental_abduction.asia",
    "case_details.international_parental_abduction.americas",
}
# Published again for the years before, under the name and the year (`closed_pct_2020`).
EARLIER_YEARS = {
    "case_details.international_parental_abduction.closed_pct": 2,
    "case_details.unaccompanied_minor.handled": 1,
    "case_details.unaccompanied_minor.new": 1,
}


def section_2021(period: Period) -> dict[str, dict[str, Any]]:
    """The figures in the published nesting ({"international_parental_abduction": {"handled":
    ..}, ...}); for a year, with the figures of `EARLIER_YEARS` for as many years before."""
    figures = catalogue_figures()
    section: dict[str, dict[str, Any]] = {}

    def place(key: str, value: Any, suffix: str = "") -> None:
        group, name = key.removeprefix(PREFIX).split(".", 1)
        section.setdefault(group, {})[f"{name}{suffix}"] = value

    for key, value in evaluate(figures, period).items():
        if key not in INTERNAL:
            place(key, value)
    if period.is_year:
        earlier = [f for f in figures if f.key in EARLIER_YEARS]
        before = period
        for back in range(1, max(EARLIER_YEARS.values()) + 1):
            before = before.previous()
            wanted = [f for f in earlier if EARLIER_YEARS[f.key] >= back]
            for key, value in evaluate(wanted, before).items():
                place(key, value, f"_{before.first.year}")
    return section


def add_section_2021(details: dict[str, dict], period: Period) -> dict[str, dict]:
    """`details` (a year's `case_details_<year>`) with this section's figures added to its
    groups (a name the details already have is kept)."""
    for group, values in section_2021(period).items():
        details[group] = {**values, **details.get(group, {})}
    return details
