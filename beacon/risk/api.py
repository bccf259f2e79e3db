"""Risk-flag endpoints: the list for team leads; acknowledge or clear a flag."""

from typing import Literal

from ninja import Query, Router

from beacon.core.api import error_responses
from beacon.risk import selectors, services
from beacon.risk.schemas import FlagOut, NoteIn, flag_out

router = Router(tags=["risk"])


@router.get(
    "/flags",
    response={200: list[FlagOut], **error_responses(403, 422)},
    summary="Risk flags (team leads)",
)
def list_flags(
    request,
    status: Literal["open", "unacknowledged", "acknowledged", "cleared", "all"] = Query(
        "open", description="open: not cleared; acknowledged: and acknowledged; all."
    ),
    rule: str = Query("", description="A rule's key."),
):
    """Flags of persons you may open, newest first (200 at most); never a flag that names a
    case you may not open."""
    return [flag_out(f) for f in selectors.flag_list(user=request.user, status=status, rule=rule)]


@router.post(
    "/flags/{flag_id}/acknowledge",
    response={200: FlagOut, **error_responses(403, 404, 422)},
    summary="Acknowledge a flag",
)
def acknowledge_flag(request, flag_id: int, payload: NoteIn):
    flag = selectors.flag_get(user=request.user, pk=flag_id)
    return flag_out(services.flag_acknowledge(actor=request.user, flag=flag, note=payload.note))


@router.post(
    "/flags/{flag_id}/clear",
    response={200: FlagOut, **error_responses(403, 404, 422)},
    summary="Clear a flag (say why)",
)
def clear_flag(request, flag_id: int, payload: NoteIn):
    flag = selectors.flag_get(user=request.user, pk=flag_id)
    return flag_out(services.flag_clear(actor=request.user, flag=flag, note=payload.note))
