"""The funding figures (published key `funding`), computed from the records for the years
`first` to `year`. Each is a `{year: value}` dict listing only the years with data.

- `donors_with_fiscal_attest`: donors holding, for that income year, a valid final tax
  certificate (281.71): not a draft, not a cancellation, and not replaced by a later final
  certificate (a corrective one counts instead of the one it corrects, so a corrected donor
  counts once). Distinct donors per certificate year; one aggregate query.
- `organisations_supporting`: organisation donors with at least one gift received in the year
  (the day in the organisation's time zone, `Gift.received_on`), in money or in kind, legacies
  included, refunded gifts not. One aggregate query.
- `income_total_eur`, `expenses_total_eur`, `result_eur`: the income total, expenses total and
  result of the year's current trial balance (beacon.funding.accounts.year_totals), as numbers
  with their cents (floats rounded to 2 decimals, for JSON). The reports of 2024 and 2025 print
  whole euros: the cents stay as computed and a comparison rounds to the published precision.
- `income_sources_pct_<year>` / `expenses_by_activity_pct_<year>`: for the years whose trial
  balance allocates amounts (the analytic column: income source of class 7, activity of class 6),
  each source's share of the income total and each activity's share of the expenses total,
  one decimal half up (`figures/rounding.py`: the reports print whole numbers); amounts without
  an allocation are left out (they are "not allocated" on the accounts page).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from beacon.figures.engine import AnyFigure, Figure, Source, evaluate_per_year
from beacon.figures.rounding import one_decimal
from beacon.funding.models import CertificateKind, DonorKind, Gift, TaxCertificate

CENT = Decimal("0.01")


# --- the catalogue's figures ---------------------------------------------------------------------


@dataclass(frozen=True)
class IncomeYearSource(Source):
    """Tax certificates, placed in a period by their income year (a whole number, not a date):
    the certificates of every income year the period touches."""

    def in_period(self, start: datetime, end: datetime) -> QuerySet:
        last_day = timezone.localtime(end).date() - timedelta(days=1)
        first_year = timezone.localtime(start).date().year
        return self.queryset().filter(year__gte=first_year, year__lte=last_day.year)

    def year_of(self, first: int, last: int):
        return F("year")


GIFTS = Source(
    key="gifts",
    label=_("Gifts, by the day they were received"),
    queryset=Gift.objects.all,
    date_field="received_on",
    detail_permission="funding.view_gift",
    days=True,
)
CERTIFICATES = IncomeYearSource(
    key="tax_certificates",
    label=_("Tax certificates, by their income year"),
    queryset=TaxCertificate.objects.all,
    date_field="year",
    detail_permission="funding.view_donor",
)


# A certificate that counts: final, not a cancellation, not replaced by a later final one.
VALID_FINAL = (
    Q(draft=False)
    & ~Q(kind=CertificateKind.CANCELLATION)
    & ~Q(Exists(TaxCertificate.objects.filter(corrects=OuterRef("pk"), draft=False)))
)


def catalogue_figures() -> list[AnyFigure]:
    """This section's figures in the catalogue (beacon.figures.catalogue), with drill-downs."""
    return [
        Figure(
            key="funding.donors_with_fiscal_attest",
            label=_("Donors with a tax certificate"),
            definition=_(
                "Donors holding, for an income year of the period, a valid final tax "
                "certificate (281.71): not a draft, not a cancellation, not replaced by a later "
                "final one (a corrected donor counts once)."
            ),
            source=CERTIFICATES,
            where=VALID_FINAL,
            distinct="donor",
        ),
        Figure(
            key="funding.organisations_supporting",
            label=_("Organisations that gave"),
            definition=_(
                "Organisation donors with at least one gift received in the period, in money "
                "or in kind, legacies included, refunded gifts not."
            ),
            source=GIFTS,
            where=Q(donor__kind=DonorKind.ORGANISATION, refunded_on__isnull=True),
            distinct="donor",
        ),
    ]


def _years_with_data(key: str, first: int, year: int) -> dict[str, int]:
    figure = next(f for f in catalogue_figures() if f.key == key)
    values = evaluate_per_year([figure], first, year)[key]
    return {y: n for y, n in values.items() if n}


def donors_with_fiscal_attest(first: int, year: int) -> dict[str, int]:
    return _years_with_data("funding.donors_with_fiscal_attest", first, year)


def organisations_supporting(first: int, year: int) -> dict[str, int]:
    return _years_with_data("funding.organisations_supporting", first, year)


def _euro(amount: Decimal) -> float:
    return float(amount.quantize(CENT, ROUND_HALF_UP))


def _shares(year: int) -> tuple[dict[str, float], dict[str, float]]:
    """Income by source and expenses by activity of the year's current trial balance, in
    percent of the income and expenses totals (empty when nothing is allocated)."""
    from beacon.funding import accounts

    balance = accounts.current_balance(year)
    totals = accounts.year_totals(year)
    if balance is None or totals is None:
        return {}, {}
    income_keys = {line.key for line in accounts.INCOME.lines}
    expense_keys = {line.key for line in accounts.EXPENSES.lines}
    income: dict[str, Decimal] = {}
    expenses: dict[str, Decimal] = {}
    for code, amount, analytic in balance.lines.exclude(analytic="").values_list(
        "code", "amount", "analytic"
    ):
        line = accounts.line_for(code)
        if line is None:
            continue
        if line.key in income_keys:
            income[analytic] = income.get(analytic, Decimal(0)) - amount  # credit: income
        elif line.key in expense_keys:
            expenses[analytic] = expenses.get(analytic, Decimal(0)) + amount

    def percent(amounts: dict[str, Decimal], total: Decimal) -> dict[str, float]:
        if not total:
            return {}
        ordered = sorted(amounts.items(), key=lambda item: (-item[1], item[0]))
        return {key: one_decimal(amount * 100 / total) for key, amount in ordered if amount}

    return (
        percent(income, totals["income_total"]),
        percent(expenses, totals["expenses_total"]),
    )


def funding_section(first: int, year: int) -> dict:
    """The `funding` section for the years `first` to `year` (see the module's docstring)."""
    from beacon.funding.accounts import year_totals

    income: dict[str, float] = {}
    expenses: dict[str, float] = {}
    result: dict[str, float] = {}
    section: dict = {
        "donors_with_fiscal_attest": donors_with_fiscal_attest(first, year),
        "organisations_supporting": organisations_supporting(first, year),
        "income_total_eur": income,
        "expenses_total_eur": expenses,
        "result_eur": result,
    }
    for y in range(first, year + 1):
        totals = year_totals(y)
        if totals is None:
            continue
        income[str(y)] = _euro(totals["income_total"])
        expenses[str(y)] = _euro(totals["expenses_total"])
        result[str(y)] = _euro(totals["result"])
        sources, activities = _shares(y)
        if sources:
            section[f"income_sources_pct_{y}"] = sources
        if activities:
            section[f"expenses_by_activity_pct_{y}"] = activities
    return section
