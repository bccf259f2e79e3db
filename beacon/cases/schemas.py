"""Input and output schemas of the case API (separate: clients never send what they read).

Fixed vocabularies are documented as enums but checked by the services, so a wrong value gets
the same translated message through the API as through the UI."""

from datetime import datetime

from ninja import Field, Schema

from beacon.cases.choices import (
    CRITERION_KEYS,
    CaseStatus,
    Channel,
    ContentOrigin,
    Direction,
    Mission,
    Outcome,
    PhysicalMeeting,
    ReporterKind,
    ReportSource,
    SupportKind,
    TimelineKind,
)
from beacon.people.schemas import PersonIn, PersonOut, PersonRef

JUDGED_CRITERIA = [key for key in CRITERION_KEYS if key != "under_13"]


def _enum(choices) -> dict:
    return {"enum": list(choices.values)}


class SubKindOut(Schema):
    key: str
    name: str = Field(description="In the user's language.")


class CategoryOut(Schema):
    key: str
    mission: str = Field(json_schema_extra=_enum(Mission))
    name: str = Field(description="In the user's language.")
    figure_key: str = Field(description="The key the category is counted under in figures.")
    legacy: bool = Field(description="Old records keep it; new cases cannot use it.")
    extra_fields: list[str] = Field(
        description="Case fields that apply to this category only (direction, countries, "
        "country_of_origin)."
    )
    subkinds: list[SubKindOut] = Field(description="One must be chosen when there are any.")


class RegionOut(Schema):
    code: str
    name: str = Field(description="In the user's language.")


class UserRef(Schema):
    id: int
    username: str


class CaseIn(Schema):
    """A new case. Give `person_id` (the person of an earlier episode, found with GET /people)
    or `person` (a new person), not both. Photos are added through the staff UI: this API does
    not take uploads."""

    person_id: int | None = None
    person: PersonIn | None = None
    category: str = Field(description="A category key from GET /categories, not a legacy one.")
    subkind: str | None = Field(
        None, description="Required when the category has sub-kinds; one of its keys."
    )
    last_seen_at: datetime | None = Field(
        None,
        description="Disappearances (required): with its time zone, e.g. "
        "2025-06-01T14:30:00+02:00; not in the future. Exploitation cases have none.",
    )
    last_seen_place: str = Field("", max_length=200)
    region: str = Field("", description="Region (province) code from GET /regions.")
    channel: str = Field(description="How the report came in.", json_schema_extra=_enum(Channel))
    reporter_kind: str = Field(json_schema_extra=_enum(ReporterKind))
    reporter_contact: str = Field("", max_length=200)
    police_reference: str = Field("", max_length=64)
    summary: str = ""
    direction: str = Field(
        "", description="Family context only.", json_schema_extra={"enum": ["", *Direction.values]}
    )
    countries: list[str] = Field([], description="ISO 3166-1 alpha-2 codes; family context.")
    country_of_origin: str = Field("", description="ISO 3166-1 alpha-2; unaccompanied minors.")
    assigned_to: int | None = Field(None, description="User id of the case manager.")
    criteria: dict[str, bool] = Field(
        {},
        description='Worrying criteria that hold, e.g. {"medication": true}. Criterion '
        "under_13 is computed from the date of birth; the others: " + ", ".join(JUDGED_CRITERIA),
    )
    notes: dict[str, str] = Field({}, description="A note per criterion key.")
    facts: "FactsIn | None" = Field(
        None, description="Sexual-exploitation cases only: the facts of the category."
    )


class FactsIn(Schema):
    """The facts of a sexual-exploitation case. Which apply is the category's `extra_fields`
    (GET /categories); a fact that does not apply is refused. `victim_age` (0-17, at the time
    of the facts) defaults to the person's age from the date of birth."""

    victim_age: int | None = None
    in_institution: bool | None = Field(None, description="Child prostitution.")
    teen_pimp: bool | None = Field(None, description="Child prostitution.")
    report_source: str = Field(
        "",
        description="Child prostitution.",
        json_schema_extra={"enum": ["", *ReportSource.values]},
    )
    linked_cases: list[int] = Field(
        [], description="Child prostitution: ids of disappearance cases of the same person."
    )
    content_origin: str = Field(
        "",
        description="Sexting without consent.",
        json_schema_extra={"enum": ["", *ContentOrigin.values]},
    )
    expose_group: bool | None = Field(None, description="Sexting without consent.")
    platforms: list[str] = Field([], description="Sexting, sextortion, grooming.")
    amount_demanded: str | float | None = Field(
        None, description='Financial sextortion: euro, e.g. "250.50"; not negative.'
    )
    amount_paid: str | float | None = Field(None, description="Financial sextortion: euro.")
    physical_meeting: str = Field(
        "", description="Grooming.", json_schema_extra={"enum": ["", *PhysicalMeeting.values]}
    )


class FactsPatch(FactsIn):
    """Changes to the facts; only the fields sent change. `version` is the case's."""

    version: int


class FactsOut(Schema):
    victim_age: int
    in_institution: bool | None
    teen_pimp: bool | None
    report_source: str
    content_origin: str
    expose_group: bool | None
    platforms: list[str]
    amount_demanded: str | None
    amount_paid: str | None
    physical_meeting: str
    referred_to_police_at: datetime | None


class SupportSessionIn(Schema):
    at: datetime
    kind: str = Field(json_schema_extra=_enum(SupportKind))
    duration_minutes: int
    note: str = ""


class SupportSessionOut(SupportSessionIn):
    id: int
    given_by: str | None = Field(description="Username.")


