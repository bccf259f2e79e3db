"""Line endpoints: log contacts, end them, link or open cases, callbacks, tips, the board.

Permissions are the services' and selectors' own (line.view_call to read, line.add_call to
log, line.change_call to correct; acknowledging a tip needs the right to change the case)."""

from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from beacon.cases.api import FACT_FIELDS, PERSON_FIELDS, person_of_payload
from beacon.core.api import error_responses, query_error
from beacon.line import selectors, services
from beacon.line.models import Call
from beacon.line.schemas import (
    BoardOut,
    CallIn,
    CallListQuery,
    CallOut,
    CallPageOut,
    CallPatch,
    EndIn,
    VersionIn,
)

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


@contextmanager
def located_as_in_request(*, person: str | None = None):
    """Name a service's errors by where the value sits in the request body: the linked case is
    `case_id`, the opened case's category is the call's `topic_category`, and the case's own
    fields sit under `open_case` (the person's under `open_case.person`, facts under
    `open_case.facts`)."""
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        located: dict[str, list[str]] = {}
        for field, messages in exc.message_dict.items():
            if field == "case":
                field = "case_id"
            elif field == "category":
                field = "topic_category"
            elif person == "person" and field in PERSON_FIELDS:
                field = f"open_case.person.{field}"
            elif person == "person_id" and field in PERSON_FIELDS:
                field = "open_case.person_id"
            elif person is not None and field in FACT_FIELDS:
                field = f"open_case.facts.{field}"
            elif person is not None and field == "summary":
                field = "note"  # the case's summary is the call's note
            elif person is not None and field in (
                "subkind",
                "last_seen_at",
                "last_seen_place",
                "reporter_contact",
            ):
                field = f"open_case.{field}"
            located.setdefault(field, [])
            located[field] += [m for m in messages if m not in located[field]]
        raise ValidationError(located) from exc


