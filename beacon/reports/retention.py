"""Minimising closed reports after the retention period (written by the retention work)."""


def minimise_due() -> None:
    return None
