"""The API of funding: bank (mounted under /api/v1/funding by beacon/funding/api.py).

POST /bank/statements (multipart, field `file`): import a CAMT.053 statement (201; 422 naming
what is wrong with a refused file, or saying when it was imported before). GET /bank/statements:
the imported statements with their counts; GET /bank/statements/{id}/lines: one statement's
lines. GET /bank/queue: the credits no donor was found for; POST /bank/lines/{id}/resolve gives
one to a donor (the gift is created), POST /bank/lines/{id}/ignore sets it aside; both take the
line's `version` as read (409 when it changed). Finance users and administrators only (403
audited). CODA files are not read (no maintained parser exists).
"""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from beacon.core.api import error_responses
from beacon.funding import bank
from beacon.funding.models import BankStatement, StatementLine

router = Router(tags=["funding: bank"])

MAX_LIMIT = 500


class StatementOut(Schema):
    id: int
    filename: str
    message_id: str
    account_iban: str
    created_on: datetime | None
    imported_at: datetime
    imported_by: str | None
    entries: int = Field(description="Entries in the file.")
    new_entries: int = Field(description="Entries not imported before (from another file).")
    matched: int = Field(description="Credits matched to a donor (each became a gift).")


class LineOut(Schema):
    id: int
    statement_id: int
    booked_on: date
    amount: Decimal
    currency: str
    credit: bool
    counterparty_name: str
    counterparty_iban: str
    structured_reference: str
    remittance: str
    mandate_reference: str
    status: str = Field(description="matched, unmatched, resolved or ignored")
    match_rule: str = Field(description="reference, account, mandate, manual or blank")
    reason: str
    donor_id: int | None
    gift_id: int | None
    version: int


class ResolveIn(Schema):
    version: int = Field(description="The line's `version` as read; 409 when it changed.")
    donor_id: int
    remember_account: bool = Field(
        False, description="Add the counterparty's IBAN to the donor's accounts."
    )


class IgnoreIn(Schema):
    version: int = Field(description="The line's `version` as read; 409 when it changed.")
    reason: str


class Page(Schema):
    limit: int = Field(100, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


def statement_out(statement: BankStatement) -> dict:
    return {
        "id": statement.pk,
        "filename": statement.filename,
        "message_id": statement.message_id,
        "account_iban": statement.account_iban,
        "created_on": statement.created_on,
        "imported_at": statement.imported_at,
        "imported_by": statement.imported_by.get_username() if statement.imported_by else None,
        "entries": statement.entries,
        "new_entries": statement.new_entries,
        "matched": statement.matched,
    }


def line_out(line: StatementLine) -> dict:
    gift = getattr(line, "gift", None) if line.status in ("matched", "resolved") else None
    return {
        "id": line.pk,
        "statement_id": line.statement_id,
        "booked_on": line.booked_on,
        "amount": line.amount,
        "currency": line.currency,
        "credit": line.credit,
        "counterparty_name": line.counterparty_name,
        "counterparty_iban": line.counterparty_iban,
        "structured_reference": line.structured_reference,
        "remittance": line.remittance,
        "mandate_reference": line.mandate_reference,
        "status": line.status,
        "match_rule": line.match_rule,
        "reason": line.reason,
        "donor_id": line.donor_id,
        "gift_id": gift.pk if gift is not None else None,
        "version": line.version,
    }


@router.post(
    "/statements",
    response={201: StatementOut, **error_responses(403, 422)},
    summary="Import a CAMT.053 statement",
)
def import_statement(request, file: File[UploadedFile]):
    content = file.read(bank.MAX_FILE_BYTES + 1)  # more is refused by the service
    statement = bank.statement_import(actor=request.user, filename=file.name or "", content=content)
    return Status(201, statement_out(statement))


@router.get(
    "/statements",
    response={200: list[StatementOut], **error_responses(403)},
    summary="Imported statements",
)
def list_statements(request, page: Query[Page]):
    statements = bank.statements_list(user=request.user)
    return [statement_out(s) for s in statements[page.offset : page.offset + page.limit]]


@router.get(
    "/statements/{statement_id}/lines",
    response={200: list[LineOut], **error_responses(403, 404)},
    summary="A statement's lines",
)
def list_statement_lines(request, statement_id: int):
    statement = bank.statement_get(user=request.user, pk=statement_id)
    return [
        line_out(line)
        for line in bank.statement_lines(user=request.user, statement_id=statement.pk)
    ]


@router.get(
    "/queue",
    response={200: list[LineOut], **error_responses(403)},
    summary="Credits to resolve",
)
def queue(request, page: Query[Page]):
    lines = bank.unmatched_lines(user=request.user)
    return [line_out(line) for line in lines[page.offset : page.offset + page.limit]]


@router.post(
    "/lines/{line_id}/resolve",
    response={200: LineOut, **error_responses(403, 404, 409, 422)},
    summary="Give a queued credit to a donor",
)
def resolve_line(request, line_id: int, payload: ResolveIn):
    line = bank.line_resolve(
        actor=request.user,
        line_id=line_id,
        expected_version=payload.version,
        donor_id=payload.donor_id,
        remember_account=payload.remember_account,
    )
    return line_out(bank.line_get(user=request.user, pk=line.pk))


@router.post(
    "/lines/{line_id}/ignore",
    response={200: LineOut, **error_responses(403, 404, 409, 422)},
    summary="Set a queued line aside (not a gift)",
)
def ignore_line(request, line_id: int, payload: IgnoreIn):
    line = bank.line_ignore(
        actor=request.user,
        line_id=line_id,
        expected_version=payload.version,
        reason=payload.reason,
    )
    return line_out(line)
