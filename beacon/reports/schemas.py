"""Input and output schemas of the civil hotline's API (separate: clients never send what they read).

Nothing here describes a reporter beyond what they chose to tell about what they saw: a report
is its number, when it came in, where it was seen and the description. The e-mail address a
reporter may have left for the outcome is never part of any answer.

Choice fields are documented as enums but checked by the services, so a wrong value answers the
same message in the API as in the staff pages.
"""

from datetime import date, datetime

from ninja import Field, Schema

from beacon.reports.choices import (
    Action,
    AgeGroup,
    Classification,
    ContentType,
    Inaccessible,
    ItemStatus,
    PlatformDecision,
    SiteType,
    VictimGender,
)


def _enum(choices, *, blank: bool = True) -> dict:
    return {"enum": ["", *choices.values] if blank else list(choices.values)}


# --- inputs ------------------------------------------------------------------------------------


class ItemListQuery(Schema):
    """The queue (no status: to assess, waiting for a second opinion, actions to confirm) or
    every URL of one status, oldest first, and the page to read."""

    status: str = Field("", json_schema_extra=_enum(ItemStatus))
    after: int | None = Field(
        None, ge=1, description="`next_after` of the previous page: the items after this id."
    )


class AssessmentIn(Schema):
    """An analyst's assessment of a URL in INHOPE's classification. An accessible URL has a
    classification; illegal content also its victim age group, gender, content type, site type
    and hosting country. An inaccessible one has only the reason. Without `hosting_country`
    the one already on the URL is kept (Beacon's proposal is `hosting.proposed_country`)."""

    version: int = Field(description="The URL's `version` as read; 409 when it changed since.")
    accessible: bool
    inaccessible_reason: str = Field("", json_schema_extra=_enum(Inaccessible))
    classification: str = Field("", json_schema_extra=_enum(Classification))
    age_group: str = Field("", json_schema_extra=_enum(AgeGroup))
    gender: str = Field("", json_schema_extra=_enum(VictimGender))
    content_type: str = Field("", json_schema_extra=_enum(ContentType))
    self_generated: bool | None = None
    commercial: bool | None = None
    site_type: str = Field("", json_schema_extra=_enum(SiteType))
    hosting_country: str = Field("", description="ISO 3166-1 alpha-2, e.g. NL.")
    identifiable_victim: bool = False
    note: str = Field("", description="At most 2,000 characters.")


class SecondOpinionIn(Schema):
    version: int


class ActionsIn(Schema):
    """Confirm the actions (usually those Beacon proposed, `proposed_actions`). One notice for
    the hosting country at most; `close` alone. `critical` only with a platform notice."""

    version: int
    actions: list[str] = Field(json_schema_extra={"items": _enum(Action, blank=False)})
    critical: bool = Field(False, description="A platform notice for immediate removal.")
    explanation: str = Field(
        "", description="Why the content is illegal; empty: Beacon writes it from the assessment."
    )
    referral_note: str = Field("", description="For the case manager, with a victim referral.")


class ReplyIn(Schema):
    """What a notice's recipient answered; at least one part. Times with their time zone, not
    before the notice and not in the future. A confirmed removal marks the URL removed."""

    version: int = Field(description="The notice's `version` as read; 409 when it changed since.")
    acknowledged_at: datetime | None = None
    decision: str = Field("", json_schema_extra=_enum(PlatformDecision))
    decided_at: datetime | None = Field(None, description="Required with a decision.")
    action_note: str = ""
    removal_confirmed_at: datetime | None = None


class WorkloadQuery(Schema):
    first: date | None = Field(
        None, alias="from", description="First local day; default 13 days before `to`."
    )
    last: date | None = Field(None, alias="to", description="Last local day; default today.")


class CaseLinkIn(Schema):
    case_id: int = Field(description="The exploitation case opened for the referred victim.")


# --- outputs -----------------------------------------------------------------------------------


class ItemSummaryOut(Schema):
    id: int
    url: str = Field(description="As text: never open it outside the analysis environment.")
    host: str
    status: str
    report_count: int = Field(description="How many reports named it (more than 1: a repeat).")
    first_reported_at: datetime
    last_reported_at: datetime
    platform: str | None = Field(description="The platform's key.")
    proposed_country: str
    behind_cdn: str
    hosting_country: str
    classification: str = Field(description="Of the assessment that counts; empty before one.")
    version: int


