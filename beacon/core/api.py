"""The API's personal-token authentication, its error shapes and their schemas, shared by every
router. Apps' routers raise the same exceptions the UI sees; this module turns them into answers."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from beacon.core.audit import audit_denied
from beacon.core.errors import ConcurrentEditError
from beacon.core.models import ApiToken

# Recording every request's time would turn each read into a write; a minute is precise enough
# to tell an administrator whether a token is still in use.
LAST_USED_PRECISION = timedelta(minutes=1)


class PersonalToken(HttpBearer):
    """`Authorization: Bearer bcn_...`: a personal token of an active user, not revoked.

    Only the token's SHA-256 digest is stored, so the look-up is by digest (an index hit; no
    secret to compare in constant time). Session cookies are ignored on purpose: the API is for
    programs, and without session auth there is no cross-site request to forge.
    """

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
        if found.last_used_at is None or now - found.last_used_at >= LAST_USED_PRECISION:
            # Conditional: of two requests in the same minute only one writes.
            ApiToken.objects.filter(pk=found.pk).filter(
                Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_PRECISION)
            ).update(last_used_at=now)
        request.user = found.user
        _activate_language(request, found.user)
        return found


def _activate_language(request: HttpRequest, user) -> None:
    # The language middleware ran before the token was read, when the user was still unknown;
    # names of categories and messages follow the token user's own choice.
    profile = getattr(user, "profile", None)
    language = (profile.language if profile is not None else "") or settings.LANGUAGE_CODE
    translation.activate(language)
    request.LANGUAGE_CODE = language


class ErrorOut(Schema):
    """A refusal: 401, 403, 404 or 409."""

    detail: str


class FieldErrorOut(Schema):
    type: str
    loc: list[str | int]
    msg: str


class FieldErrorsOut(Schema):
    """422: one entry per message; `loc` names where the bad value is, e.g. ["body", "category"]
    or ["body", "person", "date_of_birth"] or ["query", "limit"]."""

    detail: list[FieldErrorOut]


def error_responses(*codes: int) -> dict[int, type[Schema]]:
    """The error answers an endpoint can give, for the OpenAPI schema (401 always applies)."""
    return {code: FieldErrorsOut if code == 422 else ErrorOut for code in (401, *codes)}


def field_errors(exc: ValidationError, *, source: str = "body") -> list[dict]:
    """A service's ValidationError in the shape of ninja's own 422s: one entry per message.

    A dotted key ("person.first_name") becomes a path in `loc`, as pydantic reports nested
    fields."""
    detail = []
    mapping = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for field, messages in mapping.items():
        for message in messages:
            detail.append(
                {"type": "value_error", "loc": [source, *field.split(".")], "msg": message}
            )
    return detail


def query_error(field: str, message: str) -> NinjaValidationError:
    """A 422 about a query parameter that parsed but means nothing (e.g. a forged cursor)."""
    return NinjaValidationError([{"type": "value_error", "loc": ["query", field], "msg": message}])


class BeaconAPI(NinjaAPI):
    """NinjaAPI whose schema errors name body fields without the Python parameter's name.

    Ninja reports a bad body field as ["body", "payload", "category"]: "payload" is only the
    endpoint function's argument. Dropping it gives services' errors and schema errors one shape,
    ["body", "category"], so a client maps both to its form fields the same way."""

    def validation_error_from_error_contexts(self, error_contexts):
        error = super().validation_error_from_error_contexts(error_contexts)
        body_params = {
            name
            for context in error_contexts
            if context.model.__ninja_param_source__ == "body"
            and len(context.model.model_fields) == 1
            for name in context.model.model_fields
        }
        for entry in error.errors:
            loc = entry["loc"]
            if len(loc) > 2 and loc[0] == "body" and loc[1] in body_params:
                entry["loc"] = (loc[0], *loc[2:])
        return error


def install_error_handlers(api: NinjaAPI, *, not_found: tuple[type[Exception], ...]) -> None:
    """Turn the services' exceptions into answers.

    Services are atomic: when one raises, its own savepoint has already undone its writes. The
    handlers return ordinary responses, so the request's transaction (ATOMIC_REQUESTS) commits
    what they write: the audit record of a denial survives, and nothing else was written."""

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
        # The service's own sentence when it gave one ("...this notice..."), else the default.
        detail = exc.args[0] if exc.args else exc.message
        return api.create_response(request, {"detail": str(detail)}, status=409)

    def _missing(request: HttpRequest, exc: Exception | type[Exception]) -> HttpResponse:
        # Also the answer for records the user may not see: existence does not leak.
        return api.create_response(request, {"detail": _("Not found.")}, status=404)

    for exc_class in not_found:
        api.add_exception_handler(exc_class, _missing)
