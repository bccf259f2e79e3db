"""Request middleware: the user's language, the audit context, and audited 403s."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import translation

from beacon.core.audit import audit_denied
from beacon.core.request_context import set_request


class UserLanguageMiddleware:
    """Activate the language the user chose in their profile, else the organisation's default.

    Runs before authentication middleware on purpose-free data: the session holds the user id,
    so the profile is read lazily after AuthenticationMiddleware via process_view.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        channel = "api" if request.path.startswith("/api/") else "ui"
        set_request(channel=channel, path=request.path)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(tuple(settings.PUBLIC_URL_PREFIXES)):
            # The public report form chooses its language from its URL and never reads a
            # session: a staff member's login must not follow them onto a public page.
            return None
        language = settings.LANGUAGE_CODE
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            profile = getattr(user, "profile", None)
            if profile is not None and profile.language:
                language = profile.language
        elif request.GET.get("lang") in dict(settings.LANGUAGES):
            language = request.GET["lang"]
        translation.activate(language)
        request.LANGUAGE_CODE = language
        return None

    def process_exception(self, request, exception):
        # Views run in ATOMIC_REQUESTS transactions; by now the view's transaction is rolled
        # back, so the denial is recorded on its own and nothing the view did survives.
        if isinstance(exception, PermissionDenied):
            audit_denied(actor=getattr(request, "user", None), what=request.path)
        return None
