"""Line endpoints: log contacts, end them, link or open cases, the board."""

import base64
import binascii
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ninja import Router, Status

from beacon.cases.models import Case
from beacon.core.api import error_responses, query_error
from beacon.line import selectors, services
from beacon.line.models import Call
from beacon.line.schemas import BoardOut, CallIn, CallOut, CallPageOut, CallPatch, VersionIn
from beacon.people.models import Person

router = Router(tags=["line"])


def call_out(call: Call) -> dict:
    return {
        "id": call.pk,
        "version": call.version,
        "channel": call.channel,
        "started_at": call.started_at,
        "ended_at": call.ended_at,
        "language": call.language,
        "caller_kind": call.caller_kind,
        "topic_kind": call.topic_kind,
        "topic_category": call.topic_category.key if call.topic_category else None,
        "note": call.note,
        "case_id": call.case_id,
        "taken_by": call.taken_by.username if call.taken_by else None,
        "callback_due_at": call.callback_due_at,
        "callback_done_at": call.callback_done_at,
        "flagged": call.flagged,
        "flag_acknowledged_at": call.flag_acknowledged_at,
    }


def _cursor(call: Call) -> str:
    raw = f"{call.started_at.isoformat()}|{call.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[datetime, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        started, pk = raw.split("|")
        moment = parse_datetime(started)
        return (moment, int(pk)) if moment else None
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


@router.get("/calls", response={200: CallPageOut, **error_responses(403, 422)}, summary="Calls")
def list_calls(request, channel: str = "", open_only: bool = False, cursor: str = ""):
    """Newest first, keyset-paginated: follow `next_cursor`."""
    before = _decode(cursor) if cursor else None
    if cursor and before is None:
        raise query_error("cursor", _("Not a cursor from this list."))
    calls = selectors.call_list(
        user=request.user, before=before, channel=channel, open_only=open_only
    )
    page = calls[: selectors.PAGE_SIZE]
    more = len(calls) > selectors.PAGE_SIZE
    return {
        "items": [call_out(c) for c in page],
        "next_cursor": _cursor(page[-1]) if more else None,
    }


@router.get(
    "/calls/{call_id}", response={200: CallOut, **error_responses(403, 404)}, summary="One call"
)
def get_call(request, call_id: int):
    return call_out(selectors.call_get(user=request.user, pk=call_id))


@router.post(
    "/calls",
    response={201: CallOut, **error_responses(403, 422)},
    summary="Log a call (optionally opening a case from it)",
)
def log_call(request, payload: CallIn):
    """Any error, of the call or of the case it opens, answers 422 and saves nothing. A case the
    user may not open answers 422 on `case_id` ("No such case."), as if it did not exist."""
    values = payload.dict(exclude={"case_id", "open_case"})
    if values["started_at"] is None:
        del values["started_at"]
    if payload.case_id is not None and payload.open_case is not None:
        raise ValidationError({"open_case": [_("Give case_id or open_case, not both.")]})
    if payload.open_case is None:
        call = services.call_log(actor=request.user, case=payload.case_id, **values)
        return Status(201, call_out(call))
    new = payload.open_case
    person = None
    if new.person_id is not None:
        person = Person.objects.visible_to(request.user).filter(pk=new.person_id).first()
        if person is None:
            raise ValidationError({"open_case.person_id": [_("Unknown person.")]})
    details: dict = {"reporter_contact": new.reporter_contact}
    if new.last_seen_at is not None:
        details.update(last_seen_at=new.last_seen_at, last_seen_place=new.last_seen_place)
    call, _case = services.call_open_case(
        actor=request.user,
        call_values=values,
        category=payload.topic_category,
        subkind=new.subkind,
        person=person,
        person_data=new.person.dict() if new.person else (None if person else {}),
        facts=new.facts,
        **details,
    )
    return Status(201, call_out(call))


@router.patch(
    "/calls/{call_id}",
    response={200: CallOut, **error_responses(403, 404, 409, 422)},
    summary="Complete or correct a call (end it, link it to a case)",
)
def update_call(request, call_id: int, payload: CallPatch):
    call = selectors.call_get(user=request.user, pk=call_id)
    changes = payload.dict(exclude_unset=True, exclude={"version", "case_id"})
    if "note" in changes and changes["note"] is None:
        changes["note"] = ""
    version = payload.version
    if changes:
        services.call_update(actor=request.user, call=call, expected_version=version, **changes)
        version = call.version
    if payload.case_id is not None:
        try:
            services.call_link_case(
                actor=request.user, call=call, expected_version=version, case=payload.case_id
            )
        except Case.DoesNotExist as exc:
            raise ValidationError({"case_id": [_("No such case.")]}) from exc
    return call_out(call)


@router.post(
    "/calls/{call_id}/callback-done",
    response={200: CallOut, **error_responses(403, 404, 409, 422)},
    summary="The caller was called back",
)
def mark_callback_done(request, call_id: int, payload: VersionIn):
    call = selectors.call_get(user=request.user, pk=call_id)
    services.callback_done(actor=request.user, call=call, expected_version=payload.version)
    return call_out(call)


@router.post(
    "/calls/{call_id}/acknowledge",
    response={200: CallOut, **error_responses(403, 404, 422)},
    summary="The case manager has read a flagged tip",
)
def acknowledge_tip(request, call_id: int):
    call = selectors.call_get(user=request.user, pk=call_id)
    services.call_acknowledge_flag(actor=request.user, call=call)
    return call_out(call)


@router.get("/board", response={200: BoardOut, **error_responses(403)}, summary="The live board")
def get_board(request):
    board = selectors.board(user=request.user)
    return {
        "open_calls": len(board.open_calls),
        "calls_today": board.calls_today,
        "night_today": board.night_today,
        "per_hour": [n for _hour, n in board.per_hour],
        "callbacks_due": len(board.callbacks_due),
        "flagged_tips": board.flagged_tips,
    }
