"""The staff pages of search notices: the list and approval queue, preparing a notice from a
missing-child case, and one notice's page (photos, the authority's agreement, four-eyes approval,
publication, withdrawal and its report, the figures networks give back).

Thin views: parse, call a selector or a service, render. The photo is the case file's copy:
served only to those who may open the case, audited, never from a public URL.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from beacon.alerts import selectors, services
from beacon.alerts.choices import Channel, NoticeKind, NoticeStatus
from beacon.alerts.forms import (
    AgreementForm,
    NoticeFilterForm,
    NoticeForm,
    PhotoForm,
    ReturnForm,
    StatForm,
    StatsImportForm,
    VersionForm,
    WithdrawForm,
    initial_for_case,
    initial_for_notice,
)
from beacon.alerts.models import SearchNotice
from beacon.alerts.stats_import import stats_import
from beacon.cases.choices import Mission
from beacon.cases.models import Case
from beacon.cases.selectors import case_get
from beacon.core.audit import audit
from beacon.core.errors import ConcurrentEditError
from beacon.core.models import AuditAction
from beacon.network.models import Municipality


def _require_reader(user) -> None:
    if not selectors.can_read_notices(user):
        raise PermissionDenied(selectors.VIEW_PERMISSION)


def _require(user, permission: str) -> None:
    _require_reader(user)
    if not user.has_perm(permission):
        raise PermissionDenied(permission)


def _load(request, pk: int, *, audited: bool = False) -> SearchNotice:
    _require_reader(request.user)
    try:
        return selectors.notice_get(user=request.user, pk=pk, audited=audited)
    except SearchNotice.DoesNotExist as exc:
        raise Http404(_("No such search notice.")) from exc


def conflict_message(exc: ConcurrentEditError) -> str:
    """The service's own words ("someone changed this notice"), else the generic ones."""
    return str(exc.args[0]) if exc.args else str(exc.message)


def add_errors(form, error: ValidationError) -> None:
    """A service's field messages under their field; the others on top of the form, as they
    are (the services word them to be read alone: "A second person must approve ...")."""
    for name, field_messages in error.message_dict.items():
        for message in field_messages:
            form.add_error(name if name in form.fields else None, message)


def _run(form, call) -> int:
    """Run one service on a valid form: 200, or 400 (invalid, refused) or 409 (stale version)
    with the errors on the form."""
    if not form.is_valid():
        return 400
    try:
        call(form.cleaned_data)
    except ConcurrentEditError as exc:
        form.add_error(None, conflict_message(exc))
        return 409
    except ValidationError as exc:
        add_errors(form, exc)
        return 400
    return 200


# --- list and approval queue -------------------------------------------------------------------


@login_required
@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    return _list_page(request)


def _list_page(request, *, import_form=None, import_errors=None, http_status: int = 200):
    _require_reader(request.user)
    form = NoticeFilterForm(request.GET or None)
    status = kind = ""
    if form.is_bound:
        if form.is_valid():
            status, kind = form.cleaned_data["status"], form.cleaned_data["kind"]
        else:
            messages.warning(request, _("Some filters were not understood and are ignored."))
    case = None
    if request.GET.get("case", "").isdigit():
        try:
            case = case_get(user=request.user, pk=int(request.GET["case"]), audited=False)
        except Case.DoesNotExist as exc:
            raise Http404(_("No such case.")) from exc
    page = selectors.notice_list(
        user=request.user,
        status=status,
        kind=kind,
        case=case,
        cursor=request.GET.get("cursor", ""),
    )
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(
        request,
        "alerts/list.html",
        {
            "form": form,
            "page": page,
            "case": case,
            "query": query.urlencode(),
            "queue": selectors.approval_queue(user=request.user),
            "import_form": import_form or StatsImportForm(),
            "import_errors": import_errors or [],
        },
        status=http_status,
    )


@login_required
@require_POST
def figures_import(request: HttpRequest) -> HttpResponse:
    """A social-media tool's CSV of figures for many notices: all rows or none."""
    _require(request.user, "alerts.add_channelstat")
    form = StatsImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _list_page(request, import_form=form, http_status=400)
    result = stats_import(actor=request.user, file=form.cleaned_data["file"])
    if not result.ok:
        errors = [
            _("Line %(line)d: %(message)s") % {"line": e.line, "message": e.message}
            if e.line
            else e.message
            for e in result.errors
        ]
        return _list_page(request, import_form=form, import_errors=errors, http_status=400)
    messages.success(
        request,
        _("Figures imported: %(count)d rows.") % {"count": result.imported},
    )
    return redirect("alerts:list")


