"""Input and output schemas of the hash banks' API (separate: clients never send what they read).

Choice fields are documented as enums but checked by the services, so a wrong value answers the
same message in the API as in the staff pages.
"""

from datetime import datetime

from ninja import Field, Schema

from beacon.matching.choices import BankSource, HashKind, ImportFormat, ImportStatus
from beacon.reports.choices import ILLEGAL


def _enum(values) -> dict:
    return {"enum": list(values)}


CLASSIFICATIONS = sorted(ILLEGAL)

# --- inputs ------------------------------------------------------------------------------------


class BankIn(Schema):
    """A new bank. `auto_act_exact`: an identical image triggers the takedown notice without an
    analyst. `near_threshold`: the largest PDQ distance (bits of 256) counted as a near match."""

    name: str = Field(description="Unique (whatever the case), at most 120 characters.")
    source: str = Field(json_schema_extra=_enum(BankSource.values))
    description: str = ""
    auto_act_exact: bool = False
    near_to_analysts: bool = True
    near_threshold: int = Field(31, description="0 to 64.")
    classification: str = Field("baseline", json_schema_extra=_enum(CLASSIFICATIONS))
    active: bool = True


class BankUpdateIn(Schema):
    """A change of a bank's settings: only the fields sent change."""

    version: int = Field(description="The bank's `version` as read; 409 when it changed since.")
    name: str | None = None
    source: str | None = Field(None, json_schema_extra=_enum(BankSource.values))
    description: str | None = None
    auto_act_exact: bool | None = None
    near_to_analysts: bool | None = None
    near_threshold: int | None = Field(None, description="0 to 64.")
    classification: str | None = Field(None, json_schema_extra=_enum(CLASSIFICATIONS))
    active: bool | None = None


class RemovalIn(Schema):
    """Hashes to remove (a partner retracted them), with the reason. All or nothing: a value
    that is not a hash or not in the bank is named in a 422 and nothing is removed."""

    values: list[str] = Field(
        min_length=1, description="Hex values; one string may also hold several, separated."
    )
    reason: str = Field(description="At most 300 characters.")
    kind: str = Field(
        "",
        json_schema_extra=_enum(["", *HashKind.values]),
        description="Empty: every kind of the value's length (64 hex: PDQ and SHA-256).",
    )


class ExportQuery(Schema):
    format: str = Field(json_schema_extra=_enum(ImportFormat.values))


# --- outputs -----------------------------------------------------------------------------------


class BankOut(Schema):
    id: int
    name: str
    source: str = Field(json_schema_extra=_enum(BankSource.values))
    description: str
    auto_act_exact: bool
    near_to_analysts: bool
    near_threshold: int
    classification: str
    active: bool
    created_at: datetime
    changed_at: datetime
    version: int
    live_hashes: int = Field(description="Hashes not removed, of every kind.")


class ImportErrorOut(Schema):
    line: int
    reason: str


class ImportOut(Schema):
    id: int
    bank_id: int
    format: str = Field(json_schema_extra=_enum(ImportFormat.values))
    filename: str
    size: int
    status: str = Field(json_schema_extra=_enum(ImportStatus.values))
    lines_total: int
    lines_done: int
    progress_pct: int
    added: int = Field(description="New hashes, and removed ones restored.")
    duplicates: int = Field(description="Already in the bank, or repeated in the file.")
    malformed: int
    errors: list[ImportErrorOut] = Field(description="The first 1,000 malformed lines.")
    failure: str = Field(description="Why the import failed (status `failed`).")
    created_at: datetime
    created_by: str | None
    started_at: datetime | None
    finished_at: datetime | None


class ImportSummaryOut(Schema):
    id: int
    format: str
    filename: str
    status: str
    lines_total: int
    lines_done: int
    added: int
    duplicates: int
    malformed: int
    created_at: datetime
    finished_at: datetime | None


class BankDetailOut(BankOut):
    live_by_kind: dict[str, int] = Field(description="Hashes not removed, per kind.")
    imports: list[ImportSummaryOut] = Field(description="The latest imports, newest first.")


class RemovalOut(Schema):
    removed: int
    already_removed: int = Field(description="Values that were removed before (left as they were).")
    bank_version: int
