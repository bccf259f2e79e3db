"""The staff UI of case files: thin views that parse, call a selector or a service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from beacon.cases import exploitation, selectors, services
from beacon.cases.choices import WORRYING_CRITERIA, CaseStatus, Mission, Outcome
from beacon.cases.forms import (
    AssessmentForm,
    CaseEditForm,
    CaseFilterForm,
    CloseForm,
    ExploitationIntakeForm,
    FactsForm,
    IntakeForm,
    NoteForm,
    PoliceReferralForm,
    ReopenForm,
    SupportSessionForm,
    TakedownForm,
    TakedownProgressForm,
    initial_for_edit,
    initial_for_facts,
    linked_case_choices,
)
from beacon.cases.models import Case, TakedownRequest
from beacon.core.errors import ConcurrentEditError
from beacon.core.forms_errors import act_on_form, add_service_errors
from beacon.people.models import Person


def _require_case_reader(user) -> None:
    if not selectors.can_read_cases(user):
        raise PermissionDenied("cases")


@login_required
@require_GET
def case_list(request: HttpRequest) -> HttpResponse:
    _require_case_reader(request.user)
    form = CaseFilterForm(request.GET or None, user=request.user)
    filters = selectors.CaseFilters()
    if form.is_bound:
        if not form.is_valid():
            messages.warning(request, _("Some filters were not understood and are ignored."))
        # An invalid form still holds the fields that parsed: only the bad ones are dropped.
        data = form.cleaned_data
        assigned = data.get("assigned_to")
        filters = selectors.CaseFilters(
            q=data.get("q", ""),
            mission=data.get("mission", ""),
            category=data.get("category", ""),
            status=data.get("status", ""),
            worrying={"yes": True, "no": False}.get(data.get("worrying", "")),
            opened_from=data.get("opened_from"),
            opened_to=data.get("opened_to"),
            assigned_to=request.user.pk
            if assigned == "me"
            else (int(assigned) if assigned else None),
            region=data.get("region", ""),
        )
    page = selectors.case_list(
        user=request.user, filters=filters, cursor=request.GET.get("cursor", "")
    )
    query = request.GET.copy()
    query.pop("cursor", None)
    return render(
        request,
        "cases/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_open": request.user.has_perm("cases.open_missing_case"),
            "can_open_exploitation": request.user.has_perm("cases.open_exploitation_case"),
        },
    )


def _intake_person(request) -> Person | None:
    """The person of an earlier case that a new one is opened for (?person= or the form's
    person_id), if the user may see them."""
    person_id = request.POST.get("person_id") or request.GET.get("person")
    if not person_id:
        return None
    try:
        return selectors.person_get(user=request.user, pk=int(person_id), audited=False)
    except (ValueError, Person.DoesNotExist):
        messages.error(request, _("That person cannot be found."))
        return None


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("cases.open_missing_case"):
        raise PermissionDenied("cases.open_missing_case")
    person = _intake_person(request)
    if request.method == "POST":
        form = IntakeForm(request.POST, request.FILES)
        if form.is_valid():
            category, subkind = form.category_and_subkind()
            try:
                case = services.case_open(
                    actor=request.user,
                    category=category,
                    subkind=subkind or None,
                    person=person,
                    person_data=None if person else form.person_data(),
                    photo=None if person else request.FILES.get("photo"),
                    criteria=form.criteria_input(),
                    **form.details(),
                )
            except ValidationError as exc:
                add_service_errors(
                    form, exc, aliases={"category": "kind", "subkind": "kind", "criteria": "kind"}
                )
            else:
                messages.success(request, _("Case %(number)s opened.") % {"number": case.number})
                return redirect("cases:detail", pk=case.pk)
        status = 400
    else:
        form = IntakeForm(initial={"person_id": person.pk if person else None, "channel": "116000"})
        status = 200
    return render(request, "cases/new.html", {"form": form, "person": person}, status=status)


def _with_labels(entries: list) -> list:
    """Timeline data stores choice keys (stable across languages); people read the labels."""
    outcomes, statuses = dict(Outcome.choices), dict(CaseStatus.choices)
    for entry in entries:
        status = entry.data.get("status", "")
        # A reopening keeps the previous outcome in its data; showing it would read as the result.
        outcome = "" if status == CaseStatus.OPEN else entry.data.get("outcome", "")
        entry.outcome_label = outcomes.get(outcome, "")
        entry.status_label = statuses.get(status, "")
    return entries


def _detail_context(request, case: Case, **forms) -> dict[str, object]:
    user = request.user
    mission = case.mission
    can = {
        action: user.has_perm(f"cases.{action}_{mission}_case")
        for action in ("change", "assess", "close", "open")
    }
    assessments = selectors.case_assessments(case=case)
    labels = dict(WORRYING_CRITERIA)
    # Staff read the criteria as the Directive words them, not as field names.
    history = [
        {
            "assessment": a,
            "held": [labels[key] for key in a.criteria_held()],
            "notes": [(labels.get(key, key), note) for key, note in a.notes.items() if note],
        }
        for a in assessments
    ]
    context = {
        "case": case,
        "assessments": history,
        "current": assessments[0] if assessments else None,
        "current_held": history[0]["held"] if history else [],
        "timeline": _with_labels(selectors.case_timeline(case=case)),
        "can": can,
        "edit_form": forms.get("edit_form")
        or CaseEditForm(initial=initial_for_edit(case), case=case),
        "assess_form": forms.get("assess_form")
        or AssessmentForm(initial={"version": case.version}),
        "note_form": forms.get("note_form") or NoteForm(),
        "close_form": forms.get("close_form")
        or CloseForm(initial={"version": case.version}, mission=mission),
        "reopen_form": forms.get("reopen_form") or ReopenForm(initial={"version": case.version}),
        "linked": list(
            Case.objects.visible_to(user).filter(linked_cases=case).select_related("category")
        ),
    }
    if mission == Mission.EXPLOITATION:
        facts = getattr(case, "facts", None)
        context.update(
            facts=facts,
            fact_rows=_fact_rows(case, facts),
            support_sessions=list(case.support_sessions.select_related("given_by")),
            takedowns=[
                (t, TakedownProgressForm(initial=_takedown_initial(t), prefix=f"t{t.pk}"))
                for t in case.takedowns.all()
            ],
            facts_form=forms.get("facts_form")
            or FactsForm(
                initial=initial_for_facts(case),
                case=case,
                linked_choices=_runaway_choices(user, case),
            ),
            support_form=forms.get("support_form") or SupportSessionForm(),
            takedown_form=forms.get("takedown_form") or TakedownForm(),
            police_form=forms.get("police_form")
            or PoliceReferralForm(
                initial={"version": case.version, "police_reference": case.police_reference}
            ),
        )
    return context


def _fact_rows(case: Case, facts) -> list[tuple[str, str]]:
    """The facts the case's category records, as (label, value) for people to read."""
    if facts is None:
        return []
    rows = []
    for name in case.category.extra_fields:
        if name == "linked_cases":
            continue
        field = facts._meta.get_field(name)
        value = getattr(facts, name)
        if field.choices:
            shown = dict(field.choices).get(value, "")
        elif isinstance(value, bool):
            shown = _("yes") if value else _("no")
        elif isinstance(value, list):
            shown = ", ".join(value)
        else:
            shown = "" if value is None else str(value)
        rows.append((capfirst(str(field.verbose_name)), shown))
    return rows


