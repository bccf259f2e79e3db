"""The API's personal-token authentication and its error shapes, shared by every router."""

from datetime import timedelta

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.security import HttpBearer

from beacon.core.audit import audit_denied
from beacon.core.errors import ConcurrentEditError
from beacon.core.models import ApiToken

LAST_USED_PRECISION = timedelta(minutes=1)


class PersonalToken(HttpBearer):
    """`Authorization: Bearer bcn_...`: a personal token of an active user, not revoked."""

    def authenticate(self, request: HttpRequest, token: str):
        if not token.startswith(ApiToken.PREFIX):
            return None
        found = (
            ApiToken.objects.select_related("user")
            .filter(digest=ApiToken.digest_of(token), revoked_at__isnull=True, user__is_active=True)
            .first()
        )
        if found is None:
            return None
        now = timezone.now()
        # Recording use at most once a minute keeps reads from becoming writes.
        if found.last_used_at is None or now - found.last_used_at > LAST_USED_PRECISION:
            with transaction.atomic():
                ApiToken.objects.filter(pk=found.pk).filter(
                    Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_PRECISION)
                ).update(last_used_at=now)
        request.user = found.user
        return found


def field_errors(exc: ValidationError) -> list[dict]:
    """A service's ValidationError in the shape of ninja's own 422s: one entry per message."""
    detail = []
    mapping = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for field, messages in mapping.items():
        for message in messages:
            detail.append({"type": "value_error", "loc": ["body", field], "msg": message})
    return detail


def install_error_handlers(api: NinjaAPI) -> None:
    """Services are atomic: when one raises, its own savepoint has already undone its writes, so
    these handlers only shape the answer (and record a denial)."""

    @api.exception_handler(ValidationError)
    def _validation(request, exc: ValidationError):
        return api.create_response(request, {"detail": field_errors(exc)}, status=422)

    @api.exception_handler(PermissionDenied)
    def _denied(request, exc: PermissionDenied):
        audit_denied(actor=request.user, what=request.path)
        return api.create_response(
            request, {"detail": _("You do not have permission to do this.")}, status=403
        )

    @api.exception_handler(ConcurrentEditError)
    def _conflict(request, exc: ConcurrentEditError):
        return api.create_response(request, {"detail": str(exc.message)}, status=409)

    @api.exception_handler(ObjectDoesNotExist)
    def _missing(request, exc: ObjectDoesNotExist):
        return api.create_response(request, {"detail": _("Not found.")}, status=404)