# --- preparing and changing --------------------------------------------------------------------


def _case_for_notice(request, pk: str | None) -> Case:
    if not pk or not str(pk).isdigit():
        raise Http404(_("Prepare a search notice from its case's page."))
    try:
        return case_get(user=request.user, pk=int(pk), audited=request.method == "GET")
    except Case.DoesNotExist as exc:
        raise Http404(_("No such case.")) from exc


@login_required
def notice_new(request: HttpRequest) -> HttpResponse:
    _require(request.user, "alerts.add_searchnotice")
    case = _case_for_notice(request, request.GET.get("case") or request.POST.get("case"))
    if case.mission != Mission.MISSING:
        raise Http404(_("Search notices are for missing-children cases."))
    status = 200
    if request.method == "POST":
        form = NoticeForm(request.POST)
        if form.is_valid():
            try:
                notice = services.notice_prepare(
                    actor=request.user, case=case, **form.notice_fields()
                )
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Search notice prepared. Add a photo and record the authority's agreement."),
                )
                return redirect("alerts:detail", pk=notice.pk)
        status = 400
    else:
        form = NoticeForm(initial=initial_for_case(case))
    return render(
        request, "alerts/form.html", {"form": form, "case": case, "notice": None}, status=status
    )


@login_required
def notice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user, "alerts.change_searchnotice")
    notice = _load(request, pk, audited=request.method == "GET")
    if notice.status not in services.EDITABLE:
        messages.error(request, _("A published or withdrawn notice cannot be changed."))
        return redirect("alerts:detail", pk=notice.pk)
    status = 200
    if request.method == "POST":
        form = NoticeForm(request.POST)
        if form.is_valid():
            try:
                services.notice_update(
                    actor=request.user,
                    notice=notice,
                    expected_version=form.cleaned_data.get("version") or 0,
                    **form.notice_fields(),
                )
            except ConcurrentEditError as exc:
                form.add_error(None, conflict_message(exc))
            except ValidationError as exc:
                add_errors(form, exc)
            else:
                messages.success(request, _("Search notice saved."))
                return redirect("alerts:detail", pk=notice.pk)
        status = 400
    else:
        form = NoticeForm(initial=initial_for_notice(notice))
    return render(
        request,
        "alerts/form.html",
        {"form": form, "case": notice.case, "notice": notice},
        status=status,
    )


@login_required
@require_GET
def municipality_options(request: HttpRequest) -> HttpResponse:
    """The municipalities of a province, as <option>s for the form (HTMX, on province change)."""
    _require_reader(request.user)
    region = request.GET.get("region", "")
    municipalities = Municipality.objects.filter(region__code=region).order_by("code")
    return render(request, "alerts/_municipality_options.html", {"municipalities": municipalities})


# --- one notice's page -------------------------------------------------------------------------


STEPS = (
    ("created", gettext_lazy("Prepared"), "created_by", "created_at"),
    (
        "agreement",
        gettext_lazy("Authority agreed"),
        "authority_recorded_by",
        "authority_agreed_at",
    ),
    (
        "parents",
        gettext_lazy("Parents informed"),
        "parents_informed_recorded_by",
        "parents_informed_at",
    ),
    ("submitted", gettext_lazy("Submitted for approval"), "submitted_by", "submitted_at"),
    ("approved", gettext_lazy("Approved (second person)"), "approved_by", "approved_at"),
    ("published", gettext_lazy("Published"), "published_by", "published_at"),
    ("withdrawn", gettext_lazy("Withdrawn"), "withdrawn_by", "withdrawn_at"),
)


def _steps(notice: SearchNotice) -> list[dict]:
    return [
        {
            "key": key,
            "label": label,
            "who": getattr(notice, who),
            "when": getattr(notice, when),
        }
        for key, label, who, when in STEPS
    ]


