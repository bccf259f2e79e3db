"""Search notices' endpoints (/api/v1/notices): list, read, prepare from a case, change, photos,
the authority's agreement, submit, approve (a second person), send back, publish, withdraw, the
withdrawal report and the networks' figures.

The same selectors and services as the staff pages: alerts.view_searchnotice to read (and only
notices of cases the user may open: 404 otherwise), alerts.add_searchnotice /
change_searchnotice to prepare and change, approve_searchnotice (never one's own notice),
publish_searchnotice to publish and withdraw, add_channelstat for figures. Photos are uploaded as
multipart/form-data (`photo` and `version`); they are never returned by the API."""

from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from beacon.alerts import selectors, services
from beacon.alerts.models import NoticePhoto, SearchNotice
from beacon.alerts.schemas import (
    AgreementIn,
    NoticeIn,
    NoticeListQuery,
    NoticeOut,
    NoticePageOut,
    NoticePatch,
    NoticeSummaryOut,
    PhotoOut,
    ReturnIn,
    StatIn,
    StatOut,
    VersionIn,
    WithdrawalReportOut,
    WithdrawIn,
)
from beacon.cases.models import Case
from beacon.cases.selectors import case_get
from beacon.core.api import error_responses, query_error
from beacon.core.permissions import require
from beacon.network.models import Municipality

router = Router(tags=["search notices"])


def _name(user) -> str | None:
    return user.get_username() if user is not None else None


def _step(user, at) -> dict:
    return {"by": _name(user), "at": at}


def notice_summary_out(notice: SearchNotice) -> dict:
    return {
        "id": notice.pk,
        "public_id": notice.public_id,
        "case_id": notice.case_id,
        "case_number": notice.case.number,
        "kind": notice.kind,
        "status": notice.status,
        "display_name": notice.display_name,
        "region": notice.region.code if notice.region else None,
        "created_at": notice.created_at,
        "published_at": notice.published_at,
        "withdrawn_at": notice.withdrawn_at,
        "version": notice.version,
    }


def notice_out(notice: SearchNotice) -> dict:
    return {
        **notice_summary_out(notice),
        "channels": list(notice.channels),
        "languages": list(notice.languages),
        "age": notice.age,
        "description": dict(notice.description or {}),
        "instructions": dict(notice.instructions or {}),
        "last_seen_at": notice.last_seen_at,
        "last_seen_place": notice.last_seen_place,
        "municipalities": [m.code for m in notice.municipalities.all()],
        "still_missing": notice.still_missing,
        "authority_name": notice.authority_name,
        "authority_agreed_by": notice.authority_agreed_by,
        "photos": [photo_out(p) for p in notice.photos.select_related("uploaded_by")],
        "steps": {
            "prepared": _step(notice.created_by, notice.created_at),
            "agreement": _step(notice.authority_recorded_by, notice.authority_agreed_at),
            "parents_informed": _step(
                notice.parents_informed_recorded_by, notice.parents_informed_at
            ),
            "submitted": _step(notice.submitted_by, notice.submitted_at),
            "approved": _step(notice.approved_by, notice.approved_at),
            "published": _step(notice.published_by, notice.published_at),
            "withdrawn": _step(notice.withdrawn_by, notice.withdrawn_at),
        },
        "withdrawal_reason": notice.withdrawal_reason,
        "deliveries": [
            {
                "channel": d.channel,
                "status": d.status,
                "published_at": d.published_at,
                "withdrawal_started_at": d.withdrawal_started_at,
                "withdrawn_at": d.withdrawn_at,
                "detail": d.detail,
            }
            for d in notice.deliveries.order_by("id")
        ],
    }


def photo_out(photo: NoticePhoto) -> dict:
    return {
        "id": photo.pk,
        "position": photo.position,
        "uploaded_at": photo.uploaded_at,
        "uploaded_by": _name(photo.uploaded_by),
    }


def _counts(counts) -> dict:
    return {
        "delivered": counts.delivered,
        "pending": counts.pending,
        "retrying": counts.retrying,
        "failed": counts.failed,
        "cancelled": counts.cancelled,
        "last_error": counts.last_error,
    }


def _reader(request) -> None:
    require(request.user, selectors.VIEW_PERMISSION)


