"""Input and output schemas of the line API."""

from datetime import datetime

from ninja import Field, Schema

from beacon.line.models import CallerKind, LineChannel, TopicKind
from beacon.line.services import LANGUAGES
from beacon.people.schemas import PersonIn


def _enum(choices) -> dict:
    return {"enum": list(choices.values)}


class NewCaseIn(Schema):
    """A case opened from the call: the category is the call's `topic_category`."""

    subkind: str | None = None
    person_id: int | None = None
    person: PersonIn | None = None
    last_seen_at: datetime | None = Field(None, description="Disappearances: required.")
    last_seen_place: str = ""
    reporter_contact: str = ""
    facts: dict | None = Field(None, description="Exploitation cases: see FactsIn of /cases.")


class CallIn(Schema):
    """A contact on the line. `started_at` defaults to now; leave `ended_at` empty while it lasts.
    Give `case_id` for an existing case, or `open_case` to open one from the call (not both)."""

    channel: str = Field(json_schema_extra=_enum(LineChannel))
    started_at: datetime | None = None
    ended_at: datetime | None = None
    language: str = Field("", json_schema_extra={"enum": ["", *LANGUAGES]})
    caller_kind: str = Field(json_schema_extra=_enum(CallerKind))
    topic_kind: str = Field(json_schema_extra=_enum(TopicKind))
    topic_category: str | None = Field(
        None, description="A category key, for a case_category topic."
    )
    note: str = ""
    callback_due_at: datetime | None = None
    case_id: int | None = None
    open_case: NewCaseIn | None = None


class CallPatch(Schema):
    version: int
    ended_at: datetime | None = None
    language: str | None = None
    note: str | None = None
    callback_due_at: datetime | None = None
    case_id: int | None = Field(None, description="Link the call to a case (once).")


class VersionIn(Schema):
    version: int


class CallOut(Schema):
    id: int
    version: int
    channel: str
    started_at: datetime
    ended_at: datetime | None
    language: str
    caller_kind: str
    topic_kind: str
    topic_category: str | None
    note: str
    case_id: int | None
    taken_by: str | None
    callback_due_at: datetime | None
    callback_done_at: datetime | None
    flagged: bool
    flag_acknowledged_at: datetime | None


class CallPageOut(Schema):
    items: list[CallOut]
    next_cursor: str | None


class BoardOut(Schema):
    open_calls: int
    calls_today: int
    night_today: int = Field(description="Of today's calls (local day), those at 23:00-07:00.")
    per_hour: list[int] = Field(description="Calls that started in each local hour 0-23 today.")
    callbacks_due: int
    flagged_tips: int
