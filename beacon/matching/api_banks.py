"""Hash banks' endpoints (mounted at /matching/banks): list and read banks, create and change
them, upload files of hashes to import (read in the background; poll the import for progress),
remove retracted hashes, export a bank.

Permissions are the services' and selectors' own (beacon.matching.banks): matching.view_hashbank
to read banks and imports (analysts, administrators); add_hashbank / change_hashbank to create and
change; add_bankimport to import; change_bankhash to remove hashes; change_hashbank to export.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.http import StreamingHttpResponse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from beacon.core.api import error_responses
from beacon.matching import banks
from beacon.matching.models import BankImport, HashBank
from beacon.matching.schemas_banks import (
    BankDetailOut,
    BankIn,
    BankOut,
    BankUpdateIn,
    ExportQuery,
    ImportOut,
    RemovalIn,
    RemovalOut,
)

router = Router(tags=["hash banks"])


@contextmanager
def not_found() -> Iterator[None]:
    """A bank or import that does not exist answers 404 (after the permission check)."""
    try:
        yield
    except (HashBank.DoesNotExist, BankImport.DoesNotExist):
        raise HttpError(404, _("Not found.")) from None


def bank_out(bank: HashBank, live_hashes: int | None = None) -> dict:
    if live_hashes is None:
        live_hashes = getattr(bank, "live_hashes", None)
    if live_hashes is None:
        live_hashes = sum(banks.bank_counts(bank).values())
    return {
        "id": bank.pk,
        "name": bank.name,
        "source": bank.source,
        "description": bank.description,
        "auto_act_exact": bank.auto_act_exact,
        "near_to_analysts": bank.near_to_analysts,
        "near_threshold": bank.near_threshold,
        "classification": bank.classification,
        "active": bank.active,
        "created_at": bank.created_at,
        "changed_at": bank.changed_at,
        "version": bank.version,
        "live_hashes": live_hashes,
    }


def import_summary_out(imported: BankImport) -> dict:
    return {
        "id": imported.pk,
        "format": imported.format,
        "filename": imported.filename,
        "status": imported.status,
        "lines_total": imported.lines_total,
        "lines_done": imported.lines_done,
        "added": imported.added,
        "duplicates": imported.duplicates,
        "malformed": imported.malformed,
        "created_at": imported.created_at,
        "finished_at": imported.finished_at,
    }


def import_out(imported: BankImport) -> dict:
    return {
        **import_summary_out(imported),
        "bank_id": imported.bank_id,
        "size": imported.size,
        "progress_pct": imported.progress_pct,
        "errors": imported.errors or [],
        "failure": imported.failure,
        "created_by": imported.created_by.get_username() if imported.created_by else None,
        "started_at": imported.started_at,
    }


def bank_detail_out(user, bank: HashBank) -> dict:
    counts = banks.bank_counts(bank)
    return {
        **bank_out(bank, live_hashes=sum(counts.values())),
        "live_by_kind": counts,
        "imports": [import_summary_out(i) for i in banks.bank_imports(user=user, bank=bank)],
    }


@router.get(
    "", response={200: list[BankOut], **error_responses(403)}, summary="Every hash bank, by name"
)
def list_banks(request):
    """Each bank's settings and its number of hashes not removed (`live_hashes`)."""
    return [bank_out(bank) for bank in banks.banks_list(user=request.user)]


@router.post("", response={201: BankOut, **error_responses(403, 422)}, summary="Create a hash bank")
def create_bank(request, payload: BankIn):
    """A new, empty bank; fill it by uploading files (POST .../{bank_id}/imports)."""
    bank = banks.bank_create(actor=request.user, **payload.dict())
    return Status(201, bank_out(bank, live_hashes=0))


@router.get(
    "/{bank_id}",
    response={200: BankDetailOut, **error_responses(403, 404)},
    summary="One bank: settings, hashes per kind, latest imports",
)
def get_bank(request, bank_id: int):
    with not_found():
        bank = banks.bank_get(user=request.user, pk=bank_id)
    return bank_detail_out(request.user, bank)


