"""Figures for staff surfaces (UI, API): the same definitions, behind the figures permission.

The command line (`beacon figures`) is trusted and calls beacon.figures.definitions directly.
"""

from beacon.core.permissions import require
from beacon.figures.definitions import figures_for_year


def figures_for_user(*, user, year: int, since: int | None = None) -> dict:
    """The figures of `year` (see figures_for_year) for a user allowed to read figures;
    PermissionDenied otherwise."""
    require(user, "figures.view_figures")
    return figures_for_year(year, since)
