"""The API of funding: accounts (mounted under /api/v1/funding by beacon/funding/api.py).

GET /accounts/{year}?compare=YYYY: the balance sheet, income statement and appropriation of a
year (its current trial balance) beside another, with the checks; GET /accounts/{year}/shares:
income by source and expenses by activity; POST /accounts/import (multipart, field `file`): a
trial balance in CSV or XLSX. Finance users and administrators only (funding.view_accounts,
funding.add_trialbalance); 403 audited, 404 when the year has no trial balance, 422 naming the
rows of a refused file.
"""

from decimal import Decimal

from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from beacon.core.api import error_responses
from beacon.funding import accounts

router = Router(tags=["funding: accounts"])


class RowOut(Schema):
    kind: str
    key: str
    label: str
    code: str
    amount: Decimal | None
    compare: Decimal | None


class SectionOut(Schema):
    key: str
    title: str
    rows: list[RowOut]


class CheckOut(Schema):
    key: str
    label: str
    year: int
    ok: bool
    difference: Decimal


class StatementsOut(Schema):
    year: int
    compare_year: int | None
    ok: bool
    checks: list[CheckOut]
    sections: list[SectionOut]
    subtotals: dict[str, Decimal]
    compare_subtotals: dict[str, Decimal] | None


class ShareOut(Schema):
    key: str
    label: str
    amount: Decimal
    percent: Decimal


class SharesOut(Schema):
    year: int
    income_total: Decimal
    expenses_total: Decimal
    income: list[ShareOut]
    expenses: list[ShareOut]


class TrialBalanceOut(Schema):
    id: int
    year: int
    filename: str
    sha256: str
    current: bool
    lines: int


@router.post(
    "/import",
    response={201: TrialBalanceOut, **error_responses(403, 422)},
    url_name="accounts_import",
)
def import_trial_balance(request, file: File[UploadedFile]):
    """Import a year's trial balance (CSV or XLSX); it replaces that year's current one."""
    content = file.read(accounts.MAX_FILE_BYTES + 1)  # more is refused by the service
    balance = accounts.trial_balance_import(
        actor=request.user, filename=file.name or "", content=content
    )
    return Status(
        201,
        {
            "id": balance.pk,
            "year": balance.year,
            "filename": balance.filename,
            "sha256": balance.sha256,
            "current": balance.current,
            "lines": balance.lines.count(),
        },
    )


@router.get(
    "/{year}", response={200: StatementsOut, **error_responses(403, 404)}, url_name="accounts"
)
def get_statements(request, year: int, compare: int | None = None):
    """The statements of `year` beside `compare` (blank amounts when that year has none)."""
    result = accounts.statements(user=request.user, year=year, compare_year=compare)
    return {
        "year": result.year,
        "compare_year": result.compare_year,
        "ok": result.ok,
        "checks": [vars(c) for c in result.checks],
        "sections": [
            {"key": s.key, "title": s.title, "rows": [vars(r) for r in s.rows]}
            for s in result.sections
        ],
        "subtotals": result.subtotals,
        "compare_subtotals": result.compare_subtotals,
    }


@router.get(
    "/{year}/shares", response={200: SharesOut, **error_responses(403, 404)}, url_name="shares"
)
def get_shares(request, year: int):
    """Income by source and expenses by activity, in percent of their totals."""
    result = accounts.shares(user=request.user, year=year)
    return {
        "year": result.year,
        "income_total": result.income_total,
        "expenses_total": result.expenses_total,
        "income": [vars(s) for s in result.income],
        "expenses": [vars(s) for s in result.expenses],
    }
