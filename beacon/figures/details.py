"""The per-category details of the 2025 report's disappearances besides runaways: family context,
abduction outside the family, undefined disappearances, unaccompanied minors. Each a figure of
the catalogue (registered in catalogue.AREAS), counted over the new case files of the period.

`details_section(period)` gives them in the published nesting (`case_details_<year>`).
Ages are the age at disappearance (beacon.figures.ages), counted per case file: a child who
disappeared twice counts at the age of each time. A case file whose child's age is unknown is in
no age band but in the whole a share is of.
Not computed (yet): the share with an international character, the top countries of origin by
name, and the reports' words ("more than one fifth", "mostly boys").
"""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from beacon.cases.choices import Outcome
from beacon.figures.ages import age_unknown, aged
from beacon.figures.engine import AnyFigure, Figure, Period, Share, evaluate, other_case_in_period

FAMILY = Q(category__figure_key="family_context")
OUTSIDE_FAMILY = Q(category__figure_key="abduction_outside_family")
UNDEFINED = Q(category__figure_key="undefined_and_other")
UNACCOMPANIED = Q(category__figure_key="unaccompanied_minor")
PREFIX = "case_details."


def _figure(key: str, label, definition, where, distinct: str = "") -> Figure:
    from beacon.figures.catalogue import MISSING_CASES

    return Figure(
        key=f"{PREFIX}{key}",
        label=label,
        definition=definition,
        source=MISSING_CASES,
        where=where,
        distinct=distinct,
    )


def _subkind(group: str, where: Q, subkind: str, label) -> Figure:
    return _figure(
        f"{group}.{subkind}",
        label,
        _("New case files of the category opened in the period with this sub-kind."),
        where & Q(subkind__key=subkind),
    )


def family_figures() -> list[AnyFigure]:
    return [
        _figure(
            "family_context.total",
            _("Disappearances in a family context"),
            _("New case files of the category 'family context' opened in the period."),
            FAMILY,
        ),
        _subkind(
            "family_context",
            FAMILY,
            "international_parental_abduction",
            _("of which international parental abductions"),
        ),
        _subkind(
            "family_context",
            FAMILY,
            "other_family_disappearance",
            _("of which other disappearances in a family context"),
        ),
        _subkind("family_context", FAMILY, "preventive", _("of which preventive files")),
        _subkind(
            "abduction_outside_family",
            OUTSIDE_FAMILY,
            "effective",
            _("Abductions outside the family: effective"),
        ),
        _subkind(
            "abduction_outside_family",
            OUTSIDE_FAMILY,
            "attempted",
            _("Abductions outside the family: attempted"),
        ),
        _figure(
            "abduction_outside_family.total",
            _("Abductions outside the family"),
            _(
                "New case files of the category 'abduction outside the family' opened in the "
                "period."
            ),
            OUTSIDE_FAMILY,
        ),
        # The report says whether every child was under 13 ("all_children_under_13"): this
        # figure lists the exceptions, and details_section gives True when there are none. A
        # child of unknown age is an exception: nobody can say they were under 13.
        _figure(
            "abduction_outside_family.not_known_under_13",
            _("Abductions outside the family: children not known to be under 13"),
            _(
                "New case files of the category 'abduction outside the family' opened in the "
                "period whose child was 13 or older on the day last seen, or whose age is "
                "unknown. When there are none, every child was under 13."
            ),
            OUTSIDE_FAMILY & (aged(low=13) | age_unknown()),
        ),
    ]