@router.patch(
    "/{bank_id}",
    response={200: BankOut, **error_responses(403, 404, 409, 422)},
    summary="Change a bank's settings",
)
def update_bank(request, bank_id: int, payload: BankUpdateIn):
    """Send the bank's `version` as read and the fields to change; 409 when someone changed the
    bank since (imports and removals change it too: read it again)."""
    changes = payload.dict(exclude={"version"}, exclude_none=True)
    with not_found():
        bank = banks.bank_update(
            actor=request.user, bank_id=bank_id, expected_version=payload.version, **changes
        )
    return bank_out(bank)


@router.post(
    "/{bank_id}/imports",
    response={202: ImportOut, **error_responses(403, 404, 422)},
    summary="Upload a file of hashes to import (read in the background)",
)
def upload_import(request, bank_id: int, file: File[UploadedFile], format: Form[str]):
    """multipart/form-data with `file` and `format` (`pdq`: a PDQ per line, optionally a
    quality after a comma or a space; `csv`: a header naming the columns hash, quality, tags;
    `md5`, `sha1`, `sha256`: one per line). Text (UTF-8), at most 512 MiB. The answer is the
    waiting import: poll GET .../imports/{import_id} for its progress and malformed lines."""
    with not_found():
        imported = banks.import_upload(
            actor=request.user, bank_id=bank_id, format=format, file=file
        )
    imported = BankImport.objects.select_related("created_by").get(pk=imported.pk)
    return Status(202, import_out(imported))


@router.get(
    "/{bank_id}/imports/{import_id}",
    response={200: ImportOut, **error_responses(403, 404)},
    summary="An import's status, progress and malformed lines",
)
def get_import(request, bank_id: int, import_id: int):
    with not_found():
        imported = banks.import_get(user=request.user, pk=import_id, bank_id=bank_id)
    return import_out(imported)


@router.post(
    "/{bank_id}/imports/{import_id}/resume",
    response={202: ImportOut, **error_responses(403, 404, 422)},
    summary="Queue again an import that stopped half-way",
)
def resume_import(request, bank_id: int, import_id: int):
    """For an import whose worker stopped: it goes on from its last written chunk and repeats
    nothing (Beacon also does this by itself after BEACON_MATCHING_IMPORT_STALL_MINUTES)."""
    with not_found():
        banks.import_resume(actor=request.user, import_id=import_id, bank_id=bank_id)
    imported = BankImport.objects.select_related("created_by").get(pk=import_id)
    return Status(202, import_out(imported))


@router.post(
    "/{bank_id}/removals",
    response={200: RemovalOut, **error_responses(403, 404, 422)},
    summary="Remove hashes a partner retracted",
)
def remove_hashes(request, bank_id: int, payload: RemovalIn):
    """Each hash is kept, marked removed with the reason, and no longer matches. A hash already
    removed is left as it was (`already_removed`). 422 on `values` names each value that is not
    a hash or not in the bank; then nothing is removed."""
    with not_found():
        removal = banks.hashes_remove(
            actor=request.user,
            bank_id=bank_id,
            values=payload.values,
            reason=payload.reason,
            kind=payload.kind,
        )
    return {
        "removed": removal.removed,
        "already_removed": removal.already_removed,
        "bank_version": HashBank.objects.values_list("version", flat=True).get(pk=bank_id),
    }


@router.get(
    "/{bank_id}/export",
    response=error_responses(403, 404, 422),
    summary="Export a bank's hashes (streamed text)",
    openapi_extra={
        "responses": {
            200: {
                "description": "The hashes, one per line (a CSV with its header for `csv`).",
                "content": {
                    "text/plain": {"schema": {"type": "string"}},
                    "text/csv": {"schema": {"type": "string"}},
                },
            }
        }
    },
)
def export_bank(request, bank_id: int, query: Query[ExportQuery]):
    """The hashes not removed, of the format's kind: `pdq` lines `<hex>,<quality>`, a `csv`
    with the header hash,quality,tags, or `md5` / `sha1` / `sha256` lines. Each imports again
    as it is. Audited as an export."""
    with not_found():
        export = banks.bank_export(actor=request.user, bank_id=bank_id, format=query.format)
    response = StreamingHttpResponse(export.lines, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response
