"""Prevention's endpoints, mounted at /prevention: trainings, school sessions and stands, tools
handed out.

Permissions are the services' and selectors' own (prevention.view/add/change_*: volunteer
coordinators and administrators). A session's volunteers are given by id; their names are
answered only to users who may read volunteers (network.view_volunteer), the others get
`volunteers: null` and the count. Errors as everywhere (beacon/api.py): 403 audited, 404, 409 on
a stale version, 422 naming the field.
"""

from datetime import date

from ninja import Field, Query, Router, Schema, Status

from beacon.core.api import error_responses
from beacon.prevention import selectors, services
from beacon.prevention.models import Audience, Session, SessionKind, ToolHandout, Training

router = Router(tags=["prevention"])


def _enum(values) -> dict:
    return {"enum": list(values)}


# --- schemas ----------------------------------------------------------------------------------


class TrainingIn(Schema):
    """A training; `held_on` may be ahead (planned: counted in the figures once held)."""

    audience: str = Field(json_schema_extra=_enum(Audience.values))
    module: str
    held_on: date
    place: str = ""
    municipality: str | None = Field(None, description="NIS code.")
    trainer: str
    participants: int = Field(description="0 or more.")
    online: bool = False


class TrainingUpdateIn(Schema):
    """A change: only the fields sent change."""

    version: int = Field(description="The training's `version` as read; 409 when it changed.")
    audience: str | None = Field(None, json_schema_extra=_enum(Audience.values))
    module: str | None = None
    held_on: date | None = None
    place: str | None = None
    municipality: str | None = None
    trainer: str | None = None
    participants: int | None = None
    online: bool | None = None


class TrainingOut(Schema):
    id: int
    audience: str
    module: str
    held_on: date
    place: str
    municipality: str | None
    trainer: str
    participants: int
    online: bool
    version: int


class SessionIn(Schema):
    """A school session or a stand at an event, run by active volunteers of the network."""

    kind: str = Field(json_schema_extra=_enum(SessionKind.values))
    held_on: date
    venue: str = Field(description="The school or the event.")
    municipality: str | None = Field(None, description="NIS code.")
    volunteers: list[int] = Field(default_factory=list, description="Volunteers' ids.")
    children_reached: int = 0


class SessionUpdateIn(Schema):
    """A change: only the fields sent change; `volunteers` replaces the list (a volunteer who
    left the network may stay on a session, not be added)."""

    version: int = Field(description="The session's `version` as read; 409 when it changed.")
    kind: str | None = Field(None, json_schema_extra=_enum(SessionKind.values))
    held_on: date | None = None
    venue: str | None = None
    municipality: str | None = None
    volunteers: list[int] | None = None
    children_reached: int | None = None


class VolunteerRefOut(Schema):
    id: int
    name: str


class SessionOut(Schema):
    id: int
    kind: str
    held_on: date
    venue: str
    municipality: str | None
    children_reached: int
    volunteer_count: int
    volunteers: list[VolunteerRefOut] | None = Field(
        description="Who ran it; null for users who may not read volunteers' names."
    )
    version: int


class ToolHandoutIn(Schema):
    tool: str
    quantity: int = Field(description="1 or more.")
    handed_on: date
    recipient: str = ""
    municipality: str | None = Field(None, description="NIS code.")


class ToolHandoutOut(Schema):
    id: int
    tool: str
    quantity: int
    handed_on: date
    recipient: str
    municipality: str | None


class TrainingQuery(Schema):
    year: int | None = None
    audience: str = ""


class SessionQuery(Schema):
    year: int | None = None
    kind: str = ""


class ToolQuery(Schema):
    year: int | None = None


def training_out(training: Training) -> dict:
    return {
        "id": training.pk,
        "audience": training.audience,
        "module": training.module,
        "held_on": training.held_on,
        "place": training.place,
        "municipality": training.municipality.code if training.municipality else None,
        "trainer": training.trainer,
        "participants": training.participants,
        "online": training.online,
        "version": training.version,
    }


