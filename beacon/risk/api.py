"""Risk-flag endpoints: the list for team leads; acknowledge or clear a flag."""

from datetime import datetime

from ninja import Router, Schema

from beacon.core.api import error_responses
from beacon.risk import selectors, services
from beacon.risk.models import RiskFlag

router = Router(tags=["risk"])


class FlagOut(Schema):
    id: int
    person_id: int
    rule: str
    rule_name: str
    case_id: int
    cases: list[str]
    raised_at: datetime
    acknowledged_at: datetime | None
    cleared_at: datetime | None
    note: str


class NoteIn(Schema):
    note: str = ""


def flag_out(flag: RiskFlag) -> dict:
    return {
        "id": flag.pk,
        "person_id": flag.person_id,
        "rule": flag.rule.key,
        "rule_name": flag.rule.name,
        "case_id": flag.case_id,
        "cases": flag.explanation_data.get("cases", []),
        "raised_at": flag.raised_at,
        "acknowledged_at": flag.acknowledged_at,
        "cleared_at": flag.cleared_at,
        "note": flag.note,
    }


@router.get("/flags", response={200: list[FlagOut], **error_responses(403)}, summary="Risk flags")
def list_flags(request, status: str = "open", rule: str = ""):
    """Flags of persons you may open (`status`: open, unacknowledged, cleared, all)."""
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
