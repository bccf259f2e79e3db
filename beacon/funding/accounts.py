"""The accounts: trial balances imported from CSV or XLSX, and the balance sheet, income
statement and appropriation built from them in the layout of the published reports (the Belgian
ledger codes and groupings of the 2025 report), two years side by side, with their checks, and
the shares of income by source and expenses by activity.

The layout is data (LAYOUT below): each line has a key, a translatable label, the code the report
prints and the ledger-code prefixes it collects (the longest matching prefix wins, so "456"
falls in 454/9 and "6101" in the travel line of 61). A trial balance line is signed: debit
positive, credit negative; each layout line says which side it shows as positive, so the
statements read as the report does (the 636 line and the exceptional result may be negative).
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from beacon.core.audit import audit
from beacon.core.errors import FieldErrors
from beacon.core.models import AuditAction
from beacon.core.permissions import require
from beacon.funding.cleaning import BadValue, parse_amount
from beacon.funding.models import TrialBalance, TrialBalanceLine

VIEW_ACCOUNTS = "funding.view_accounts"
ADD_TRIAL_BALANCE = "funding.add_trialbalance"

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 50_000
MAX_ERRORS = 50
ZERO = Decimal("0.00")
CENT = Decimal("0.01")

DEBIT, CREDIT = 1, -1


# --- the layout (data) ------------------------------------------------------------------------


@dataclass(frozen=True)
class LayoutLine:
    """One printed line: `sign` DEBIT shows debit balances as positive (assets, expenses),
    CREDIT shows credit balances as positive (equity, liabilities, income). `optional` lines
    are left out when both years are zero (e.g. 2021's targeted financial aid)."""

    key: str
    label: Promise
    code: str
    prefixes: tuple[str, ...]
    sign: int
    optional: bool = False


@dataclass(frozen=True)
class LayoutGroup:
    """Lines printed together; `total_label` (when set) prints their subtotal under them."""

    key: str
    title: Promise | None
    lines: tuple[LayoutLine, ...]
    total_label: Promise | None = None
    total_key: str = ""  # the subtotal's key when not the group's own

    @property
    def subtotal_key(self) -> str:
        return self.total_key or self.key


def _range(start: int, end: int) -> tuple[str, ...]:
    return tuple(str(n) for n in range(start, end + 1))


L = LayoutLine
ASSETS = (
    LayoutGroup(
        "fixed_assets",
        gettext_lazy("Fixed assets (net)"),
        (
            L("intangible", gettext_lazy("Intangible fixed assets"), "21", ("21",), DEBIT),
            L(
                "buildings",
                gettext_lazy("Building fittings and installations"),
                "22/3",
                ("22", "23"),
                DEBIT,
            ),
            L("furniture", gettext_lazy("Furniture and equipment"), "24", ("24",), DEBIT),
            L("other_tangible", gettext_lazy("Other tangible fixed assets"), "26", ("26",), DEBIT),
            L("deposits", gettext_lazy("Deposits and guarantees"), "28", ("28",), DEBIT),
        ),
        gettext_lazy("Total fixed assets"),
    ),
    LayoutGroup(
        "current_assets",
        gettext_lazy("Current assets"),
        (
            L("trade_receivables", gettext_lazy("Trade receivables"), "40", ("40",), DEBIT),
            L("other_receivables", gettext_lazy("Other receivables"), "41", ("41",), DEBIT),
            L("investments", gettext_lazy("Short-term investments"), "50/3", _range(50, 53), DEBIT),
            L("cash", gettext_lazy("Cash at bank and in hand"), "54/8", _range(54, 58), DEBIT),
            L(
                "deferred_charges",
                gettext_lazy("Deferred charges and accrued income"),
                "490/1",
                ("490", "491"),
                DEBIT,
            ),
        ),
        gettext_lazy("Total current assets"),
    ),
)
LIABILITIES = (
    LayoutGroup(
        "equity",
        gettext_lazy("Equity"),
        (
            L("association_funds", gettext_lazy("Funds of the association"), "10", ("10",), CREDIT),
            L(
                "fund_investment",
                gettext_lazy("Earmarked fund for investments"),
                "13",
                ("1300",),
                CREDIT,
            ),
            L(
                "fund_social",
                gettext_lazy("Earmarked fund for social liabilities"),
                "13",
                ("1301",),
                CREDIT,
            ),
            L(
                "fund_innovation",
                gettext_lazy("Earmarked fund for innovation and development"),
                "13",
                ("1302",),
                CREDIT,
            ),
            L(
                "fund_fundraising",
                gettext_lazy("Earmarked fund for fundraising"),
                "13",
                ("1303",),
                CREDIT,
            ),
            L("carried_forward", gettext_lazy("Result carried forward"), "14", ("14",), CREDIT),
            L("capital_subsidies", gettext_lazy("Capital subsidies"), "15", ("15",), CREDIT),
        ),
        gettext_lazy("Total equity"),
    ),
    LayoutGroup(
        "provisions",
        None,
        (
            L(
                "provisions",
                gettext_lazy("Provisions for liabilities and charges"),
                "160/5",
                _range(160, 165),
                CREDIT,
            ),
        ),
    ),
    LayoutGroup(
        "debts",
        gettext_lazy("Debts"),
        (
            L("financial_debts", gettext_lazy("Financial debts"), "17", ("17",), CREDIT),
            L("trade_debts", gettext_lazy("Trade debts"), "44", ("44",), CREDIT),
            L("taxes_due", gettext_lazy("Taxes"), "450/3", _range(450, 453), CREDIT),
            L(
                "remuneration_due",
                gettext_lazy("Remuneration and social security"),
                "454/9",
                _range(454, 459),
                CREDIT,
            ),
            L("other_debts", gettext_lazy("Other debts"), "48", ("48",), CREDIT),
            L("accrued_charges", gettext_lazy("Accrued charges"), "492", ("492",), CREDIT),
            L("deferred_income", gettext_lazy("Deferred income"), "493", ("493",), CREDIT),
        ),
        gettext_lazy("Total debts"),
    ),
)
INCOME = LayoutGroup(
    "income",
    gettext_lazy("Income"),
    (
        L("subsidies", gettext_lazy("Grants and subsidies"), "73", ("7300",), CREDIT),
        L("gifts_in_kind", gettext_lazy("Gifts in kind"), "73", ("7301",), CREDIT),
        L("gifts_in_money", gettext_lazy("Gifts in money"), "73", ("7302",), CREDIT),
        L("other_income", gettext_lazy("Other income"), "74", ("74",), CREDIT),
    ),
    gettext_lazy("Total income"),
    "income_total",
)
EXPENSES = LayoutGroup(
    "expenses",
    gettext_lazy("Expenses"),
    (
        L("premises", gettext_lazy("Premises"), "61", ("6100",), DEBIT),
        L("travel", gettext_lazy("Travel"), "61", ("6101",), DEBIT),
        L("post_telephone", gettext_lazy("Post and telephone"), "61", ("6102",), DEBIT),
        L("material", gettext_lazy("Material and equipment"), "61", ("6103",), DEBIT),
        L("food_drink", gettext_lazy("Food and drink"), "61", ("6104",), DEBIT),
        L("documentation", gettext_lazy("Documentation"), "61", ("6105",), DEBIT),
        L(
            "publications",
            gettext_lazy("Publications and information campaigns"),
            "61",
            ("6106",),
            DEBIT,
        ),
        L("fees", gettext_lazy("Fees"), "61", ("6107",), DEBIT),
        L(
            "targeted_aid",
            gettext_lazy("Targeted financial aid"),
            "61",
            ("6108",),
            DEBIT,
            optional=True,
        ),
        L("wages", gettext_lazy("Wages and social charges"), "62", ("62",), DEBIT),
        L("depreciation", gettext_lazy("Depreciation"), "630/41", _range(630, 634), DEBIT),
        L(
            "provisions_movement",
            gettext_lazy("Provisions for liabilities and charges: additions (uses)"),
            "636",
            _range(635, 638),
            DEBIT,
        ),
        L("other_expenses", gettext_lazy("Other expenses"), "64", ("64",), DEBIT),
    ),
    gettext_lazy("Total expenses"),
    "expenses_total",
)
OTHER_RESULTS = LayoutGroup(
    "other_results",
    None,
    (
        L("financial_income", gettext_lazy("Financial income"), "75", ("75",), CREDIT),
        L("financial_charges", gettext_lazy("Financial charges"), "65/7", ("65",), DEBIT),
        L(
            "exceptional",
            gettext_lazy("Net exceptional income (charges)"),
            "76/66",
            ("76", "66"),
            CREDIT,
        ),
        L("taxes", gettext_lazy("Taxes"), "67", ("67", "77"), DEBIT),
    ),
)
APPROPRIATION = LayoutGroup(
    "appropriation",
    gettext_lazy("Appropriation"),
    (
        L(
            "brought_forward",
            gettext_lazy("Result brought forward from the previous year"),
            "790/690",
            ("690", "790"),
            CREDIT,
        ),
        L(
            "withdraw_investment",
            gettext_lazy("Earmarked fund for investments"),
            "792/692",
            ("6920", "7920"),
            CREDIT,
        ),
        L(
            "withdraw_social",
            gettext_lazy("Earmarked fund for social liabilities"),
            "792/692",
            ("6921", "7921"),
            CREDIT,
        ),
        L(
            "withdraw_innovation",
            gettext_lazy("Earmarked fund for innovation and development"),
            "792/692",
            ("6922", "7922"),
            CREDIT,
        ),
        L(
            "withdraw_fundraising",
            gettext_lazy("Earmarked fund for fundraising"),
            "792/692",
            ("6923", "7923"),
            CREDIT,
        ),
        L(
            "withdraw_other",
            gettext_lazy("Allocation to earmarked funds and other reserves"),
            "791/691",
            ("691", "791", "694", "794"),
            CREDIT,
            optional=True,
        ),
        L(
            "to_carry_forward",
            gettext_lazy("Result to carry forward"),
            "693/793",
            ("693", "793"),
            DEBIT,
        ),
    ),
)
LAYOUT: tuple[LayoutGroup, ...] = (*ASSETS, *LIABILITIES, INCOME, EXPENSES, OTHER_RESULTS)
ALL_GROUPS: tuple[LayoutGroup, ...] = (*LAYOUT, APPROPRIATION)
LINES: dict[str, LayoutLine] = {line.key: line for g in ALL_GROUPS for line in g.lines}
_BY_PREFIX: dict[str, LayoutLine] = {p: line for line in LINES.values() for p in line.prefixes}
APPROPRIATION_PREFIXES = ("69", "79")

# The income sources (class 7) and activities (class 6) of the analytic column: codes as in
# published-figures.json, labels as the 2021 report names them.
INCOME_SOURCES: dict[str, Promise] = {
    "recurring_public_donations": gettext_lazy("Recurring donations from the public"),
    "national_lottery": gettext_lazy("National Lottery"),
    "in_kind_companies": gettext_lazy("Gifts in kind from companies"),
    "legacies": gettext_lazy("Legacies"),
    "other_public_donations": gettext_lazy("Other donations from the public"),
    "european_commission_projects": gettext_lazy("European Commission project subsidies"),
    "companies": gettext_lazy("Companies"),
    "other_public_subsidies": gettext_lazy("Other public subsidies"),
    "king_baudouin_foundation": gettext_lazy("King Baudouin Foundation"),
}
ACTIVITIES: dict[str, Promise] = {
    "communication_awareness_fundraising": gettext_lazy(
        "Communication, awareness raising and fundraising"
    ),
    "case_handling": gettext_lazy("Handling cases of disappearance and sexual exploitation"),
    "prevention_and_training": gettext_lazy("Prevention and training"),
    "general_costs": gettext_lazy("General costs"),
    "hotline_116000": gettext_lazy("Hotline 116000"),
    "volunteer_network_and_posters": gettext_lazy("Volunteer network and posters"),
    "expertise_lobbying": gettext_lazy("Expertise centre and lobbying"),
}
NOT_ALLOCATED = "not_allocated"


def line_for(code: str) -> LayoutLine | None:
    """The layout line that collects a ledger code: its longest matching prefix."""
    for length in range(len(code), 0, -1):
        line = _BY_PREFIX.get(code[:length])
        if line is not None:
            return line
    return None


# --- reading the file -------------------------------------------------------------------------

HEADERS = {
    "code": "code",
    "ledger_code": "code",
    "account": "code",
    "label": "label",
    "name": "label",
    "description": "label",
    "amount": "amount",
    "balance": "amount",
    "debit": "debit",
    "credit": "credit",
    "year": "year",
    "analytic": "analytic",
}


@dataclass
class ParsedRow:
    row: int
    code: str
    label: str
    amount: Decimal
    year: int
    analytic: str


def _not_a_spreadsheet():
    return _("This file is neither a CSV file nor an Excel workbook (XLSX).")


def _xlsx_rows(content: bytes) -> Iterator[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
        raise BadValue(_not_a_spreadsheet()) from None
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield list(values)
    finally:
        workbook.close()


def _csv_rows(content: bytes) -> Iterator[list]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadValue(_not_a_spreadsheet()) from None
    if "\x00" in text:
        raise BadValue(_not_a_spreadsheet())
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = max((";", ",", "\t"), key=first.count)
    yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _cell_amount(value, *, row: int, column: str) -> Decimal:
    if value is None or (isinstance(value, str) and not value.strip()):
        return ZERO
    try:
        return parse_amount(value, allow_negative=True)
    except BadValue as exc:
        raise BadValue(
            _("Row %(row)d, column %(column)s: %(error)s")
            % {"row": row, "column": column, "error": exc}
        ) from None


def parse_trial_balance(content: bytes) -> list[ParsedRow]:
    """The rows of a trial balance file, every one checked; BadValue-style messages collected
    in a FieldErrors under "file" (with their row numbers) and raised together."""
    errors = FieldErrors()
    if not content:
        errors.add("file", _("The file is empty."))
        errors.raise_if_any()
    if len(content) > MAX_FILE_BYTES:
        errors.add(
            "file",
            _("The file is larger than %(size)d MB.") % {"size": MAX_FILE_BYTES // 1024 // 1024},
        )
        errors.raise_if_any()
    reader = _xlsx_rows(content) if content[:4] == b"PK\x03\x04" else _csv_rows(content)
    rows: list[ParsedRow] = []
    columns: dict[str, int] = {}
    years: dict[int, int] = {}
    try:
        for number, values in enumerate(reader, start=1):
            if not any(_cell_text(v) for v in values):
                continue
            if not columns:
                columns = _header(values)
                continue
            if len(rows) >= MAX_ROWS:
                errors.add("file", _("The file has more than %(n)d rows.") % {"n": MAX_ROWS})
                break
            try:
                parsed = _row(number, values, columns)
            except BadValue as exc:
                errors.add("file", str(exc))
                if len(errors.errors["file"]) >= MAX_ERRORS:
                    break
                continue
            years.setdefault(parsed.year, parsed.row)
            rows.append(parsed)
    except BadValue as exc:
        errors.add("file", str(exc))
    except csv.Error:
        errors.add("file", _not_a_spreadsheet())
    errors.raise_if_any()
    if not rows:
        errors.add("file", _("The file is empty: it has no trial balance rows."))
    if len(years) > 1:
        errors.add(
            "file",
            _("The file mixes years: %(years)s. Import one year at a time.")
            % {
                "years": ", ".join(
                    _("%(year)d (from row %(row)d)") % {"year": y, "row": r}
                    for y, r in sorted(years.items())
                )
            },
        )
    errors.raise_if_any()
    total = sum((r.amount for r in rows), ZERO)
    if total != 0:
        errors.add(
            "file",
            _(
                "Debits and credits do not balance: the debits exceed the credits by "
                "%(difference)s EUR."
            )
            % {"difference": total}
            if total > 0
            else _(
                "Debits and credits do not balance: the credits exceed the debits by "
                "%(difference)s EUR."
            )
            % {"difference": -total},
        )
    errors.raise_if_any()
    return rows


def _header(values: list) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, value in enumerate(values):
        name = HEADERS.get(_cell_text(value).lower().replace(" ", "_"))
        if name and name not in columns:
            columns[name] = index
    has_amount = "amount" in columns or ("debit" in columns and "credit" in columns)
    if "code" not in columns or "year" not in columns or not has_amount:
        raise BadValue(
            _(
                "The first row must name the columns: code, label, amount (or debit and "
                "credit), year and optionally analytic."
            )
        )
    return columns


def _row(number: int, values: list, columns: dict[str, int]) -> ParsedRow:
    def cell(name: str):
        index = columns.get(name)
        return values[index] if index is not None and index < len(values) else None

    code = _cell_text(cell("code"))
    if not code or not code.isdigit() or len(code) > 10:
        raise BadValue(
            _("Row %(row)d: “%(code)s” is not a ledger code (digits only).")
            % {"row": number, "code": code[:20]}
        )
    line = line_for(code)
    if line is None:
        raise BadValue(
            _("Unknown ledger code %(code)s on row %(row)d: it falls in no line of the accounts.")
            % {"code": code, "row": number}
        )
    label = _cell_text(cell("label"))
    if len(label) > 200:
        raise BadValue(_("Row %(row)d: the label is longer than 200 characters.") % {"row": number})
    if "amount" in columns:
        amount = _cell_amount(cell("amount"), row=number, column="amount")
    else:
        debit = _cell_amount(cell("debit"), row=number, column="debit")
        credit = _cell_amount(cell("credit"), row=number, column="credit")
        amount = debit - credit
    year_text = _cell_text(cell("year"))
    if not year_text:
        raise BadValue(_("Row %(row)d: the year is missing.") % {"row": number})
    if not year_text.isdigit() or not 1900 <= int(year_text) <= 2100:
        raise BadValue(
            _("Row %(row)d: “%(year)s” is not a year.") % {"row": number, "year": year_text[:20]}
        )
    analytic = _cell_text(cell("analytic"))
    if analytic:
        allowed: dict[str, Promise] = INCOME_SOURCES if code.startswith("7") else ACTIVITIES
        if not code.startswith(("6", "7")) or code.startswith(APPROPRIATION_PREFIXES):
            allowed = {}
        if analytic not in allowed:
            raise BadValue(
                _(
                    "Row %(row)d: unknown source or activity “%(analytic)s” for ledger code %(code)s."
                )
                % {"row": number, "analytic": analytic[:40], "code": code}
            )
    return ParsedRow(number, code, label, amount, int(year_text), analytic)


# --- the service ------------------------------------------------------------------------------


@transaction.atomic
def trial_balance_import(*, actor, filename: str, content: bytes) -> TrialBalance:
    """Import one year's trial balance; the year's current one (if any) is kept but no longer
    current. Nothing is written when any row is wrong. `actor=None` is system work (the demo)."""
    if actor is not None:
        require(actor, ADD_TRIAL_BALANCE)
    rows = parse_trial_balance(content)
    year = rows[0].year
    replaced = list(TrialBalance.objects.select_for_update().filter(year=year, current=True))
    for old in replaced:
        old.current = False
        old.save(update_fields=["current"])
        audit(actor=actor, action=AuditAction.UPDATE, obj=old, fields=["current"])
    balance = TrialBalance.objects.create(
        year=year,
        current=True,
        filename=(filename or "")[:255],
        sha256=hashlib.sha256(content).hexdigest(),
        imported_by=actor if actor is not None and actor.is_authenticated else None,
    )
    TrialBalanceLine.objects.bulk_create(
        TrialBalanceLine(
            balance=balance, code=r.code, label=r.label, amount=r.amount, analytic=r.analytic
        )
        for r in rows
    )
    audit(actor=actor, action=AuditAction.CREATE, obj=balance, fields=["*"])
    return balance


# --- the statements ---------------------------------------------------------------------------


@dataclass
class Row:
    """One printed row: kind "heading", "line", "total" (a subtotal) or "grand"."""

    kind: str
    key: str
    label: str
    code: str = ""
    amount: Decimal | None = None
    compare: Decimal | None = None


@dataclass
class Section:
    key: str
    title: str
    rows: list[Row]


@dataclass
class Check:
    key: str
    label: str
    year: int
    ok: bool
    difference: Decimal = ZERO


@dataclass
class Figures:
    """One year's amounts: per layout line (as shown), the subtotals, the ledger's own sums."""

    lines: dict[str, Decimal]
    subtotals: dict[str, Decimal]
    ledger_total: Decimal
    ledger_result: Decimal
    unmapped: list[tuple[str, str, Decimal]]
    closing: bool


@dataclass
class Statements:
    year: int
    compare_year: int | None
    balance: TrialBalance
    compare_balance: TrialBalance | None
    sections: list[Section]
    subtotals: dict[str, Decimal]
    compare_subtotals: dict[str, Decimal] | None
    checks: list[Check] = field(default_factory=list)

    @property
    def mismatches(self) -> list[Check]:
        return [c for c in self.checks if not c.ok]

    @property
    def ok(self) -> bool:
        return not self.mismatches


def figures_of(lines: Iterable[tuple[str, str, Decimal]]) -> Figures:
    """The statements' amounts of one trial balance, from its (code, label, amount) lines."""
    sums = dict.fromkeys(LINES, ZERO)
    total = ZERO
    ledger_result = ZERO  # credit positive: income minus expenses in classes 6 and 7
    unappropriated = ZERO
    closing = False
    unmapped: list[tuple[str, str, Decimal]] = []
    for code, label, amount in lines:
        total += amount
        if code.startswith(("6", "7")):
            unappropriated -= amount
            if code.startswith(APPROPRIATION_PREFIXES):
                closing = True
            else:
                ledger_result -= amount
        line = line_for(code)
        if line is None:
            unmapped.append((code, label, amount))
            continue
        sums[line.key] += amount
    shown = {key: LINES[key].sign * value for key, value in sums.items()}

    def group_sum(group: LayoutGroup) -> Decimal:
        return sum((shown[line.key] for line in group.lines), ZERO)

    sub: dict[str, Decimal] = {}
    by_key = {g.key: g for g in ALL_GROUPS}
    sub["fixed_assets"] = group_sum(by_key["fixed_assets"])
    sub["current_assets"] = group_sum(by_key["current_assets"])
    sub["total_assets"] = sub["fixed_assets"] + sub["current_assets"]
    sub["unappropriated_result"] = unappropriated
    sub["equity"] = group_sum(by_key["equity"]) + unappropriated
    sub["provisions"] = group_sum(by_key["provisions"])
    sub["debts"] = group_sum(by_key["debts"])
    sub["total_liabilities"] = sub["equity"] + sub["provisions"] + sub["debts"]
    sub["income_total"] = group_sum(INCOME)
    sub["expenses_total"] = group_sum(EXPENSES)
    for key in ("financial_income", "financial_charges", "exceptional", "taxes"):
        sub[key] = shown[key]
    sub["result"] = (
        sub["income_total"]
        - sub["expenses_total"]
        + sub["financial_income"]
        - sub["financial_charges"]
        + sub["exceptional"]
        - sub["taxes"]
    )
    return Figures(shown, sub, total, ledger_result, unmapped, closing)


def _figures(balance: TrialBalance) -> Figures:
    return figures_of(balance.lines.values_list("code", "label", "amount"))


def _checks(year: int, figures: Figures) -> list[Check]:
    s = figures.subtotals
    checks = [
        Check(
            "balanced",
            _("Debits equal credits in the trial balance"),
            year,
            figures.ledger_total == 0,
            figures.ledger_total,
        ),
        Check(
            "assets_liabilities",
            _("Total assets equal total liabilities"),
            year,
            s["total_assets"] == s["total_liabilities"],
            s["total_assets"] - s["total_liabilities"],
        ),
        Check(
            "result",
            _(
                "The result equals income minus expenses, plus financial income, minus financial "
                "charges, plus exceptional items, minus taxes, as the ledger has it"
            ),
            year,
            s["result"] == figures.ledger_result,
            s["result"] - figures.ledger_result,
        ),
    ]
    if figures.closing:
        lines = figures.lines
        appropriated = (
            lines["brought_forward"]
            + s["result"]
            + sum((lines[k] for k in LINES if k.startswith("withdraw_")), ZERO)
        )
        checks.append(
            Check(
                "appropriation",
                _("The result to carry forward equals the appropriation of the result"),
                year,
                appropriated == lines["to_carry_forward"],
                appropriated - lines["to_carry_forward"],
            )
        )
    for code, label, amount in figures.unmapped:
        checks.append(
            Check(
                f"unmapped_{code}",
                _("Ledger code %(code)s (%(label)s) falls in no line of the accounts")
                % {"code": code, "label": label},
                year,
                False,
                amount,
            )
        )
    return checks


def current_balance(year: int) -> TrialBalance | None:
    return TrialBalance.objects.filter(year=year, current=True).first()


def years_available() -> list[int]:
    return sorted(
        set(TrialBalance.objects.filter(current=True).values_list("year", flat=True)),
        reverse=True,
    )


def statements(*, user, year: int, compare_year: int | None = None) -> Statements:
    """The balance sheet, income statement and appropriation of `year` (its current trial
    balance; TrialBalance.DoesNotExist when there is none) beside `compare_year`'s (blank when
    that year has none), with the checks of both years."""
    require(user, VIEW_ACCOUNTS)
    balance = current_balance(year)
    if balance is None:
        raise TrialBalance.DoesNotExist(f"no trial balance for {year}")
    compare_balance = current_balance(compare_year) if compare_year else None
    now = _figures(balance)
    then = _figures(compare_balance) if compare_balance is not None else None
    checks = _checks(year, now) + (_checks(compare_year, then) if then and compare_year else [])
    return Statements(
        year=year,
        compare_year=compare_year,
        balance=balance,
        compare_balance=compare_balance,
        sections=_sections(now, then),
        subtotals=now.subtotals,
        compare_subtotals=then.subtotals if then else None,
        checks=checks,
    )


def _sections(now: Figures, then: Figures | None) -> list[Section]:
    def value(figures: Figures | None, key: str, *, subtotal: bool = False) -> Decimal | None:
        if figures is None:
            return None
        return (figures.subtotals if subtotal else figures.lines)[key]

    def group_rows(group: LayoutGroup, extra: list[Row] | None = None) -> list[Row]:
        rows: list[Row] = []
        if group.title is not None and group.key not in ("appropriation",):
            rows.append(Row("heading", group.key, str(group.title)))
        for line in group.lines:
            amount, compare = value(now, line.key), value(then, line.key)
            if line.optional and not amount and not compare:
                continue
            rows.append(Row("line", line.key, str(line.label), line.code, amount, compare))
        rows.extend(extra or [])
        if group.total_label is not None:
            rows.append(
                Row(
                    "total",
                    group.subtotal_key,
                    str(group.total_label),
                    "",
                    value(now, group.subtotal_key, subtotal=True),
                    value(then, group.subtotal_key, subtotal=True),
                )
            )
        return rows

    def subtotal_row(kind: str, key: str, label: str, code: str = "") -> Row:
        return Row(
            kind, key, label, code, value(now, key, subtotal=True), value(then, key, subtotal=True)
        )

    unappropriated: list[Row] = []
    if now.subtotals["unappropriated_result"] or (
        then is not None and then.subtotals["unappropriated_result"]
    ):
        unappropriated.append(
            subtotal_row("line", "unappropriated_result", _("Result of the year, not appropriated"))
        )
    assets = [row for group in ASSETS for row in group_rows(group)]
    assets.append(subtotal_row("grand", "total_assets", _("Total assets")))
    liabilities = [
        row
        for group in LIABILITIES
        for row in group_rows(group, unappropriated if group.key == "equity" else None)
    ]
    liabilities.append(subtotal_row("grand", "total_liabilities", _("Total liabilities")))
    income = group_rows(INCOME) + group_rows(EXPENSES) + group_rows(OTHER_RESULTS)
    income.append(
        subtotal_row(
            "grand", "result", _("Profit (loss) of the financial year before appropriation")
        )
    )
    sections = [
        Section("assets", _("Balance sheet: assets"), assets),
        Section("liabilities", _("Balance sheet: liabilities"), liabilities),
        Section("income_statement", _("Income statement"), income),
    ]
    if now.closing or (then is not None and then.closing):
        rows = group_rows(APPROPRIATION)
        rows.insert(1, subtotal_row("line", "result", _("Result of the financial year")))
        rows[-1].kind = "total"
        sections.append(Section("appropriation", _("Appropriation of the result"), rows))
    return sections


def year_totals(year: int) -> dict[str, Decimal] | None:
    """Income total, expenses total and result of a year's current trial balance (for the
    figures; no permission: these are published numbers); None when the year has none."""
    balance = current_balance(year)
    if balance is None:
        return None
    s = _figures(balance).subtotals
    return {
        "income_total": s["income_total"],
        "expenses_total": s["expenses_total"],
        "result": s["result"],
    }


# --- the shares -------------------------------------------------------------------------------


@dataclass
class Share:
    key: str
    label: str
    amount: Decimal
    percent: Decimal  # one decimal

    @property
    def rounded(self) -> int:
        return int(self.percent.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


@dataclass
class Shares:
    year: int
    income_total: Decimal
    expenses_total: Decimal
    income: list[Share]
    expenses: list[Share]


def _share_list(
    amounts: dict[str, Decimal], total: Decimal, labels: dict[str, Promise]
) -> list[Share]:
    shares = []
    for key, amount in amounts.items():
        if not amount:
            continue
        percent = (amount * 100 / total).quantize(Decimal("0.1"), ROUND_HALF_UP) if total else ZERO
        label = str(labels.get(key, _("Not allocated")))
        shares.append(Share(key, label, amount, percent))
    shares.sort(key=lambda s: (s.key == NOT_ALLOCATED, -s.amount, s.key))
    return shares


def shares(*, user, year: int) -> Shares:
    """Income by source (percent of the income total) and expenses by activity (percent of the
    expenses total) from the analytic column; rows without one are "not allocated"."""
    require(user, VIEW_ACCOUNTS)
    balance = current_balance(year)
    if balance is None:
        raise TrialBalance.DoesNotExist(f"no trial balance for {year}")
    income_keys = {line.key for line in INCOME.lines}
    expense_keys = {line.key for line in EXPENSES.lines}
    income: dict[str, Decimal] = {}
    expenses: dict[str, Decimal] = {}
    for code, amount, analytic in balance.lines.values_list("code", "amount", "analytic"):
        line = line_for(code)
        if line is None:
            continue
        if line.key in income_keys:
            key = analytic or NOT_ALLOCATED
            income[key] = income.get(key, ZERO) - amount
        elif line.key in expense_keys:
            key = analytic or NOT_ALLOCATED
            expenses[key] = expenses.get(key, ZERO) + amount
    s = _figures(balance).subtotals
    return Shares(
        year=year,
        income_total=s["income_total"],
        expenses_total=s["expenses_total"],
        income=_share_list(income, s["income_total"], INCOME_SOURCES),
        expenses=_share_list(expenses, s["expenses_total"], ACTIVITIES),
    )


# --- showing amounts --------------------------------------------------------------------------


def format_amount(value: Decimal | None) -> str:
    """1,234,567.89 in the active language's separators; a minus for negatives; a dash for
    zero (as the report prints it); blank when there is no amount."""
    if value is None:
        return ""
    if value == 0:
        return "–"
    text = number_format(abs(value), decimal_pos=2, use_l10n=True, force_grouping=True)
    return f"−{text}" if value < 0 else text
