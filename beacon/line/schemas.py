"""Input and output schemas of the line API (separate: clients never send what they read)."""

from datetime import date, datetime

from ninja import Field, Schema

from beacon.cases.schemas import FactsIn
from beacon.line.models import MAX_CALL_HOURS, CallerKind, LineChannel, TopicKind
from beacon.line.services import LANGUAGES
from beacon.people.schemas import PersonIn


def _enum(choices) -> dict:
    return {"enum": list(choices.values)}


class CallListQuery(Schema):
    """The call list's filters and the page to read."""

    channel: str = Field("", json_schema_extra={"enum": ["", *LineChannel.values]})
    day: date | None = Field(None, description="Calls that started on this local day.")
    taken_by: int | None = Field(None, description="User id of the responder.")
    open_only: bool = Field(False, description="Only calls not ended yet.")
    cursor: str = Field("", description="`next_cursor` of the previous page.")


class NewCaseIn(Schema):
    """A case opened from the call. Its category is the call's `topic_category` (the topic is
    then a case category); the call's channel and caller give the case's channel and reporter,
    and the call's note its summary."""

    subkind: str | None = Field(None, description="Required when the category has sub-kinds.")
    person_id: int | None = Field(None, description="A known person (an earlier episode).")
    person: PersonIn | None = Field(None, description="A new person: the caller's facts.")
    last_seen_at: datetime | None = Field(
        None, description="Disappearances (required), with its time zone; not in the future."
    )
    last_seen_place: str = Field("", max_length=200)
    reporter_contact: str = Field("", max_length=200)
    facts: FactsIn | None = Field(
        None, description="Sexual-exploitation cases: the facts of the category (see /cases)."
    )


class CallIn(Schema):
    """A contact on the line. `started_at` defaults to now (at most 5 minutes ahead of the
    server's clock); leave `ended_at` empty while it lasts (at most %(hours)s hours long).
    Give `case_id` for an existing case, or `open_case` to open one from the call (not both)."""

    channel: str = Field(json_schema_extra=_enum(LineChannel))
    started_at: datetime | None = None
    ended_at: datetime | None = None
    language: str = Field("", json_schema_extra={"enum": ["", *LANGUAGES]})
    caller_kind: str = Field(json_schema_extra=_enum(CallerKind))
    topic_kind: str = Field(
        TopicKind.CASE_CATEGORY.value,
        json_schema_extra=_enum(TopicKind),
        description="case_category needs `topic_category`; the other topics take none.",
    )
    topic_category: str | None = Field(
        None, description="A category key (GET /categories, not a legacy one)."
    )
    note: str = Field("", max_length=2000)
    callback_due_at: datetime | None = Field(
        None, description="Ask for a callback by this time (not before the start)."
    )
    case_id: int | None = Field(None, description="The case the contact concerns.")
    open_case: NewCaseIn | None = None


CallIn.__doc__ = (CallIn.__doc__ or "") % {"hours": MAX_CALL_HOURS}


class CallPatch(Schema):
    """Complete or correct a call: only the fields sent change. `version` is the one read;
    409 when someone changed the call since."""

    version: int
    ended_at: datetime | None = None
    language: str | None = None
    caller_kind: str | None = Field(None, json_schema_extra=_enum(CallerKind))
    topic_kind: str | None = Field(None, json_schema_extra=_enum(TopicKind))
    topic_category: str | None = None
    note: str | None = Field(None, max_length=2000)
    callback_due_at: datetime | None = None
    case_id: int | None = Field(None, description="Link the call to a case (once).")


class EndIn(Schema):
    version: int
    at: datetime | None = Field(None, description="When the call ended; default now.")


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
    flagged: bool = Field(description="A 116 800 tip about a missing child's case.")
    flag_acknowledged_at: datetime | None = Field(description="When the case's manager read it.")


class CallPageOut(Schema):
    items: list[CallOut]
    next_cursor: str | None


class BoardOut(Schema):
    open_calls: int = Field(description="Calls not ended.")
    calls_today: int = Field(description="Calls that started today (the local day).")
    calls_116000_today: int = Field(
        description="Of today's calls, those to 116 000 (the free and the international line)."
    )
    night_today: int = Field(description="Of today's calls, those that started 23:00-07:00.")
    per_hour: list[int] = Field(description="Calls that started in each local hour 0-23 today.")
    callbacks_due: int = Field(description="Callbacks due now or overdue, not done.")
    flagged_tips: int = Field(description="Flagged tips no case manager has read yet.")