class ItemPageOut(Schema):
    items: list[ItemSummaryOut]
    next_after: int | None = Field(description="Pass as `after` for the next page.")


class ReportOut(Schema):
    """A report naming the URL: nothing about the reporter but what they saw and where."""

    number: str
    received_at: datetime
    where_seen: str
    platform: str | None
    platform_other: str
    description: str


class HostingOut(Schema):
    proposed_country: str = Field(description="Beacon's proposal (DNS + IP-to-country).")
    hosting_country: str = Field(description="As the analyst set it (the notice follows it).")
    resolved_ips: list[str]
    cname_chain: list[str]
    behind_cdn: str = Field(
        description="The CDN the address belongs to: the host may be elsewhere."
    )
    checked_at: datetime | None
    host_changed: bool = Field(description="The checks saw another host or address.")


class AssessmentOut(Schema):
    id: int
    analyst: str = Field(description="Empty when image matching assessed it alone.")
    assessed_at: datetime
    accessible: bool
    inaccessible_reason: str
    classification: str
    age_group: str
    gender: str
    content_type: str
    self_generated: bool | None
    commercial: bool | None
    site_type: str
    hosting_country: str
    identifiable_victim: bool
    second_opinion: bool
    note: str


class DeliveryOut(Schema):
    """The notice's outbox message: pending until a worker delivered it."""

    status: str
    attempts: int
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    last_error: str


class NoticeOut(Schema):
    id: int
    reference: str = Field(description="A reply quotes it.")
    item_id: int
    kind: str
    recipient: str
    recipient_country: str
    trusted_flagger: bool
    critical: bool
    legal_provision: str
    explanation: str
    created_at: datetime
    delivery: DeliveryOut | None
    acknowledged_at: datetime | None
    decision: str
    decided_at: datetime | None
    action_note: str
    removal_confirmed_at: datetime | None
    version: int


class CheckOut(Schema):
    checked_at: datetime
    online: bool
    status_code: int | None
    error: str
    address: str
    final_host: str


class ReferralOut(Schema):
    """An identifiable victim referred to case managers (the URL itself is not shown to them)."""

    id: int
    item_id: int
    referred_at: datetime
    referred_by: str | None
    note: str
    case_id: int | None
    case_number: str | None
    handled_at: datetime | None


class ItemOut(Schema):
    id: int
    url: str = Field(description="As text: never open it outside the analysis environment.")
    host: str
    status: str
    version: int
    report_count: int
    first_reported_at: datetime
    last_reported_at: datetime
    platform: str | None
    reports: list[ReportOut]
    hosting: HostingOut
    assessments: list[AssessmentOut] = Field(description="Oldest first; the last one counts.")
    second_opinion_requested_by: str | None
    proposed_actions: list[str] = Field(description="What Beacon proposes after the assessment.")
    actions: list[str] = Field(description="The actions confirmed.")
    decided_at: datetime | None
    decided_by: str | None
    first_notice_at: datetime | None
    removed_at: datetime | None
    removal_source: str
    notices: list[NoticeOut]
    referral: ReferralOut | None
    checks: list[CheckOut] = Field(description="The latest availability checks, newest first.")
    next_check_at: datetime | None
    closed_at: datetime | None


class ItemStateOut(Schema):
    """Where the URL stands after a change: send this `version` with the next one."""

    id: int
    status: str
    version: int
    hosting_country: str
    proposed_actions: list[str]
    actions: list[str]
    removed_at: datetime | None


class AssessedOut(Schema):
    item: ItemStateOut
    assessment: AssessmentOut


class ItemChangedOut(Schema):
    item: ItemStateOut


class ConfirmedOut(Schema):
    item: ItemStateOut
    notices: list[NoticeOut] = Field(description="The notices written, each with its outbox.")
    referral: ReferralOut | None


class RepliedOut(Schema):
    item: ItemStateOut
    notice: NoticeOut


class WorkloadRowOut(Schema):
    day: date = Field(description="The local day.")
    analyst: str
    assessments: int
    illegal: int = Field(description="Of which assessed as illegal (baseline or national).")
