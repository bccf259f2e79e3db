"""The staff's reads of the prevention work, filtered by permission.

Trainings need `prevention.view_training`, sessions `prevention.view_session`, tools handed out
`prevention.view_toolhandout` (volunteer coordinators and administrators). Who ran a session
names volunteers: only users who may read volunteers (`network.view_volunteer`) see the names;
the others see how many ran it.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, QuerySet, Sum

from beacon.core.permissions import require
from beacon.network.models import Volunteer
from beacon.prevention.models import Audience, Session, SessionKind, ToolHandout, Training

VIEW_TRAINING = "prevention.view_training"
VIEW_SESSION = "prevention.view_session"
VIEW_TOOLHANDOUT = "prevention.view_toolhandout"
VIEW_VOLUNTEER = "network.view_volunteer"
PREVENTION_VIEW_PERMISSIONS = (VIEW_TRAINING, VIEW_SESSION, VIEW_TOOLHANDOUT)


def can_view_prevention(user) -> bool:
    return bool(
        user is not None
        and user.is_authenticated
        and user.is_active
        and any(user.has_perm(p) for p in PREVENTION_VIEW_PERMISSIONS)
    )


def require_prevention(user) -> None:
    if not can_view_prevention(user):
        raise PermissionDenied(VIEW_TRAINING)


def sees_volunteer_names(user) -> bool:
    return bool(user is not None and user.is_active and user.has_perm(VIEW_VOLUNTEER))


@dataclass
class TrainingFilters:
    """Empty values filter nothing."""

    year: int | None = None
    audience: str = ""


@dataclass
class SessionFilters:
    year: int | None = None
    kind: str = ""


def trainings_list(*, user, filters: TrainingFilters | None = None) -> QuerySet[Training]:
    """Trainings, latest first, with their municipality (one query)."""
    require(user, VIEW_TRAINING)
    filters = filters or TrainingFilters()
    trainings = Training.objects.select_related("municipality")
    if filters.year:
        trainings = trainings.filter(held_on__year=filters.year)
    if filters.audience:
        trainings = trainings.filter(audience=filters.audience)
    return trainings.order_by("-held_on", "-id")


def training_get(*, user, pk: int) -> Training:
    require(user, VIEW_TRAINING)
    return Training.objects.select_related("municipality").get(pk=pk)


def sessions_list(*, user, filters: SessionFilters | None = None) -> QuerySet[Session]:
    """Sessions, latest first, each with `volunteer_count`; the volunteers themselves are
    prefetched (`named_volunteers`) only for users who may see their names."""
    require(user, VIEW_SESSION)
    filters = filters or SessionFilters()
    sessions = Session.objects.select_related("municipality").annotate(
        volunteer_count=Count("volunteers", distinct=True)
    )
    if filters.year:
        sessions = sessions.filter(held_on__year=filters.year)
    if filters.kind:
        sessions = sessions.filter(kind=filters.kind)
    if sees_volunteer_names(user):
        sessions = sessions.prefetch_related(
            Prefetch(
                "volunteers",
                queryset=Volunteer.objects.order_by("last_name", "first_name", "id"),
                to_attr="named_volunteers",
            )
        )
    return sessions.order_by("-held_on", "-id")


def session_get(*, user, pk: int) -> Session:
    """One session, as in `sessions_list`."""
    return sessions_list(user=user).get(pk=pk)


def session_volunteer_names(*, user, session: Session) -> list[str] | None:
    """The names of who ran the session, or None for a user who may not see them."""
    if not sees_volunteer_names(user):
        return None
    volunteers = getattr(session, "named_volunteers", None)
    if volunteers is None:
        volunteers = list(session.volunteers.order_by("last_name", "first_name", "id"))
    return [str(v) for v in volunteers]


def tool_handouts_list(*, user, year: int | None = None) -> QuerySet[ToolHandout]:
    require(user, VIEW_TOOLHANDOUT)
    handouts = ToolHandout.objects.select_related("municipality")
    if year:
        handouts = handouts.filter(handed_on__year=year)
    return handouts.order_by("-handed_on", "-id")


def active_volunteers(*, user) -> QuerySet[Volunteer]:
    """The network's active volunteers a session may name (their names: network.view_volunteer)."""
    require(user, VIEW_VOLUNTEER)
    return Volunteer.objects.filter(active=True).order_by("last_name", "first_name", "id")


@dataclass
class YearCounts:
    year: int
    trainings: list[tuple[str, str, int, int]] = field(default_factory=list)
    sessions: list[tuple[str, str, int, int]] = field(default_factory=list)
    tools: int | None = None
    tool_handouts: int | None = None


def year_counts(*, user, year: int) -> YearCounts:
    """The year's counts the user may read: trainings per audience (count, participants),
    sessions per kind (count, children reached), tools handed out (quantity, handouts).
    Grouped queries; planned (future) records included, as the lists show them."""
    require_prevention(user)
    counts = YearCounts(year=year)
    if user.has_perm(VIEW_TRAINING):
        rows = {
            row["audience"]: row
            for row in Training.objects.filter(held_on__year=year)
            .values("audience")
            .annotate(n=Count("id"), people=Sum("participants"))
            .order_by()
        }
        counts.trainings = [
            (
                value,
                str(label),
                rows.get(value, {}).get("n", 0),
                rows.get(value, {}).get("people") or 0,
            )
            for value, label in Audience.choices
        ]
    if user.has_perm(VIEW_SESSION):
        rows = {
            row["kind"]: row
            for row in Session.objects.filter(held_on__year=year)
            .values("kind")
            .annotate(n=Count("id"), children=Sum("children_reached"))
            .order_by()
        }
        counts.sessions = [
            (
                value,
                str(label),
                rows.get(value, {}).get("n", 0),
                rows.get(value, {}).get("children") or 0,
            )
            for value, label in SessionKind.choices
        ]
    if user.has_perm(VIEW_TOOLHANDOUT):
        totals = ToolHandout.objects.filter(handed_on__year=year).aggregate(
            quantity=Sum("quantity"), handouts=Count("id")
        )
        counts.tools = totals["quantity"] or 0
        counts.tool_handouts = totals["handouts"]
    return counts