@router.get(
    "/calls",
    response={200: CallPageOut, **error_responses(403, 422)},
    summary="List calls (newest first, keyset-paginated)",
)
def list_calls(request, query: Query[CallListQuery]):
    """Every contact on the line, newest first, filtered by channel, local day, responder or
    open calls only. Follow `next_cursor` for the next page; a page costs the same at any
    depth."""
    if query.cursor and selectors.decode_cursor(query.cursor) is None:
        raise query_error("cursor", _("Not a cursor from this list."))
    filters = selectors.CallFilters(
        channel=query.channel, day=query.day, taken_by=query.taken_by, open_only=query.open_only
    )
    page = selectors.call_list(user=request.user, filters=filters, cursor=query.cursor)
    return {"items": [call_out(c) for c in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/calls/{call_id}", response={200: CallOut, **error_responses(403, 404)}, summary="One call"
)
def get_call(request, call_id: int):
    return call_out(selectors.call_get(user=request.user, pk=call_id))


@router.post(
    "/calls",
    response={201: CallOut, **error_responses(403, 422)},
    summary="Log a call (about a case, or opening a new one)",
)
def log_call(request, payload: CallIn):
    """Log a contact as it happens. With `case_id` it is about that case and shows on its
    timeline (a 116 800 tip about a missing child is flagged for the case's manager). With
    `open_case` a new case is opened from the call in the same transaction.

    Any error, of the call or of the case it opens, answers 422 with every message located in
    the body (e.g. `["body", "ended_at"]`, `["body", "open_case", "person", "first_name"]`) and
    saves nothing. A case the user may not open answers 422 on `case_id`, as if it did not
    exist."""
    values = payload.dict(exclude={"case_id", "open_case"})
    if values["started_at"] is None:
        del values["started_at"]
    if payload.case_id is not None and payload.open_case is not None:
        raise ValidationError({"open_case": [_("Give case_id or open_case, not both.")]})
    if payload.open_case is None:
        with located_as_in_request():
            call = services.call_log(actor=request.user, case=payload.case_id, **values)
        return Status(201, call_out(call))
    new = payload.open_case
    person = person_of_payload(request.user, new.person_id, new.person, at="open_case.")
    details: dict = {"reporter_contact": new.reporter_contact}
    if new.last_seen_at is not None:
        details.update(last_seen_at=new.last_seen_at, last_seen_place=new.last_seen_place)
    with located_as_in_request(person="person_id" if person is not None else "person"):
        call, _case = services.call_open_case(
            actor=request.user,
            call_values=values,
            category=payload.topic_category,
            subkind=new.subkind,
            person=person,
            person_data=new.person.dict() if new.person is not None else None,
            facts=new.facts.dict(exclude_unset=True) if new.facts is not None else None,
            **details,
        )
    return Status(201, call_out(call))


@router.patch(
    "/calls/{call_id}",
    response={200: CallOut, **error_responses(403, 404, 409, 422)},
    summary="Complete or correct a call (end it, link it to a case)",
)
def update_call(request, call_id: int, payload: CallPatch):
    """Only the fields sent change. Send the `version` you read: 409 when someone changed the
    call since. `case_id` links the call to a case once (then it shows on the case's timeline)."""
    call = selectors.call_get(user=request.user, pk=call_id)
    changes = payload.dict(exclude_unset=True, exclude={"version", "case_id"})
    if "note" in changes and changes["note"] is None:
        changes["note"] = ""
    if "language" in changes and changes["language"] is None:
        changes["language"] = ""
    with located_as_in_request():
        if changes:
            services.call_update(
                actor=request.user, call=call, expected_version=payload.version, **changes
            )
        if payload.case_id is not None:
            version = call.version if changes else payload.version
            services.call_link_case(
                actor=request.user, call=call, expected_version=version, case=payload.case_id
            )
    return call_out(call)


@router.post(
    "/calls/{call_id}/end",
    response={200: CallOut, **error_responses(403, 404, 409, 422)},
    summary="End a call",
)
def end_call(request, call_id: int, payload: EndIn):
    """The "end call" button: the call ends now (or at `at`). 422 when it has already ended,
    409 when `version` is not the call's current one."""
    call = selectors.call_get(user=request.user, pk=call_id)
    services.call_end(
        actor=request.user, call=call, expected_version=payload.version, at=payload.at
    )
    return call_out(call)


@router.post(
    "/calls/{call_id}/callback-done",
    response={200: CallOut, **error_responses(403, 404, 409, 422)},
    summary="The caller was called back",
)
def mark_callback_done(request, call_id: int, payload: VersionIn):
    """Records that the callback the call asked for was made (422 if none was asked or it was
    already done)."""
    call = selectors.call_get(user=request.user, pk=call_id)
    services.callback_done(actor=request.user, call=call, expected_version=payload.version)
    return call_out(call)


@router.post(
    "/calls/{call_id}/acknowledge",
    response={200: CallOut, **error_responses(403, 404, 422)},
    summary="The case's manager has read a flagged tip",
)
def acknowledge_tip(request, call_id: int):
    """Clears the flag of a 116 800 tip on its case. Needs the right to change the case (403
    otherwise; 404 for a case the user may not open); 422 for a call that is not flagged."""
    call = selectors.call_get(user=request.user, pk=call_id)
    services.call_acknowledge_flag(actor=request.user, call=call)
    return call_out(call)


@router.get("/board", response={200: BoardOut, **error_responses(403)}, summary="The live board")
def get_board(request):
    """What the responders' board shows, counted by the database: open calls, today's calls
    (the local day) and those at night, calls per local hour, callbacks due, unread tips."""
    board = selectors.board(user=request.user)
    return {
        "open_calls": board.open_count,
        "calls_today": board.calls_today,
        "calls_116000_today": board.calls_116000_today,
        "night_today": board.night_today,
        "per_hour": [n for _hour, n in board.per_hour],
        "callbacks_due": board.callbacks_due_count,
        "flagged_tips": board.flagged_tips,
    }