class TakedownIn(Schema):
    """A takedown request to a platform; times with their time zone, none in the future,
    answered and removed not before sent."""

    platform: str
    url: str
    sent_at: datetime | None = None
    answered_at: datetime | None = None
    removed_at: datetime | None = None
    note: str = ""


class TakedownPatch(Schema):
    version: int
    sent_at: datetime | None = None
    answered_at: datetime | None = None
    removed_at: datetime | None = None
    note: str | None = None


class TakedownOut(TakedownIn):
    id: int
    version: int


class PoliceReferralIn(Schema):
    version: int
    at: datetime
    police_reference: str = Field("", max_length=64)


class CasePatch(Schema):
    """Changes to a case's details; only the fields sent change, `null` clears a text. `version`
    is the one read: if someone saved the case since, the answer is 409 and nothing changes.
    Status, assessment and category change through their own endpoints (the category never)."""

    version: int
    subkind: str | None = None
    last_seen_at: datetime | None = None
    last_seen_place: str | None = Field(None, max_length=200)
    region: str | None = None
    channel: str | None = Field(None, json_schema_extra=_enum(Channel))
    reporter_kind: str | None = Field(None, json_schema_extra=_enum(ReporterKind))
    reporter_contact: str | None = Field(None, max_length=200)
    police_reference: str | None = Field(None, max_length=64)
    summary: str | None = None
    direction: str | None = Field(None, json_schema_extra={"enum": ["", *Direction.values]})
    countries: list[str] | None = None
    country_of_origin: str | None = None
    assigned_to: int | None = Field(None, description="User id; null unassigns.")


class AssessmentIn(Schema):
    """A new worrying assessment; it replaces the current one, which stays in the history."""

    version: int
    criteria: dict[str, bool] = Field(
        {}, description="Criteria that hold: " + ", ".join(JUDGED_CRITERIA)
    )
    notes: dict[str, str] = Field({}, description="A note per criterion key.")


class NoteIn(Schema):
    text: str
    kind: str = Field(
        TimelineKind.NOTE.value,
        json_schema_extra={"enum": [TimelineKind.NOTE.value, TimelineKind.CONTACT.value]},
    )


class CloseIn(Schema):
    version: int
    outcome: str = Field(json_schema_extra=_enum(Outcome))
    found_at: datetime | None = Field(
        None, description="With its time zone; not before last_seen_at, not in the future."
    )
    note: str = ""


class ReopenIn(Schema):
    version: int
    reason: str


class AssessmentOut(Schema):
    id: int
    assessed_at: datetime
    assessed_by: str | None = Field(description="Username.")
    is_worrying: bool
    criteria_held: list[str]
    notes: dict[str, str]


class CaseSummaryOut(Schema):
    id: int
    number: str
    category: str
    subkind: str | None
    status: str = Field(json_schema_extra=_enum(CaseStatus))
    worrying: bool
    opened_at: datetime
    last_seen_at: datetime | None
    region: str | None
    assigned_to: UserRef | None
    person: PersonRef | None = Field(
        description="Who the case is about; null when the case is restricted."
    )
    restricted: bool = Field(
        description=(
            "An exploitation case you may not open (only its assigned case manager, their team "
            "lead and administrators may): listed so you know it exists, without who it is about."
        )
    )


class CaseOut(CaseSummaryOut):
    """A case with everything the case page shows. Send `version` back with a change."""

    person: PersonOut | None = Field(  # type: ignore[assignment]
        description="Null only in the answer to opening a case you may not read back."
    )
    version: int
    last_seen_place: str
    channel: str
    reporter_kind: str
    reporter_contact: str
    police_reference: str
    summary: str
    direction: str
    countries: list[str]
    country_of_origin: str
    outcome: str
    found_at: datetime | None
    closed_at: datetime | None
    age_at_disappearance: int | None
    current_assessment: AssessmentOut | None
    facts: FactsOut | None = Field(description="Sexual-exploitation cases only.")
    linked_cases: list[int] = Field(description="Ids of linked cases you may open.")


class CasePageOut(Schema):
    """One page, newest first. Pass `next_cursor` as `cursor` for the next; null on the last."""

    items: list[CaseSummaryOut]
    next_cursor: str | None


class TimelineOut(Schema):
    at: datetime
    author: str | None = Field(description="Username.")
    kind: str = Field(json_schema_extra=_enum(TimelineKind))
    text: str
    data: dict


class MergeOut(Schema):
    id: int
    merged_person_id: int
    moved_case_ids: list[int]
    reason: str
    merged_by: str | None
    merged_at: datetime
    undone_at: datetime | None


class PersonWithEpisodesOut(PersonOut):
    """A person with every episode the user may see, newest first."""

    episode_count: int
    total_missing_seconds: int | None = Field(
        description="Sum of the episodes' durations: last seen to found, or to now while open."
    )
    longest_missing_seconds: int | None
    episodes: list[CaseSummaryOut]
    exploitation_cases: list[CaseSummaryOut] = Field(
        description="The person's sexual-exploitation cases that you may open."
    )
    merges: list[MergeOut] = Field(description="Records merged into this one, and undone merges.")


CaseIn.model_rebuild()

__all__ = [
    "AssessmentIn",
    "FactsIn",
    "FactsOut",
    "FactsPatch",
    "PoliceReferralIn",
    "SupportSessionIn",
    "SupportSessionOut",
    "TakedownIn",
    "TakedownOut",
    "TakedownPatch",
    "AssessmentOut",
    "CaseIn",
    "CaseOut",
    "CasePageOut",
    "CasePatch",
    "CaseSummaryOut",
    "CategoryOut",
    "CloseIn",
    "NoteIn",
    "PersonIn",
    "PersonWithEpisodesOut",
    "RegionOut",
    "ReopenIn",
    "TimelineOut",
    "UserRef",
]