def _local_input(value) -> str | None:
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if value else None


def _takedown_initial(takedown: TakedownRequest) -> dict:
    return {
        "version": takedown.version,
        "sent_at": _local_input(takedown.sent_at),
        "answered_at": _local_input(takedown.answered_at),
        "removed_at": _local_input(takedown.removed_at),
    }


def _runaway_choices(user, case: Case) -> list[tuple[str, str]]:
    """The person's disappearance cases the user may open: what an exploitation case can link."""
    cases = (
        Case.objects.visible_to(user)
        .filter(person=case.person, mission=Mission.MISSING)
        .select_related("category")
        .order_by("-opened_at")
    )
    return linked_case_choices(cases)


def _load(request, pk: int, *, audited: bool) -> Case:
    _require_case_reader(request.user)
    try:
        return selectors.case_get(user=request.user, pk=pk, audited=audited)
    except Case.DoesNotExist as exc:
        raise Http404(_("No such case.")) from exc


@login_required
@require_GET
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = _load(request, pk, audited=True)
    return render(request, "cases/detail.html", _detail_context(request, case))


def _rerender(request, case: Case, **forms) -> HttpResponse:
    return render(request, "cases/detail.html", _detail_context(request, case, **forms), status=400)


def _act(request, case: Case, form, form_name: str, call, done: str) -> HttpResponse:
    """Run one service on a valid form: back to the case page with a message, or the page again
    with the service's errors on the form (a stale version keeps the user's input)."""
    return act_on_form(
        request,
        form,
        call,
        done=done,
        success=lambda: redirect("cases:detail", pk=case.pk),
        failure=lambda failed: _rerender(request, case, **{form_name: failed}),
    )