def undefined_figures() -> list[AnyFigure]:
    total = _figure(
        "undefined.total",
        _("Undefined disappearances"),
        _("New case files of the category 'undefined and other' opened in the period."),
        UNDEFINED,
    )
    closed = _figure(
        "undefined.closed",
        _("Undefined disappearances closed"),
        _("Of the undefined disappearances of the period, those closed since."),
        UNDEFINED & Q(closed_at__isnull=False),
    )
    return [
        total,
        _figure(
            "undefined.young_adults_18_24",
            _("of which young adults (18–24)"),
            _("Undefined disappearances of the period with the sub-kind 'young adult'."),
            UNDEFINED & Q(subkind__key="young_adult"),
        ),
        _figure(
            "undefined.lost_children",
            _("of which lost children"),
            _("Undefined disappearances of the period with the sub-kind 'lost child'."),
            UNDEFINED & Q(subkind__key="lost_child"),
        ),
        _figure(
            "undefined.lost_children_under_10",
            _("Lost children under 10"),
            _(
                "Lost children's undefined disappearances of the period whose child was under "
                "10 on the day last seen (local time); a child of unknown age is not counted."
            ),
            UNDEFINED & Q(subkind__key="lost_child") & aged(high=10),
        ),
        closed,
        Share(
            key=f"{PREFIX}undefined.closed_pct",
            label=_("Undefined disappearances closed, %"),
            definition=_("Closed undefined disappearances as a percentage of them."),
            part=closed,
            whole=total,
        ),
        _figure(
            "undefined.found_safe_or_returned",
            _("Found safe or returned"),
            _("Undefined disappearances of the period closed as found safe or returned."),
            UNDEFINED & Q(outcome__in=[Outcome.FOUND_SAFE, Outcome.RETURNED]),
        ),
        _figure(
            "undefined.young_adults_left_voluntarily",
            _("Young adults who left voluntarily"),
            _("Young adults' undefined disappearances of the period closed as left voluntarily."),
            UNDEFINED & Q(subkind__key="young_adult", outcome=Outcome.LEFT_VOLUNTARILY),
        ),
        _figure(
            "undefined.found_deceased",
            _("Found deceased"),
            _("Undefined disappearances of the period closed as found deceased."),
            UNDEFINED & Q(outcome=Outcome.FOUND_DECEASED),
        ),
        _figure(
            "undefined.still_missing",
            _("Still missing"),
            _("Undefined disappearances of the period not closed (yet)."),
            UNDEFINED & Q(closed_at__isnull=True),
        ),
    ]


def _repeat_unaccompanied(start, end) -> Q:
    return other_case_in_period(UNACCOMPANIED)(start, end)


def unaccompanied_figures() -> list[AnyFigure]:
    disappearances = _figure(
        "unaccompanied_minor.disappearances",
        _("Disappearances of unaccompanied minors"),
        _("New case files of the category 'unaccompanied minor' opened in the period."),
        UNACCOMPANIED,
    )
    under_16 = _figure(
        "unaccompanied_minor.under_16",
        _("Disappearances of unaccompanied minors under 16"),
        _(
            "Unaccompanied minors' disappearances of the period whose child was under 16 on the "
            "day last seen (local time); a child of unknown age is not counted."
        ),
        UNACCOMPANIED & aged(high=16),
    )
    return [
        disappearances,
        _figure(
            "unaccompanied_minor.children",
            _("Unaccompanied minors who disappeared"),
            _("Distinct children with at least one such case file opened in the period."),
            UNACCOMPANIED,
            distinct="person",
        ),
        _figure(
            "unaccompanied_minor.children_left_repeatedly",
            _("Unaccompanied minors who disappeared more than once"),
            _("Distinct children with more than one such case file opened in the period."),
            _repeat_unaccompanied,
            distinct="person",
        ),
        under_16,
        Share(
            key=f"{PREFIX}unaccompanied_minor.under_16_pct",
            # xgettext:no-python-format
            label=_("Unaccompanied minors under 16, % of their disappearances"),
            definition=_(
                "Disappearances of unaccompanied minors under 16 as a percentage of the "
                "disappearances of unaccompanied minors (those of unknown age included)."
            ),
            part=under_16,
            whole=disappearances,
        ),
        _figure(
            "unaccompanied_minor.under_13",
            _("Disappearances of unaccompanied minors under 13"),
            _(
                "Unaccompanied minors' disappearances of the period whose child was under 13 on "
                "the day last seen (local time); a child of unknown age is not counted."
            ),
            UNACCOMPANIED & aged(high=13),
        ),
    ]


def details_figures() -> list[AnyFigure]:
    return [*family_figures(), *undefined_figures(), *unaccompanied_figures()]


# Figures counted only to give a share or an answer; not published on their own.
INTERNAL = {
    "case_details.undefined.closed",
    "case_details.unaccompanied_minor.under_16",
    "case_details.abduction_outside_family.total",
    "case_details.abduction_outside_family.not_known_under_13",
}


def details_section(period: Period) -> dict[str, dict]:
    """The details in the published nesting: {"family_context": {"total": ..}, ...}, with
    `abduction_outside_family.all_children_under_13` True when that category's exceptions
    (children 13 or older, or of unknown age) number none, None when it has no case."""
    section: dict[str, dict] = {}
    values = evaluate(details_figures(), period)
    for key, value in values.items():
        if key in INTERNAL:
            continue
        group, name = key.removeprefix(PREFIX).split(".", 1)
        section.setdefault(group, {})[name] = value
    # Without any such case there is no child to say it of: None, not a vacuous True.
    abductions = values["case_details.abduction_outside_family.total"]
    exceptions = values["case_details.abduction_outside_family.not_known_under_13"]
    section["abduction_outside_family"]["all_children_under_13"] = (
        exceptions == 0 if abductions else None
    )
    return section
