"""Input and output schemas of the case API (separate: clients never send what they read)."""

from datetime import date, datetime

from ninja import Field, Schema


class SubKindOut(Schema):
    key: str
    name: str


class CategoryOut(Schema):
    key: str
    mission: str
    name: str
    figure_key: str
    legacy: bool = Field(description="Old records keep it; new cases cannot use it.")
    extra_fields: list[str]
    subkinds: list[SubKindOut]


class RegionOut(Schema):
    code: str
    name: str


class PersonIn(Schema):
    first_name: str
    last_name: str
    date_of_birth: date | None = None
    estimated_age: int | None = Field(None, description="When the date of birth is unknown.")
    gender: str = "unknown"
    languages: list[str] = []
    nationality: str = ""
    in_institution: bool = False
    institution_name: str = ""


class CaseIn(Schema):
    """A new case. Give `person_id` (an earlier episode's person) or `person`. Photos are added
    through the staff UI, not through this API."""

    person_id: int | None = None
    person: PersonIn | None = None
    category: str = Field(description="Category key, see GET /categories.")
    subkind: str | None = None
    last_seen_at: datetime = Field(
        description="With its time zone, e.g. 2025-06-01T14:30:00+02:00."
    )
    last_seen_place: str = ""
    region: str = Field("", description="Region (province) code, see GET /regions.")
    channel: str
    reporter_kind: str
    reporter_contact: str = ""
    police_reference: str = ""
    summary: str = ""
    direction: str = ""
    countries: list[str] = []
    country_of_origin: str = ""
    assigned_to: int | None = Field(None, description="User id of the case manager.")
    criteria: dict[str, bool] = Field(
        {}, description='Criteria 2-6 that hold, e.g. {"medication": true}.'
    )
    notes: dict[str, str] = Field({}, description="A note per criterion key.")


class CasePatch(Schema):
    """Changes to a case's details; only the fields sent are changed. `version` is the one read."""

    version: int
    subkind: str | None = None
    last_seen_at: datetime | None = None
    last_seen_place: str | None = None
    region: str | None = None
    channel: str | None = None
    reporter_kind: str | None = None
    reporter_contact: str | None = None
    police_reference: str | None = None
    summary: str | None = None
    direction: str | None = None
    countries: list[str] | None = None
    country_of_origin: str | None = None
    assigned_to: int | None = None


class AssessmentIn(Schema):
    version: int
    criteria: dict[str, bool] = {}
    notes: dict[str, str] = {}


class NoteIn(Schema):
    text: str
    kind: str = Field("note", description="note or contact")


class CloseIn(Schema):
    version: int
    outcome: str
    found_at: datetime | None = None
    note: str = ""


class ReopenIn(Schema):
    version: int
    reason: str


class PersonRef(Schema):
    id: int
    first_name: str
    last_name: str


class AssessmentOut(Schema):
    id: int
    assessed_at: datetime
    assessed_by: str | None
    is_worrying: bool
    criteria_held: list[str]
    notes: dict[str, str]


class CaseSummaryOut(Schema):
    id: int
    number: str
    category: str
    subkind: str | None
    status: str
    worrying: bool
    opened_at: datetime
    last_seen_at: datetime
    region: str | None
    assigned_to: str | None
    person: PersonRef


class CaseOut(CaseSummaryOut):
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


class CasePageOut(Schema):
    items: list[CaseSummaryOut]
    next_cursor: str | None


class TimelineOut(Schema):
    at: datetime
    author: str | None
    kind: str
    text: str
    data: dict


class PersonOut(Schema):
    id: int
    first_name: str
    last_name: str
    date_of_birth: date | None
    estimated_age: int | None
    gender: str
    languages: list[str]
    nationality: str
    in_institution: bool
    institution_name: str
    has_photo: bool


class PersonWithEpisodesOut(PersonOut):
    episode_count: int
    total_missing_seconds: int | None
    longest_missing_seconds: int | None
    episodes: list[CaseSummaryOut]
