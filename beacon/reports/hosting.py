"""Where a reported URL is hosted (written by the hosting work)."""


def item_lookup_hosting(*, item_id: int) -> None:
    return None
