"""Figures for staff surfaces (UI, API): the same definitions, behind the figures permission.

The command line (`beacon figures`) is trusted and calls beacon.figures.definitions directly.
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied

from beacon.core.permissions import require
from beacon.figures.definitions import figures_for_year
from beacon.figures.hotline import figures_by_section


def figures_for_user(*, user, year: int, since: int | None = None) -> dict:
    """The figures of `year` (see figures_for_year) for a user allowed to read figures;
    PermissionDenied otherwise."""
    require(user, "figures.view_figures")
    return figures_for_year(year, since)


# The civil hotline's figures page holds aggregates only (no URL, no report, no person): the
# hotline's analysts and administrators read it through `reports.view_hotline_figures`, and the
# statistics readers, whose work is the aggregated figures, through `figures.view_figures`;
# nobody needs more than one of the two.
HOTLINE_FIGURES_PERMISSIONS = ("reports.view_hotline_figures", "figures.view_figures")


def may_view_hotline_figures(user) -> bool:
    return any(
        user is not None and user.is_authenticated and user.is_active and user.has_perm(p)
        for p in HOTLINE_FIGURES_PERMISSIONS
    )


def require_hotline_figures(user) -> None:
    """PermissionDenied for a user with neither of HOTLINE_FIGURES_PERMISSIONS."""
    if not may_view_hotline_figures(user):
        raise PermissionDenied(HOTLINE_FIGURES_PERMISSIONS[0])


def hotline_figures_for_user(*, user, start: datetime, end: datetime) -> dict[str, dict]:
    """The civil hotline's figures for [start, end) in sections of `key: value`
    (beacon.figures.hotline.figures_by_section), for a user allowed to read them."""
    require_hotline_figures(user)
    return figures_by_section(start, end)