def _detail_context(request, notice: SearchNotice, **forms) -> dict:
    user = request.user
    version = {"version": notice.version}
    editable = notice.status in services.EDITABLE
    own = user.pk in (notice.created_by_id, notice.submitted_by_id)
    can = {
        "change": editable and user.has_perm("alerts.change_searchnotice"),
        "submit": notice.status == NoticeStatus.DRAFT
        and user.has_perm("alerts.change_searchnotice"),
        "approve": notice.status == NoticeStatus.SUBMITTED
        and user.has_perm("alerts.approve_searchnotice")
        and not own,
        "send_back": notice.status in (NoticeStatus.SUBMITTED, NoticeStatus.APPROVED)
        and user.has_perm("alerts.approve_searchnotice")
        and not own,
        "publish": notice.status == NoticeStatus.APPROVED
        and user.has_perm("alerts.publish_searchnotice"),
        # Before publication a notice is sent back to draft instead (closing the case withdraws
        # it too); the service would accept either.
        "withdraw": notice.status == NoticeStatus.PUBLISHED
        and user.has_perm("alerts.publish_searchnotice"),
        "stats": notice.status in (NoticeStatus.PUBLISHED, NoticeStatus.WITHDRAWN)
        and user.has_perm("alerts.add_channelstat"),
    }
    report = selectors.withdrawal_report(user=user, notice=notice)
    agreement_initial = {
        "version": notice.version,
        "authority_name": notice.authority_name,
        "authority_agreed_by": notice.authority_agreed_by,
        "authority_agreed_at": notice.authority_agreed_at,
        "parents_informed_at": notice.parents_informed_at,
    }
    languages = dict(settings.LANGUAGES)
    return {
        "notice": notice,
        "case": notice.case,
        "steps": _steps(notice),
        "photos": list(notice.photos.all()),
        "can": can,
        "own": own,
        "waiting_for_second_person": notice.status == NoticeStatus.SUBMITTED and own,
        "texts": [
            (
                code,
                languages.get(code, code),
                notice.text("description", code),
                notice.text("instructions", code),
            )
            for code in notice.languages
        ],
        "channel_labels": [Channel(c).label for c in notice.channels if c in Channel.values],
        "preview_languages": [(code, languages.get(code, code)) for code in notice.languages],
        "preview_kind": "poster" if notice.kind == NoticeKind.PUBLIC else "vignette",
        "report": report,
        "recipients": selectors.recipients_summary(notice=notice),
        "stats": selectors.notice_stats(notice=notice),
        "photo_form": forms.get("photo_form") or PhotoForm(initial=version),
        "agreement_form": forms.get("agreement_form") or AgreementForm(initial=agreement_initial),
        "submit_form": forms.get("submit_form") or VersionForm(initial=version),
        "approve_form": forms.get("approve_form") or VersionForm(initial=version),
        "return_form": forms.get("return_form") or ReturnForm(initial=version),
        "publish_form": forms.get("publish_form") or VersionForm(initial=version),
        "withdraw_form": forms.get("withdraw_form") or WithdrawForm(),
        "stat_form": forms.get("stat_form") or StatForm(),
        "remove_errors": forms.get("remove_errors") or [],
    }


@login_required
@require_GET
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _load(request, pk, audited=True)
    return render(request, "alerts/detail.html", _detail_context(request, notice))


def _step(request, pk: int, permission: str, form_class, form_name: str, call, done: str):
    """One step of a notice's life from its page: the service, then back to the page with a
    message; or the page again (400) with the refusal shown by the form that asked."""
    _require(request.user, permission)
    notice = _load(request, pk)
    form = form_class(request.POST, request.FILES)
    status = _run(form, lambda data: call(notice, data))
    if status == 200:
        messages.success(request, done)
        return redirect("alerts:detail", pk=notice.pk)
    notice = _load(request, pk)  # as it is now: someone may have changed it
    return render(
        request,
        "alerts/detail.html",
        _detail_context(request, notice, **{form_name: form}),
        status=status,
    )


@login_required
@require_POST
def notice_photo_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        "alerts.change_searchnotice",
        PhotoForm,
        "photo_form",
        lambda notice, data: services.notice_photo_add(
            actor=request.user,
            notice=notice,
            expected_version=data["version"],
            upload=data["photo"],
        ),
        _("Photo added (its metadata removed)."),
    )


@login_required
@require_POST
def notice_photo_remove(request: HttpRequest, pk: int, photo_id: int) -> HttpResponse:
    _require(request.user, "alerts.change_searchnotice")
    notice = _load(request, pk)
    if not notice.photos.filter(pk=photo_id).exists():
        raise Http404(_("No such photo."))
    form = VersionForm(request.POST)
    status = _run(
        form,
        lambda data: services.notice_photo_remove(
            actor=request.user, notice=notice, expected_version=data["version"], photo_id=photo_id
        ),
    )
    if status == 200:
        messages.success(request, _("Photo removed."))
        return redirect("alerts:detail", pk=notice.pk)
    notice = _load(request, pk)
    errors = [str(e) for e in form.non_field_errors()] + [
        str(e) for name in form.errors if name != "__all__" for e in form.errors[name]
    ]
    return render(
        request,
        "alerts/detail.html",
        _detail_context(request, notice, remove_errors=errors),
        status=status,
    )