@login_required
@require_POST
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    case = _load(request, pk, audited=False)
    form = CaseEditForm(request.POST, case=case)
    return _act(
        request,
        case,
        form,
        "edit_form",
        lambda data: services.case_update(
            actor=request.user,
            case=case,
            expected_version=data["version"],
            subkind=data.get("subkind") or None,
            **form.details(),
        ),
        _("Case details saved."),
    )


@login_required
@require_POST
def case_assess(request: HttpRequest, pk: int) -> HttpResponse:
    case = _load(request, pk, audited=False)
    form = AssessmentForm(request.POST)
    return _act(
        request,
        case,
        form,
        "assess_form",
        lambda data: services.assessment_record(
            actor=request.user,
            case=case,
            expected_version=data["version"],
            criteria=form.criteria_input(),
        ),
        _("Assessment recorded."),
    )


@login_required
@require_POST
def case_note(request: HttpRequest, pk: int) -> HttpResponse:
    case = _load(request, pk, audited=False)
    return _act(
        request,
        case,
        NoteForm(request.POST),
        "note_form",
        lambda data: services.case_add_note(
            actor=request.user, case=case, text=data["text"], kind=data["kind"]
        ),
        _("Added to the timeline."),
    )


@login_required
@require_POST
def case_close(request: HttpRequest, pk: int) -> HttpResponse:
    case = _load(request, pk, audited=False)
    return _act(
        request,
        case,
        CloseForm(request.POST, mission=case.mission),
        "close_form",
        lambda data: services.case_close(
            actor=request.user,
            case=case,
            expected_version=data["version"],
            outcome=data["outcome"],
            found_at=data.get("found_at"),
            note=data.get("note", ""),
        ),
        _("Case closed."),
    )


@login_required
@require_POST
def case_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    case = _load(request, pk, audited=False)
    return _act(
        request,
        case,
        ReopenForm(request.POST),
        "reopen_form",
        lambda data: services.case_reopen(
            actor=request.user, case=case, expected_version=data["version"], reason=data["reason"]
        ),
        _("Case reopened."),
    )


