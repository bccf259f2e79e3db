"""The accounts' staff pages (/funding/accounts/): the balance sheet, income statement and
appropriation of a year beside another, their checks, the shares of income and expenses with
their charts, and the import of a trial balance.

The selectors and the service check the permissions (finance users and administrators); a
refusal is a 403, audited by the middleware.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from beacon.core.forms_errors import add_service_errors
from beacon.core.permissions import require
from beacon.funding import accounts, charts
from beacon.funding.models import TrialBalance


class TrialBalanceImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Trial balance (CSV or XLSX)"),
        help_text=gettext_lazy("One year per file, at most 5 MB."),
    )


def _year(value: str | None) -> int | None:
    text = (value or "").strip()
    return int(text) if text.isdigit() and 1900 <= int(text) <= 2100 else None


def _formatted(statements: accounts.Statements) -> list[dict]:
    return [
        {
            "key": section.key,
            "title": section.title,
            "rows": [
                {
                    "row": row,
                    "amount": accounts.format_amount(row.amount),
                    "compare": accounts.format_amount(row.compare),
                    "negative": row.amount is not None and row.amount < 0,
                    "compare_negative": row.compare is not None and row.compare < 0,
                }
                for row in section.rows
            ],
        }
        for section in statements.sections
    ]


def _share_block(items: list[accounts.Share], total, *, title: str, ids: str) -> dict:
    not_allocated = [s.label for s in items if s.key == accounts.NOT_ALLOCATED]
    chart = charts.share_bars(
        [(s.label, s.percent) for s in items], title=title, muted=not_allocated, ids=ids
    )
    return {
        "title": title,
        # The SVG is ours: drawn by matplotlib from labels it escapes as XML text.
        "chart": mark_safe(chart),  # noqa: S308
        "rows": [
            {"share": s, "amount": accounts.format_amount(s.amount), "percent": s.percent}
            for s in items
        ],
        "total": accounts.format_amount(total),
    }


@login_required
@require_GET
def accounts_page(request: HttpRequest) -> HttpResponse:
    """A year's statements beside another (default: the latest year and the one before)."""
    require(request.user, accounts.VIEW_ACCOUNTS)
    years = accounts.years_available()
    context: dict = {"years": years}
    if not years:
        return render(request, "funding/accounts.html", context)
    year = _year(request.GET.get("year")) or years[0]
    if year not in years:
        raise Http404(_("There is no trial balance for this year."))
    compare_year = _year(request.GET.get("compare")) if "compare" in request.GET else year - 1
    if compare_year == year:
        compare_year = None
    statements = accounts.statements(user=request.user, year=year, compare_year=compare_year)
    shares = accounts.shares(user=request.user, year=year)
    context.update(
        year=year,
        compare_year=compare_year,
        compare_years=[y for y in years if y != year],
        statements=statements,
        sections=_formatted(statements),
        checks_ok=statements.ok,
        mismatches=[
            {"check": c, "difference": accounts.format_amount(c.difference)}
            for c in statements.mismatches
        ],
        checks=statements.checks,
        shares_blocks=[
            _share_block(
                shares.income,
                shares.income_total,
                title=_("Sources of income %(year)d") % {"year": year},
                ids="income",
            ),
            _share_block(
                shares.expenses,
                shares.expenses_total,
                title=_("Expenses by activity %(year)d") % {"year": year},
                ids="expenses",
            ),
        ],
    )
    return render(request, "funding/accounts.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def accounts_import(request: HttpRequest) -> HttpResponse:
    """Upload a year's trial balance; a wrong file is refused whole, its errors by row."""
    require(request.user, accounts.ADD_TRIAL_BALANCE)
    form = TrialBalanceImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                balance = accounts.trial_balance_import(
                    actor=request.user,
                    filename=upload.name,
                    content=upload.read(accounts.MAX_FILE_BYTES + 1),  # more is refused
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                count = balance.lines.count()
                messages.success(
                    request,
                    _("The trial balance of %(year)d is imported (%(count)d lines).")
                    % {"year": balance.year, "count": count},
                )
                return redirect(f"{reverse('funding:accounts')}?year={balance.year}")
        return render(request, "funding/accounts_import.html", _import_context(form), status=400)
    return render(request, "funding/accounts_import.html", _import_context(form))


def _import_context(form: TrialBalanceImportForm) -> dict:
    return {
        "form": form,
        "history": TrialBalance.objects.select_related("imported_by").order_by(
            "-year", "-imported_at"
        )[:20],
        "income_sources": list(accounts.INCOME_SOURCES.items()),
        "activities": list(accounts.ACTIVITIES.items()),
        "layout": [
            (
                group.title,
                [(line.code, line.label, ", ".join(line.prefixes)) for line in group.lines],
            )
            for group in (*accounts.ALL_GROUPS,)
        ],
    }
