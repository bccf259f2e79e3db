"""Input and output schemas of image matching's API (scans, matches, the analysts' queue)."""

from datetime import datetime

from ninja import Field, Schema

from beacon.matching.choices import ItemStatus, MatchResult


class HashItemIn(Schema):
    """A PDQ hash computed by the tool that found the image."""

    pdq: str = Field(description="64 hexadecimal characters.")
    quality: int = Field(description="PDQ's quality, 0-100.")
    url: str = Field("", description="Where the image was found (text; Beacon never opens it).")
    found_at: datetime | None = Field(None, description="When it was found, with a time zone.")


class HashBatchIn(Schema):
    items: list[HashItemIn] = Field(description="At most settings.MATCHING_BATCH_MAX items.")
    label: str = Field("", max_length=200, description="The tool or crawl, for the record.")


class DecisionIn(Schema):
    version: int = Field(description="The item's `version` as read.")
    note: str = ""


class ConfirmIn(DecisionIn):
    add_to_own_bank: bool = Field(False, description="Add the image's PDQ to the own bank.")
    hosting_country: str = Field(
        "", description="ISO 3166-1 alpha-2, when Beacon could not tell where it is hosted."
    )


class RefusalOut(Schema):
    code: str
    message: str


class ScanResultOut(Schema):
    position: int = Field(description="The item's place in the batch (from 0).")
    id: int | None = Field(None, description="The scanned item (absent when refused).")
    duplicate: bool = Field(False, description="Submitted before: the first result is returned.")
    result: str | None = Field(None, json_schema_extra={"enum": list(MatchResult.values)})
    status: str | None = Field(None, json_schema_extra={"enum": list(ItemStatus.values)})
    best_distance: int | None = None
    refused: RefusalOut | None = None


class BatchOut(Schema):
    batch_id: int | None = Field(None, description="Absent when every item was refused.")
    images: int = Field(description="Items recorded by this batch (new ones).")
    items: list[ScanResultOut]


class MatchOut(Schema):
    bank: str
    bank_id: int
    bank_hash_id: int
    kind: str
    distance: int
    variant: str


class ItemOut(Schema):
    id: int
    url: str
    found_at: datetime | None
    submitted_at: datetime
    pdq: str
    quality: int
    sha256: str
    result: str
    status: str
    queue_reason: str
    best_distance: int | None
    best_bank: str | None
    matches: list[MatchOut]
    url_item_id: int | None = Field(None, description="The civil hotline's record of the URL.")
    notices: list[str] = Field(description="References of the notices about the URL.")
    preview_kept: bool
    decided_at: datetime | None
    decided_by: str | None
    decision_note: str
    version: int


class QueuePageOut(Schema):
    waiting: int
    items: list[ItemOut]
    next_after: str | None = Field(None, description="Pass as `after` for the next page.")


class IndexOut(Schema):
    built: bool
    hashes: int
    radius: int | None
    built_seconds: float | None
    rebuilding: bool