@login_required
@require_GET
def notice_photo(request: HttpRequest, pk: int, photo_id: int) -> FileResponse:
    """The case file's copy of a photo, for those who may open the case; audited."""
    notice = _load(request, pk)
    photo = notice.photos.filter(pk=photo_id).first()
    if photo is None or not photo.image:
        raise Http404(_("No such photo."))
    audit(actor=request.user, action=AuditAction.VIEW, obj=photo)
    response = FileResponse(photo.image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def notice_agreement(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        "alerts.change_searchnotice",
        AgreementForm,
        "agreement_form",
        lambda notice, data: services.notice_agreement_record(
            actor=request.user,
            notice=notice,
            expected_version=data["version"],
            authority_name=data["authority_name"],
            agreed_by=data["authority_agreed_by"],
            agreed_at=data["authority_agreed_at"],
            parents_informed_at=data.get("parents_informed_at"),
        ),
        _("The authority's agreement is recorded."),
    )


@login_required
@require_POST
def notice_submit(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        "alerts.change_searchnotice",
        VersionForm,
        "submit_form",
        lambda notice, data: services.notice_submit(
            actor=request.user, notice=notice, expected_version=data["version"]
        ),
        _("Submitted: a second person must now approve the notice."),
    )


@login_required
@require_POST
def notice_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        "alerts.approve_searchnotice",
        VersionForm,
        "approve_form",
        lambda notice, data: services.notice_approve(
            actor=request.user, notice=notice, expected_version=data["version"]
        ),
        _("Approved. The notice can now be published."),
    )


@login_required
@require_POST
def notice_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        "alerts.approve_searchnotice",
        ReturnForm,
        "return_form",
        lambda notice, data: services.notice_return(
            actor=request.user,
            notice=notice,
            expected_version=data["version"],
            reason=data.get("reason", ""),
        ),
        _("Sent back to draft."),
    )


@login_required
@require_POST
def notice_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        "alerts.publish_searchnotice",
        VersionForm,
        "publish_form",
        lambda notice, data: services.notice_publish(
            actor=request.user, notice=notice, expected_version=data["version"]
        ),
        _("Published: each channel is going out now. The report below follows them."),
    )


@login_required
@require_POST
def notice_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        "alerts.publish_searchnotice",
        WithdrawForm,
        "withdraw_form",
        lambda notice, data: services.notice_withdraw(
            actor=request.user, notice=notice, reason=data["reason"]
        ),
        _("Withdrawn from every channel. The report below follows the messages still going out."),
    )


@login_required
@require_POST
def notice_stat(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        "alerts.add_channelstat",
        StatForm,
        "stat_form",
        lambda notice, data: services.stat_record(
            actor=request.user,
            notice=notice,
            network=data["network"],
            views=data["views"],
            shares=data["shares"],
            reach=data["reach"],
            interactions=data["interactions"],
        ),
        _("Figures recorded."),
    )


@login_required
@require_GET
def notice_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The withdrawal report alone (HTMX refreshes it while anything is going out)."""
    notice = _load(request, pk)
    return render(
        request,
        "alerts/_report.html",
        {
            "notice": notice,
            "report": selectors.withdrawal_report(user=request.user, notice=notice),
            "recipients": selectors.recipients_summary(notice=notice),
        },
    )


@login_required
@require_GET
def notice_preview(request: HttpRequest, pk: int, language: str) -> HttpResponse:
    """The poster (public) or vignette (discrete) as it would be printed, in one language:
    made on the fly from the case file's photo, stored nowhere. Audited: it shows the photo."""
    notice = _load(request, pk)
    if language not in notice.languages:
        raise Http404(_("The notice is not in that language."))
    from beacon.alerts.posters import poster_pdf, vignette_pdf

    make = poster_pdf if notice.kind == NoticeKind.PUBLIC else vignette_pdf
    content = make(notice, language)
    audit(actor=request.user, action=AuditAction.VIEW, obj=notice, fields=["preview"])
    kind = "poster" if notice.kind == NoticeKind.PUBLIC else "vignette"
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="{kind}-{notice.public_id}-{language}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response
