"""The per-category details of the annual report that the catalogue's core does not define yet
(family context, abduction outside the family, undefined, unaccompanied minors, exploitation
categories, the 2021 report's details); registered in catalogue.AREAS."""

from beacon.figures.engine import AnyFigure


def details_figures() -> list[AnyFigure]:
    return []
