"""The hash banks' staff pages: the list, a bank's page (settings, counts, imports, removal,
export), the forms to create and edit a bank, the upload of an import and its progress.

Analysts (matching.view_hashbank) see everything here; administrators keep the banks. The
services and selectors in banks.py check the permissions; a page only hides what a user may
not do.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from beacon.core.errors import ConcurrentEditError
from beacon.core.forms_errors import act_on_form, add_service_errors
from beacon.core.permissions import require
from beacon.matching import banks
from beacon.matching.choices import HashKind, ImportFormat, ImportStatus
from beacon.matching.forms_banks import BankEditForm, BankForm, ImportForm, RemovalForm
from beacon.matching.models import BankImport, HashBank

# Short names of the formats for the export links (the choices' labels are their titles).
EXPORT_NAMES = {
    ImportFormat.PDQ_LINES: "PDQ",
    ImportFormat.PDQ_CSV: "CSV",
    ImportFormat.MD5: "MD5",
    ImportFormat.SHA1: "SHA-1",
    ImportFormat.SHA256: "SHA-256",
}


def _bank(request: HttpRequest, pk: int) -> HashBank:
    try:
        return banks.bank_get(user=request.user, pk=pk)
    except HashBank.DoesNotExist as exc:
        raise Http404 from exc


@login_required
@require_GET
def bank_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "matching/banks/list.html", {"banks": list(banks.banks_list(user=request.user))}
    )


def _detail(request: HttpRequest, bank: HashBank, *, status: int = 200, **given) -> HttpResponse:
    counts = banks.bank_counts(bank)
    context = {
        "bank": bank,
        "counts": [(HashKind(kind).label, n) for kind, n in counts.items()],
        "live_total": sum(counts.values()),
        "imports": banks.bank_imports(user=request.user, bank=bank),
        "export_formats": [
            (value, EXPORT_NAMES[ImportFormat(value)], label)
            for value, label in ImportFormat.choices
        ],
        "removal_form": given.get("removal_form") or RemovalForm(),
    }
    return render(request, "matching/banks/detail.html", context, status=status)


@login_required
@require_GET
def bank_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _bank(request, pk))


def _bank_values(data: dict) -> dict:
    return {field: data[field] for field in banks.BANK_FIELDS}


@login_required
@require_http_methods(["GET", "POST"])
def bank_new(request: HttpRequest) -> HttpResponse:
    require(request.user, banks.CREATE)
    form = BankForm(request.POST or None)
    if request.method == "POST":
        created: list[HashBank] = []
        return act_on_form(
            request,
            form,
            lambda data: created.append(
                banks.bank_create(actor=request.user, **_bank_values(data))
            ),
            done=_("Bank created. Import its hashes from a file."),
            success=lambda: redirect("matching:bank", pk=created[0].pk),
            failure=lambda failed: render(
                request, "matching/banks/form.html", {"form": failed}, status=400
            ),
        )
    return render(request, "matching/banks/form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def bank_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, banks.CHANGE)
    bank = _bank(request, pk)
    if request.method == "POST":
        form = BankEditForm(request.POST)
        return act_on_form(
            request,
            form,
            lambda data: banks.bank_update(
                actor=request.user,
                bank_id=bank.pk,
                expected_version=data["version"],
                **_bank_values(data),
            ),
            done=_("Bank saved."),
            success=lambda: redirect("matching:bank", pk=bank.pk),
            failure=lambda failed: render(
                request, "matching/banks/form.html", {"form": failed, "bank": bank}, status=400
            ),
        )
    initial = {field: getattr(bank, field) for field in banks.BANK_FIELDS}
    form = BankEditForm(initial={**initial, "version": bank.version})
    return render(request, "matching/banks/form.html", {"form": form, "bank": bank})


# The upload is copied to private storage before the import's transaction: a large file must not
# hold the request's transaction (on SQLite, the database's write lock) while it is copied.
@transaction.non_atomic_requests
@login_required
@require_http_methods(["GET", "POST"])
def import_new(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, banks.IMPORT)
    bank = _bank(request, pk)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                imported = banks.import_upload(
                    actor=request.user,
                    bank_id=bank.pk,
                    format=form.cleaned_data["format"],
                    file=form.cleaned_data["file"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("File received; the import runs in the background."))
                return redirect("matching:import_status", pk=bank.pk, import_id=imported.pk)
        return _import_form(request, bank, form, status=400)
    return _import_form(request, bank, form)


def _import_form(request, bank: HashBank, form: ImportForm, status: int = 200) -> HttpResponse:
    context = {"form": form, "bank": bank, "max_mb": banks.IMPORT_MAX_BYTES // (1024 * 1024)}
    return render(request, "matching/banks/import_new.html", context, status=status)


@login_required
@require_GET
def import_status(request: HttpRequest, pk: int, import_id: int) -> HttpResponse:
    try:
        imported = banks.import_get(user=request.user, pk=import_id, bank_id=pk)
    except BankImport.DoesNotExist as exc:
        raise Http404 from exc
    context = {
        "bank": imported.bank,
        "imported": imported,
        "running": imported.status in (ImportStatus.WAITING, ImportStatus.RUNNING),
        "error_lines": banks.import_error_lines(imported),
    }
    # HTMX polls the progress every 2 s for the fragment alone, until the import has ended.
    template = (
        "matching/banks/_import_progress.html"
        if request.htmx  # type: ignore[attr-defined]
        else "matching/banks/import_status.html"
    )
    return render(request, template, context)


@login_required
@require_POST
def import_resume(request: HttpRequest, pk: int, import_id: int) -> HttpResponse:
    try:
        banks.import_resume(actor=request.user, import_id=import_id, bank_id=pk)
    except BankImport.DoesNotExist as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The import is queued again; it goes on where it stopped."))
    return redirect("matching:import_status", pk=pk, import_id=import_id)


@login_required
@require_GET
def bank_export(request: HttpRequest, pk: int) -> HttpResponseBase:
    try:
        export = banks.bank_export(
            actor=request.user, bank_id=pk, format=request.GET.get("format", "")
        )
    except HashBank.DoesNotExist as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("matching:bank", pk=pk)
    response = StreamingHttpResponse(export.lines, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


@login_required
@require_POST
def hash_remove(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, banks.REMOVE)
    bank = _bank(request, pk)
    form = RemovalForm(request.POST)
    if form.is_valid():
        try:
            removal = banks.hashes_remove(
                actor=request.user,
                bank_id=bank.pk,
                values=form.cleaned_data["values"],
                reason=form.cleaned_data["reason"],
                kind=form.cleaned_data["kind"],
            )
        except ConcurrentEditError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            text = _("%(removed)d hashes removed.") % {"removed": removal.removed}
            if removal.already_removed:
                text += " " + _("%(count)d were removed already.") % {
                    "count": removal.already_removed
                }
            messages.success(request, text)
            return redirect("matching:bank", pk=bank.pk)
    bank.refresh_from_db()
    return _detail(request, bank, status=400, removal_form=form)
