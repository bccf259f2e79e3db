"""Is it still online? (written by the liveness work)."""


def check_due() -> None:
    return None
