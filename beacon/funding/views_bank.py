"""The bank statements' staff pages (/funding/bank/...): importing a CAMT.053 file and the list
of imported statements, one statement's lines, and the queue of credits no donor was found for,
each with a donor search and the buttons to give it to a donor or to ignore it.

The services and selectors (beacon.funding.bank) check the permissions: finance users and
administrators; a refusal is a 403, audited by the middleware.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from beacon.core.errors import ConcurrentEditError
from beacon.core.forms_errors import add_service_errors
from beacon.core.permissions import require
from beacon.funding import bank
from beacon.funding.cleaning import format_structured_reference
from beacon.funding.models import BankStatement, Donor, StatementLine

PAGE_SIZE = 50


class StatementImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Bank statement (CAMT.053, XML)"),
        help_text=gettext_lazy("At most 10 MB."),
    )


class ResolveForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    donor_id = forms.IntegerField(widget=forms.HiddenInput)
    remember_account = forms.BooleanField(required=False)


class IgnoreForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(max_length=200)


def _lines(lines) -> list[dict]:
    return [
        {
            "line": line,
            "reason": bank.reason_label(line.reason),
            "reference": format_structured_reference(line.structured_reference),
        }
        for line in lines
    ]


def _bank_context(request: HttpRequest, form: StatementImportForm) -> dict:
    statements = bank.statements_list(user=request.user)
    return {
        "form": form,
        "page": Paginator(statements, PAGE_SIZE).get_page(request.GET.get("page")),
        "query": "",
        "queue_count": bank.unmatched_lines(user=request.user).count(),
        "coda_note": bank.CODA_NOTE,
    }


@login_required
@require_http_methods(["GET", "POST"])
def bank_page(request: HttpRequest) -> HttpResponse:
    """Upload a statement; the statements imported so far, with their counts."""
    require(request.user, bank.VIEW_STATEMENT)
    if request.method == "POST":
        require(request.user, bank.ADD_STATEMENT)
        form = StatementImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                statement = bank.statement_import(
                    actor=request.user,
                    filename=upload.name or "",
                    content=upload.read(bank.MAX_FILE_BYTES + 1),  # more is refused
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _(
                        "Statement imported: %(entries)d entries, %(new)d new, %(matched)d "
                        "matched to donors, %(queued)d left to resolve."
                    )
                    % {
                        "entries": statement.entries,
                        "new": statement.new_entries,
                        "matched": statement.matched,
                        "queued": statement.lines.filter(status="unmatched").count(),
                    },
                )
                return redirect("funding:bank_statement", pk=statement.pk)
        return render(request, "funding/bank.html", _bank_context(request, form), status=400)
    return render(request, "funding/bank.html", _bank_context(request, StatementImportForm()))


@login_required
@require_GET
def bank_statement(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        statement = bank.statement_get(user=request.user, pk=pk)
    except BankStatement.DoesNotExist as exc:
        raise Http404 from exc
    lines = bank.statement_lines(user=request.user, statement_id=statement.pk)
    return render(
        request,
        "funding/bank_statement.html",
        {
            "statement": statement,
            "lines": _lines(lines),
            "skipped": statement.entries - statement.new_entries,
        },
    )


@login_required
@require_GET
def bank_queue(request: HttpRequest) -> HttpResponse:
    """The credits to resolve; `?line=ID&q=text` searches donors for that line."""
    lines = bank.unmatched_lines(user=request.user)
    page = Paginator(lines, PAGE_SIZE).get_page(request.GET.get("page"))
    searched_line = request.GET.get("line", "")
    query = request.GET.get("q", "").strip()[:100]
    candidates: list[dict] = []
    if searched_line.isdigit() and query:
        candidates = [
            {"donor": d, "reference": format_structured_reference(d.structured_reference)}
            for d in bank.donor_candidates(user=request.user, query=query)
        ]
    rows = [
        {
            "line": line,
            "reason": bank.reason_label(line.reason),
            "reference": format_structured_reference(line.structured_reference),
            "searched": str(line.pk) == searched_line,
            "can_resolve": line.credit and line.currency == "EUR",
        }
        for line in page
    ]
    return render(
        request,
        "funding/bank_queue.html",
        {"page": page, "rows": rows, "q": query, "candidates": candidates, "query": ""},
    )


def _back_to_queue(request: HttpRequest) -> HttpResponse:
    return redirect("funding:bank_queue")


def _line_or_404(request: HttpRequest, pk: int) -> StatementLine:
    try:
        return bank.line_get(user=request.user, pk=pk)
    except StatementLine.DoesNotExist as exc:
        raise Http404 from exc


@login_required
@require_POST
def bank_line_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, bank.CHANGE_LINE)
    line = _line_or_404(request, pk)
    form = ResolveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a donor."))
        return _back_to_queue(request)
    try:
        bank.line_resolve(
            actor=request.user,
            line_id=line.pk,
            expected_version=form.cleaned_data["version"],
            donor_id=form.cleaned_data["donor_id"],
            remember_account=bool(form.cleaned_data["remember_account"]),
        )
    except Donor.DoesNotExist:
        messages.error(request, _("This donor does not exist."))
    except ConcurrentEditError:
        messages.error(request, _("Someone else changed this line meanwhile: look again."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The gift is recorded."))
    return _back_to_queue(request)


@login_required
@require_POST
def bank_line_ignore(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, bank.CHANGE_LINE)
    line = _line_or_404(request, pk)
    form = IgnoreForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why this line is not a gift."))
        return _back_to_queue(request)
    try:
        bank.line_ignore(
            actor=request.user,
            line_id=line.pk,
            expected_version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
        )
    except ConcurrentEditError:
        messages.error(request, _("Someone else changed this line meanwhile: look again."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The line is set aside: not a gift."))
    return _back_to_queue(request)