def _load(request, notice_id: int, *, audited: bool = False) -> SearchNotice:
    """The notice if the user may read it: 403 without the permission (audited), 404 for a
    notice of a case the user may not open (or none)."""
    _reader(request)
    return selectors.notice_get(user=request.user, pk=notice_id, audited=audited)


def _reread(request, notice: SearchNotice) -> dict:
    """The notice as it is after a service changed it (the service audited the change)."""
    return notice_out(selectors.notice_get(user=request.user, pk=notice.pk, audited=False))


def _municipalities(codes: list[str]) -> list[Municipality]:
    found = {m.code: m for m in Municipality.objects.filter(code__in=codes)}
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise ValidationError(
            {
                "municipalities": [
                    _("Unknown municipality: %(codes)s.") % {"codes": ", ".join(unknown)}
                ]
            }
        )
    return [found[code] for code in codes]


def _check_municipalities(municipalities: list[Municipality], region: str | None) -> None:
    if municipalities and any(m.region.code != region for m in municipalities):
        raise ValidationError(
            {"municipalities": [_("Choose municipalities of the chosen province.")]}
        )


@contextmanager
def located_as_in_request():
    """Name a service's errors by the request's fields: the case is `case_id`, the agreement's
    `authority_agreed_by` / `authority_agreed_at` are `agreed_by` / `agreed_at`."""
    renamed = {
        "case": "case_id",
        "authority_agreed_by": "agreed_by",
        "authority_agreed_at": "agreed_at",
    }
    try:
        yield
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        located: dict[str, list[str]] = {}
        for field, messages in exc.message_dict.items():
            located.setdefault(renamed.get(field, field), []).extend(messages)
        raise ValidationError(located) from exc


# --- reads -------------------------------------------------------------------------------------