def session_out(session: Session, *, user) -> dict:
    names = None
    if selectors.sees_volunteer_names(user):
        volunteers = getattr(session, "named_volunteers", None)
        if volunteers is None:
            volunteers = list(session.volunteers.order_by("last_name", "first_name", "id"))
        names = [{"id": v.pk, "name": str(v)} for v in volunteers]
    count = getattr(session, "volunteer_count", None)
    return {
        "id": session.pk,
        "kind": session.kind,
        "held_on": session.held_on,
        "venue": session.venue,
        "municipality": session.municipality.code if session.municipality else None,
        "children_reached": session.children_reached,
        "volunteer_count": count if count is not None else session.volunteers.count(),
        "volunteers": names,
        "version": session.version,
    }


def handout_out(handout: ToolHandout) -> dict:
    return {
        "id": handout.pk,
        "tool": handout.tool,
        "quantity": handout.quantity,
        "handed_on": handout.handed_on,
        "recipient": handout.recipient,
        "municipality": handout.municipality.code if handout.municipality else None,
    }


# --- trainings --------------------------------------------------------------------------------


@router.get(
    "/trainings",
    response={200: list[TrainingOut], **error_responses(403)},
    summary="Trainings, filtered by year and audience",
)
def list_trainings(request, filters: Query[TrainingQuery]):
    trainings = selectors.trainings_list(
        user=request.user, filters=selectors.TrainingFilters(**filters.dict())
    )
    return [training_out(t) for t in trainings]


@router.post(
    "/trainings",
    response={201: TrainingOut, **error_responses(403, 422)},
    summary="Record a training",
)
def create_training(request, payload: TrainingIn):
    training = services.training_create(actor=request.user, **payload.dict())
    return Status(201, training_out(training))


@router.patch(
    "/trainings/{training_id}",
    response={200: TrainingOut, **error_responses(403, 404, 409, 422)},
    summary="Change a training",
)
def update_training(request, training_id: int, payload: TrainingUpdateIn):
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    training = services.training_update(
        actor=request.user, training_id=training_id, expected_version=version, **data
    )
    return training_out(training)


# --- sessions ---------------------------------------------------------------------------------


@router.get(
    "/sessions",
    response={200: list[SessionOut], **error_responses(403)},
    summary="School sessions and stands, filtered by year and kind",
)
def list_sessions(request, filters: Query[SessionQuery]):
    sessions = selectors.sessions_list(
        user=request.user, filters=selectors.SessionFilters(**filters.dict())
    )
    return [session_out(s, user=request.user) for s in sessions]


@router.post(
    "/sessions",
    response={201: SessionOut, **error_responses(403, 422)},
    summary="Record a school session or a stand",
)
def create_session(request, payload: SessionIn):
    session = services.session_create(actor=request.user, **payload.dict())
    return Status(201, session_out(session, user=request.user))


@router.patch(
    "/sessions/{session_id}",
    response={200: SessionOut, **error_responses(403, 404, 409, 422)},
    summary="Change a school session or a stand",
)
def update_session(request, session_id: int, payload: SessionUpdateIn):
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    session = services.session_update(
        actor=request.user, session_id=session_id, expected_version=version, **data
    )
    return session_out(session, user=request.user)


# --- tools ------------------------------------------------------------------------------------


@router.get(
    "/tools",
    response={200: list[ToolHandoutOut], **error_responses(403)},
    summary="Tools handed out, filtered by year",
)
def list_tools(request, filters: Query[ToolQuery]):
    handouts = selectors.tool_handouts_list(user=request.user, year=filters.year)
    return [handout_out(h) for h in handouts]


@router.post(
    "/tools",
    response={201: ToolHandoutOut, **error_responses(403, 422)},
    summary="Record tools handed out",
)
def create_tool_handout(request, payload: ToolHandoutIn):
    handout = services.tool_handout_create(actor=request.user, **payload.dict())
    return Status(201, handout_out(handout))
