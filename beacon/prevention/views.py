"""The prevention pages (/prevention/): the year's counts and lists, and the forms for
trainings, school sessions and stands, and tools handed out.

The selectors and services check the permissions (a refusal is a 403, audited by the
middleware); a page only hides what a user may not do.
"""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from beacon.core.forms_errors import act_on_form
from beacon.core.permissions import require
from beacon.network.models import Volunteer
from beacon.prevention import selectors, services
from beacon.prevention.forms import (
    SessionEditForm,
    SessionForm,
    ToolHandoutForm,
    TrainingEditForm,
    TrainingForm,
)
from beacon.prevention.models import Audience, Session, SessionKind, Training

PAGE_SIZE = 50


def _year(value: str | None) -> int:
    today = timezone.localdate()
    if value and value.isdigit() and 2000 <= int(value) <= today.year + 2:
        return int(value)
    return today.year


def _page(request: HttpRequest, items, name: str):
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get(name))


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The year's counts per audience and kind, and its trainings, sessions and tools, with
    filters by year, audience and kind."""
    user = request.user
    selectors.require_prevention(user)
    year = _year(request.GET.get("year"))
    audience = request.GET.get("audience", "")
    audience = audience if audience in Audience.values else ""
    kind = request.GET.get("kind", "")
    kind = kind if kind in SessionKind.values else ""
    context: dict = {
        "year": year,
        "years": list(range(timezone.localdate().year + 1, 2014, -1)),
        "audience": audience,
        "kind": kind,
        "audiences": Audience.choices,
        "kinds": SessionKind.choices,
        "counts": selectors.year_counts(user=user, year=year),
        "sees_names": selectors.sees_volunteer_names(user),
        "today": timezone.localdate(),
    }
    if user.has_perm(selectors.VIEW_TRAINING):
        trainings = selectors.trainings_list(
            user=user, filters=selectors.TrainingFilters(year=year, audience=audience)
        )
        context["trainings"] = _page(request, trainings, "trainings_page")
    if user.has_perm(selectors.VIEW_SESSION):
        sessions = selectors.sessions_list(
            user=user, filters=selectors.SessionFilters(year=year, kind=kind)
        )
        context["sessions"] = _page(request, sessions, "sessions_page")
    if user.has_perm(selectors.VIEW_TOOLHANDOUT):
        context["tools"] = _page(
            request, selectors.tool_handouts_list(user=user, year=year), "tools_page"
        )
    return render(request, "prevention/home.html", context)


# --- trainings --------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def training_new(request: HttpRequest) -> HttpResponse:
    require(request.user, services.ADD_TRAINING)
    form = TrainingForm(request.POST or None)
    if request.method == "POST":
        return act_on_form(
            request,
            form,
            lambda _data: services.training_create(actor=request.user, **form.service_values()),
            done=_("Training added."),
            success=lambda: redirect("prevention:home"),
            failure=lambda failed: render(
                request, "prevention/training_form.html", {"form": failed}, status=400
            ),
        )
    return render(request, "prevention/training_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def training_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, services.CHANGE_TRAINING)
    try:
        training = selectors.training_get(user=request.user, pk=pk)
    except Training.DoesNotExist as exc:
        raise Http404 from exc
    if request.method == "POST":
        form = TrainingEditForm(request.POST)
        return act_on_form(
            request,
            form,
            lambda data: services.training_update(
                actor=request.user,
                training_id=training.pk,
                expected_version=data["version"],
                **form.service_values(),
            ),
            done=_("Training saved."),
            success=lambda: redirect("prevention:home"),
            failure=lambda failed: render(
                request,
                "prevention/training_form.html",
                {"form": failed, "training": training},
                status=400,
            ),
        )
    form = TrainingEditForm(
        initial={
            "audience": training.audience,
            "module": training.module,
            "held_on": training.held_on,
            "place": training.place,
            "municipality": training.municipality.code if training.municipality else "",
            "trainer": training.trainer,
            "participants": training.participants,
            "online": training.online,
            "version": training.version,
        }
    )
    return render(request, "prevention/training_form.html", {"form": form, "training": training})


# --- sessions ---------------------------------------------------------------------------------


def _volunteer_choices(request: HttpRequest, session: Session | None) -> list[Volunteer] | None:
    """Active volunteers, plus those already on the session; None for a user who may not see
    volunteers' names."""
    if not selectors.sees_volunteer_names(request.user):
        return None
    volunteers = list(selectors.active_volunteers(user=request.user))
    if session is not None:
        shown = {v.pk for v in volunteers}
        volunteers += [v for v in session.volunteers.all() if v.pk not in shown]
    return volunteers


@login_required
@require_http_methods(["GET", "POST"])
def session_new(request: HttpRequest) -> HttpResponse:
    require(request.user, services.ADD_SESSION)
    initial = {"kind": request.GET.get("kind", SessionKind.SCHOOL), "children_reached": 0}
    form = SessionForm(
        request.POST or None, initial=initial, volunteers=_volunteer_choices(request, None)
    )
    if request.method == "POST":
        return act_on_form(
            request,
            form,
            lambda _data: services.session_create(actor=request.user, **form.service_values()),
            done=_("Session added."),
            success=lambda: redirect("prevention:home"),
            failure=lambda failed: render(
                request, "prevention/session_form.html", {"form": failed}, status=400
            ),
        )
    return render(request, "prevention/session_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, services.CHANGE_SESSION)
    try:
        session = selectors.session_get(user=request.user, pk=pk)
    except Session.DoesNotExist as exc:
        raise Http404 from exc
    volunteers = _volunteer_choices(request, session)
    context: dict = {
        "session": session,
        "volunteer_count": session.volunteer_count,  # type: ignore[attr-defined]
    }
    if request.method == "POST":
        form = SessionEditForm(request.POST, volunteers=volunteers)
        return act_on_form(
            request,
            form,
            lambda data: services.session_update(
                actor=request.user,
                session_id=session.pk,
                expected_version=data["version"],
                **form.service_values(),
            ),
            done=_("Session saved."),
            success=lambda: redirect("prevention:home"),
            failure=lambda failed: render(
                request, "prevention/session_form.html", {**context, "form": failed}, status=400
            ),
        )
    initial = {
        "kind": session.kind,
        "held_on": session.held_on,
        "venue": session.venue,
        "municipality": session.municipality.code if session.municipality else "",
        "children_reached": session.children_reached,
        "version": session.version,
    }
    if volunteers is not None:
        initial["volunteers"] = [v.pk for v in session.volunteers.all()]
    form = SessionEditForm(initial=initial, volunteers=volunteers)
    return render(request, "prevention/session_form.html", {**context, "form": form})


# --- tools ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def tool_new(request: HttpRequest) -> HttpResponse:
    require(request.user, services.ADD_TOOLHANDOUT)
    form = ToolHandoutForm(request.POST or None, initial={"handed_on": timezone.localdate()})
    if request.method == "POST":
        return act_on_form(
            request,
            form,
            lambda data: services.tool_handout_create(actor=request.user, **data),
            done=_("Tools handed out recorded."),
            success=lambda: redirect("prevention:home"),
            failure=lambda failed: render(
                request, "prevention/tool_form.html", {"form": failed}, status=400
            ),
        )
    return render(request, "prevention/tool_form.html", {"form": form})
