"""The per-category details the 2021 report gives for the 2021 taxonomy (international parental
abduction, abduction by a third party, unaccompanied minors and undefined disappearances as
counted then: case files handled in the year, new and carried over), each a figure of the
catalogue."""

from __future__ import annotations

from beacon.figures.engine import AnyFigure


def catalogue_figures() -> list[AnyFigure]:
    """This section's figures in the catalogue (beacon.figures.catalogue), with drill-downs."""
    return []
