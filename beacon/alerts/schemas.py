"""Input and output schemas of the search notices' API (separate: clients never send what they
read). Choice fields are documented as enums but checked by the services, so a wrong value
answers the same message in the API as in the staff pages."""

from datetime import datetime

from django.conf import settings
from ninja import Field, Schema

from beacon.alerts.choices import Channel, ChannelStatus, NoticeKind, NoticeStatus, StatNetwork


def _enum(values, *, blank: bool = False) -> dict:
    return {"enum": ["", *values] if blank else list(values)}


_LANGUAGES = [code for code, _name in settings.LANGUAGES]
_TEXTS = (
    "One text per language code of `languages`, e.g. "
    '`{"nl": "...", "fr": "..."}`; at most 3,000 characters each.'
)

# --- inputs ------------------------------------------------------------------------------------


class NoticeListQuery(Schema):
    status: str = Field("", json_schema_extra=_enum(NoticeStatus.values, blank=True))
    kind: str = Field("", json_schema_extra=_enum(NoticeKind.values, blank=True))
    case_id: int | None = Field(None, description="Only the notices of this case.")
    cursor: str = Field("", description="`next_cursor` of the previous page.")
    limit: int = Field(25, ge=1, le=100)


class NoticeIn(Schema):
    """A draft notice for an open missing-child case. Fields left out are proposed from the
    case (first name, age, last seen, province) or default (public; page and poster; nl, fr)."""

    case_id: int
    kind: str = Field(NoticeKind.PUBLIC, json_schema_extra=_enum(NoticeKind.values))
    channels: list[str] = Field(
        default_factory=list,
        json_schema_extra={"items": _enum(Channel.values)},
        description="A discrete notice: vignette and partners only.",
    )
    languages: list[str] = Field(
        default_factory=list, json_schema_extra={"items": _enum(_LANGUAGES)}
    )
    display_name: str = Field("", max_length=100, description="Usually the first name only.")
    age: int | None = None
    description: dict[str, str] = Field(default_factory=dict, description=_TEXTS)
    instructions: dict[str, str] = Field(
        default_factory=dict, description=_TEXTS + " Empty: call 116 000 (or 116 800 for a tip)."
    )
    last_seen_at: datetime | None = None
    last_seen_place: str = Field("", max_length=200)
    region: str | None = Field(None, description="Province code, e.g. BE-VAN.")
    municipalities: list[str] = Field(
        default_factory=list, description="Municipality codes of the province (NIS codes)."
    )
    still_missing: bool = False


class NoticePatch(Schema):
    """Changes to a notice not yet published; only the fields sent change. A submitted or
    approved notice goes back to draft (an approval is of the text approved). `version` is the
    one read: 409 when the notice changed since."""

    version: int
    kind: str | None = Field(None, json_schema_extra=_enum(NoticeKind.values))
    channels: list[str] | None = None
    languages: list[str] | None = None
    display_name: str | None = Field(None, max_length=100)
    age: int | None = None
    description: dict[str, str] | None = None
    instructions: dict[str, str] | None = None
    last_seen_at: datetime | None = None
    last_seen_place: str | None = Field(None, max_length=200)
    region: str | None = None
    municipalities: list[str] | None = None
    still_missing: bool | None = None


class VersionIn(Schema):
    version: int = Field(description="The notice's `version` as read; 409 when it changed since.")


class AgreementIn(Schema):
    """The investigating authority's agreement (who, when); for a minor, when the parents were
    informed."""

    version: int
    authority_name: str = Field(max_length=200)
    agreed_by: str = Field(max_length=200, description="The magistrate or officer who agreed.")
    agreed_at: datetime
    parents_informed_at: datetime | None = None


class ReturnIn(Schema):
    version: int
    reason: str = Field(..., max_length=1000)


class WithdrawIn(Schema):
    reason: str = Field(max_length=200, description="e.g. found safe.")


class StatIn(Schema):
    """A network's figures for a published notice; sending a network again replaces them."""

    network: str = Field(json_schema_extra=_enum(StatNetwork.values))
    views: int = Field(0, ge=0)
    shares: int = Field(0, ge=0)
    reach: int = Field(0, ge=0)
    interactions: int = Field(0, ge=0)


# --- outputs -----------------------------------------------------------------------------------


class StepOut(Schema):
    by: str | None
    at: datetime | None


class PhotoOut(Schema):
    id: int
    position: int
    uploaded_at: datetime
    uploaded_by: str | None


class ChannelStateOut(Schema):
    channel: str = Field(json_schema_extra=_enum(Channel.values))
    status: str = Field(json_schema_extra=_enum(ChannelStatus.values))
    published_at: datetime | None
    withdrawal_started_at: datetime | None
    withdrawn_at: datetime | None
    detail: str


class NoticeSummaryOut(Schema):
    id: int
    public_id: str
    case_id: int
    case_number: str
    kind: str
    status: str = Field(json_schema_extra=_enum(NoticeStatus.values))
    display_name: str
    region: str | None
    created_at: datetime
    published_at: datetime | None
    withdrawn_at: datetime | None
    version: int


class NoticeOut(NoticeSummaryOut):
    channels: list[str]
    languages: list[str]
    age: int | None
    description: dict[str, str]
    instructions: dict[str, str]
    last_seen_at: datetime | None
    last_seen_place: str
    municipalities: list[str]
    still_missing: bool
    authority_name: str
    authority_agreed_by: str
    photos: list[PhotoOut]
    steps: dict[str, StepOut] = Field(
        description="prepared, agreement, parents_informed, submitted, approved, published, "
        "withdrawn: who and when (null until done)."
    )
    withdrawal_reason: str
    deliveries: list[ChannelStateOut]


class NoticePageOut(Schema):
    items: list[NoticeSummaryOut]
    next_cursor: str | None


class MessageCountsOut(Schema):
    delivered: int
    pending: int
    retrying: int = Field(description="Pending after at least one failed attempt.")
    failed: int
    cancelled: int
    last_error: str


class ChannelReportOut(Schema):
    channel: str
    status: str
    published_at: datetime | None
    withdrawal_started_at: datetime | None
    withdrawn_at: datetime | None
    withdrawal_seconds: float | None = Field(description="How long the withdrawal took.")
    detail: str
    withdrawal_messages: MessageCountsOut | None = Field(
        description="Channels that mobilise people: the withdrawal messages by status."
    )
    publication_messages: MessageCountsOut | None = Field(
        description="The publication's messages; `cancelled` were never sent (withdrawn first)."
    )
    files: int
    files_deleted: int


class RecipientsOut(Schema):
    channel: str
    recipients: int
    confirmed: int


class WithdrawalReportOut(Schema):
    notice_id: int
    status: str
    withdrawn_at: datetime | None
    in_progress: bool
    channels: list[ChannelReportOut]
    files: int
    files_deleted: int
    recipients: list[RecipientsOut]


class StatOut(Schema):
    network: str
    views: int
    shares: int
    reach: int
    interactions: int
    source: str
    recorded_by: str | None
    recorded_at: datetime