@login_required
def case_new_exploitation(request: HttpRequest) -> HttpResponse:
    """Open a sexual-exploitation case: the victim (known or new) and the category's facts."""
    if not request.user.has_perm("cases.open_exploitation_case"):
        raise PermissionDenied("cases.open_exploitation_case")
    person = _intake_person(request)
    choices: list = []
    if person is not None:
        choices = linked_case_choices(
            Case.objects.visible_to(request.user)
            .filter(person=person, mission=Mission.MISSING)
            .select_related("category")
            .order_by("-opened_at")
        )
    if request.method == "POST":
        form = ExploitationIntakeForm(request.POST, request.FILES, linked_choices=choices)
        if form.is_valid():
            category, subkind = form.category_and_subkind()
            try:
                case = services.case_open(
                    actor=request.user,
                    category=category,
                    subkind=subkind or None,
                    person=person,
                    person_data=None if person else form.person_data(),
                    photo=None if person else request.FILES.get("photo"),
                    facts=form.facts(),
                    **form.details(),
                )
            except ValidationError as exc:
                add_service_errors(form, exc, aliases={"category": "kind", "subkind": "kind"})
            else:
                messages.success(request, _("Case %(number)s opened.") % {"number": case.number})
                if Case.objects.visible_to(request.user).filter(pk=case.pk).exists():
                    return redirect("cases:detail", pk=case.pk)
                # A first responder opens it for a case manager; a team lead will assign it.
                return redirect("cases:list")
        status = 400
    else:
        form = ExploitationIntakeForm(
            initial={"person_id": person.pk if person else None, "channel": "116000"},
            linked_choices=choices,
        )
        status = 200
    return render(
        request, "cases/new_exploitation.html", {"form": form, "person": person}, status=status
    )


@login_required
@require_POST
def case_facts(request: HttpRequest, pk: int) -> HttpResponse:
    case = _load(request, pk, audited=False)
    form = FactsForm(request.POST, case=case, linked_choices=_runaway_choices(request.user, case))
    return _act(
        request,
        case,
        form,
        "facts_form",
        lambda data: exploitation.facts_update(
            actor=request.user, case=case, expected_version=data["version"], **form.facts()
        ),
        _("Facts saved."),
    )


@login_required
@require_POST
def case_support(request: HttpRequest, pk: int) -> HttpResponse:
    case = _load(request, pk, audited=False)
    return _act(
        request,
        case,
        SupportSessionForm(request.POST),
        "support_form",
        lambda data: exploitation.support_session_add(
            actor=request.user,
            case=case,
            at=data["at"],
            kind=data["kind"],
            duration_minutes=data["duration_minutes"],
            note=data.get("note", ""),
        ),
        _("Support session recorded."),
    )


@login_required
@require_POST
def case_takedown(request: HttpRequest, pk: int) -> HttpResponse:
    case = _load(request, pk, audited=False)
    return _act(
        request,
        case,
        TakedownForm(request.POST),
        "takedown_form",
        lambda data: exploitation.takedown_add(actor=request.user, case=case, **data),
        _("Takedown request recorded."),
    )


@login_required
@require_POST
def takedown_progress(request: HttpRequest, pk: int, takedown_pk: int) -> HttpResponse:
    case = _load(request, pk, audited=False)
    takedown = case.takedowns.filter(pk=takedown_pk).first()
    if takedown is None:
        raise Http404(_("No such takedown request."))
    form = TakedownProgressForm(request.POST, prefix=f"t{takedown.pk}")
    if form.is_valid():
        data = form.cleaned_data
        try:
            exploitation.takedown_update(
                actor=request.user,
                takedown=takedown,
                expected_version=data["version"],
                sent_at=data.get("sent_at"),
                answered_at=data.get("answered_at"),
                removed_at=data.get("removed_at"),
            )
        except ConcurrentEditError as exc:
            messages.error(request, exc.message)
        except ValidationError as exc:
            for field_messages in exc.message_dict.values():
                for message in field_messages:
                    messages.error(request, message)
        else:
            messages.success(request, _("Takedown request updated."))
    else:
        messages.error(request, _("The times were not understood."))
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_POST
def case_police_referral(request: HttpRequest, pk: int) -> HttpResponse:
    case = _load(request, pk, audited=False)
    return _act(
        request,
        case,
        PoliceReferralForm(request.POST),
        "police_form",
        lambda data: exploitation.police_referral_record(
            actor=request.user,
            case=case,
            expected_version=data["version"],
            at=data["at"],
            police_reference=data.get("police_reference", ""),
        ),
        _("Referral to police recorded."),
    )