@router.get(
    "",
    response={200: NoticePageOut, **error_responses(403, 422)},
    summary="Find search notices (filtered, keyset-paginated)",
)
def list_notices(request, query: Query[NoticeListQuery]):
    """Notices of the cases the user may open, newest first. Follow `next_cursor`."""
    _reader(request)
    if query.cursor and selectors.decode_cursor(query.cursor) is None:
        raise query_error("cursor", _("Not a cursor from this list."))
    case = None
    if query.case_id is not None:
        try:
            case = case_get(user=request.user, pk=query.case_id, audited=False)
        except Case.DoesNotExist:
            raise query_error("case_id", _("Unknown case.")) from None
    page = selectors.notice_list(
        user=request.user,
        status=query.status,
        kind=query.kind,
        case=case,
        cursor=query.cursor,
        page_size=query.limit,
    )
    return {"items": [notice_summary_out(n) for n in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/approval-queue",
    response={200: list[NoticeSummaryOut], **error_responses(403)},
    summary="Notices waiting for your approval",
)
def approval_queue(request):
    """Submitted notices the user may approve: never those the user prepared or submitted."""
    _reader(request)
    return [notice_summary_out(n) for n in selectors.approval_queue(user=request.user)]


@router.get(
    "/{notice_id}",
    response={200: NoticeOut, **error_responses(403, 404)},
    summary="One notice (the read is audited)",
)
def get_notice(request, notice_id: int):
    """The notice with each step's who and when, its photos (ids only) and its channels. Keep
    `version` to send back with a change or a step."""
    return notice_out(_load(request, notice_id, audited=True))


@router.get(
    "/{notice_id}/withdrawal-report",
    response={200: WithdrawalReportOut, **error_responses(403, 404)},
    summary="Each channel's publication and withdrawal",
)
def withdrawal_report(request, notice_id: int):
    """Per channel: its state, when it was published, when its withdrawal started and ended,
    how long it took; for channels that mobilise people the withdrawal messages delivered,
    waiting (being retried, with the last error) and failed, and the publications cancelled
    before they were sent; the published files deleted. Poll it while `in_progress`."""
    notice = _load(request, notice_id)
    report = selectors.withdrawal_report(user=request.user, notice=notice)
    return {
        "notice_id": notice.pk,
        "status": notice.status,
        "withdrawn_at": notice.withdrawn_at,
        "in_progress": report.in_progress,
        "channels": [
            {
                "channel": row.channel,
                "status": row.status,
                "published_at": row.published_at,
                "withdrawal_started_at": row.withdrawal_started_at,
                "withdrawn_at": row.withdrawn_at,
                "withdrawal_seconds": row.took_seconds,
                "detail": row.detail,
                "withdrawal_messages": _counts(row.withdrawal) if row.outbox else None,
                "publication_messages": _counts(row.publication) if row.outbox else None,
                "files": row.files,
                "files_deleted": row.files_deleted,
            }
            for row in report.channels
        ],
        "files": report.files,
        "files_deleted": report.files_deleted,
        "recipients": [
            {"channel": r.channel, "recipients": r.recipients, "confirmed": r.confirmed}
            for r in selectors.recipients_summary(notice=notice)
        ],
    }


# --- preparing and changing --------------------------------------------------------------------


@router.post(
    "",
    response={201: NoticeOut, **error_responses(403, 422)},
    summary="Prepare a notice from a missing-child case",
)
def create_notice(request, payload: NoticeIn):
    """A draft for an open missing-child case the user may open (`case_id`). Then add a photo,
    record the authority's agreement, and submit it for a second person's approval."""
    require(request.user, "alerts.add_searchnotice")
    try:
        case = case_get(user=request.user, pk=payload.case_id, audited=False)
    except Case.DoesNotExist:
        raise ValidationError({"case_id": [_("Unknown case.")]}) from None
    fields = payload.dict(exclude={"case_id"}, exclude_unset=True)
    if "municipalities" in fields:
        fields["municipalities"] = _municipalities(fields["municipalities"])
        _check_municipalities(
            fields["municipalities"],
            fields.get("region") or (case.region.code if case.region else None),
        )
    with located_as_in_request():
        notice = services.notice_prepare(actor=request.user, case=case, **fields)
    return Status(201, _reread(request, notice))


@router.patch(
    "/{notice_id}",
    response={200: NoticeOut, **error_responses(403, 404, 409, 422)},
    summary="Change a notice not yet published",
)
def update_notice(request, notice_id: int, payload: NoticePatch):
    """Only the fields sent change. A submitted or approved notice goes back to draft."""
    notice = _load(request, notice_id)
    changes = payload.dict(exclude_unset=True, exclude={"version"})
    for name in ("display_name", "last_seen_place"):
        if name in changes and changes[name] is None:
            changes[name] = ""
    for name in ("channels", "languages", "municipalities"):
        if name in changes and changes[name] is None:
            changes[name] = []
    for name in ("description", "instructions"):
        if name in changes and changes[name] is None:
            changes[name] = {}
    if "still_missing" in changes and changes["still_missing"] is None:
        del changes["still_missing"]
    if "kind" in changes and changes["kind"] is None:
        del changes["kind"]
    if "municipalities" in changes:
        changes["municipalities"] = _municipalities(changes["municipalities"])
        current = notice.region.code if notice.region else None
        _check_municipalities(changes["municipalities"], changes.get("region", current))
    with located_as_in_request():
        services.notice_update(
            actor=request.user, notice=notice, expected_version=payload.version, **changes
        )
    return _reread(request, notice)


@router.post(
    "/{notice_id}/photos",
    response={201: PhotoOut, **error_responses(403, 404, 409, 422)},
    summary="Add a photo (multipart)",
)
def add_photo(request, notice_id: int, photo: File[UploadedFile], version: Form[int]):
    """multipart/form-data with `photo` (JPEG, PNG or WebP; its name must not claim another
    format) and `version`. Kept re-encoded from its pixels: no EXIF, no GPS position. At most
    four photos. Photos are never returned by the API: the staff pages show them."""
    notice = _load(request, notice_id)
    added = services.notice_photo_add(
        actor=request.user, notice=notice, expected_version=version, upload=photo
    )
    return Status(201, photo_out(added))


@router.delete(
    "/{notice_id}/photos/{photo_id}",
    response={204: None, **error_responses(403, 404, 409, 422)},
    summary="Remove a photo",
)
def remove_photo(request, notice_id: int, photo_id: int, version: int):
    """`version` (query) is the notice's as read."""
    notice = _load(request, notice_id)
    if not notice.photos.filter(pk=photo_id).exists():
        raise HttpError(404, _("Not found."))
    services.notice_photo_remove(
        actor=request.user, notice=notice, expected_version=version, photo_id=photo_id
    )
    return Status(204, None)


@router.post(
    "/{notice_id}/agreement",
    response={200: NoticeOut, **error_responses(403, 404, 409, 422)},
    summary="Record the investigating authority's agreement",
)
def record_agreement(request, notice_id: int, payload: AgreementIn):
    """Who agreed and when; for a minor also when the parents were informed. Nothing is
    submitted, approved or published without it."""
    notice = _load(request, notice_id)
    with located_as_in_request():
        services.notice_agreement_record(
            actor=request.user,
            notice=notice,
            expected_version=payload.version,
            authority_name=payload.authority_name,
            agreed_by=payload.agreed_by,
            agreed_at=payload.agreed_at,
            parents_informed_at=payload.parents_informed_at,
        )
    return _reread(request, notice)


# --- the steps ---------------------------------------------------------------------------------


@router.post(
    "/{notice_id}/submit",
    response={200: NoticeOut, **error_responses(403, 404, 409, 422)},
    summary="Submit for a second person's approval",
)
def submit_notice(request, notice_id: int, payload: VersionIn):
    """A complete draft: channels, a description per language, the authority's agreement, the
    parents informed (a minor), a photo (a public notice). 422 lists what is missing."""
    notice = _load(request, notice_id)
    services.notice_submit(actor=request.user, notice=notice, expected_version=payload.version)
    return _reread(request, notice)


@router.post(
    "/{notice_id}/approve",
    response={200: NoticeOut, **error_responses(403, 404, 409, 422)},
    summary="Approve (four-eyes: never one's own)",
)
def approve_notice(request, notice_id: int, payload: VersionIn):
    """The second person's approval. Who prepared or submitted the notice is refused (422 on
    `approved_by`)."""
    notice = _load(request, notice_id)
    services.notice_approve(actor=request.user, notice=notice, expected_version=payload.version)
    return _reread(request, notice)


@router.post(
    "/{notice_id}/return",
    response={200: NoticeOut, **error_responses(403, 404, 409, 422)},
    summary="Send a submitted or approved notice back to draft",
)
def return_notice(request, notice_id: int, payload: ReturnIn):
    notice = _load(request, notice_id)
    services.notice_return(
        actor=request.user, notice=notice, expected_version=payload.version, reason=payload.reason
    )
    return _reread(request, notice)


@router.post(
    "/{notice_id}/publish",
    response={200: NoticeOut, **error_responses(403, 404, 409, 422)},
    summary="Publish an approved notice",
)
def publish_notice(request, notice_id: int, payload: VersionIn):
    """Each channel goes out in the background; follow them in `deliveries` or the withdrawal
    report."""
    notice = _load(request, notice_id)
    services.notice_publish(actor=request.user, notice=notice, expected_version=payload.version)
    return _reread(request, notice)


@router.post(
    "/{notice_id}/withdraw",
    response={200: NoticeOut, **error_responses(403, 404, 422)},
    summary="Withdraw from every channel at once",
)
def withdraw_notice(request, notice_id: int, payload: WithdrawIn):
    """The withdrawal wins over anything still going out. Follow it in the withdrawal report."""
    notice = _load(request, notice_id)
    services.notice_withdraw(actor=request.user, notice=notice, reason=payload.reason)
    return _reread(request, notice)


@router.post(
    "/{notice_id}/stats",
    response={200: StatOut, **error_responses(403, 404, 422)},
    summary="Enter a network's figures",
)
def record_stats(request, notice_id: int, payload: StatIn):
    """Views, shares, reach and interactions counted by a network for a published (or
    withdrawn) notice; sending the same network again replaces its figures."""
    notice = _load(request, notice_id)
    stat = services.stat_record(actor=request.user, notice=notice, **payload.dict())
    return {
        "network": stat.network,
        "views": stat.views,
        "shares": stat.shares,
        "reach": stat.reach,
        "interactions": stat.interactions,
        "source": stat.source,
        "recorded_by": _name(stat.recorded_by),
        "recorded_at": stat.recorded_at,
    }
