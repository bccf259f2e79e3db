"""The public report form under /report/<language>/: anyone, no account, nothing kept about them.

- The language is in the path (/report/de/), so the switch works without a session or a cookie.
- No session, no CSRF cookie: the pages set no cookie at all. Cross-site request forgery needs a
  victim's authority to abuse and an anonymous report carries none, so the form is exempt.
- The only use of the client's address is counting submissions (`beacon.reports.ratelimit`):
  over the limit the form answers 429 with everything typed kept.
- A filled honeypot field answers exactly as a filed report does and stores nothing.
- The confirmation page shows the report number from a signed value in its URL, not from the
  database: a robot's fake number looks the same, and nothing can be looked up through it.
- The views manage their own transaction (`report_submit` is atomic): showing the form takes no
  database lock, which matters for the embedded SQLite setup under a burst.
"""

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from beacon.core.forms_errors import add_service_errors
from beacon.reports.intake import report_submit
from beacon.reports.models import Report
from beacon.reports.public_forms import SERVICE_ALIASES, PublicReportForm
from beacon.reports.ratelimit import allow_submission

# A report at its largest is about 110 kB (50 URLs of 2,048 characters and a description); a
# body beyond this is not read at all.
MAX_BODY_BYTES = 256 * 1024
THANKS_SALT = "beacon.reports.public.thanks"
THANKS_MAX_AGE = 24 * 3600


def _languages() -> list[tuple[str, str]]:
    return [
        (code, translation.get_language_info(code)["name_local"]) for code, _ in settings.LANGUAGES
    ]


def _check_language(lang: str) -> None:
    if lang not in dict(settings.LANGUAGES):
        raise Http404


def _page(request, template: str, lang: str, context: dict, status: int = 200):
    with translation.override(lang):
        response = render(
            request,
            f"reports/public/{template}",
            {"lang": lang, "languages": _languages(), **context},
            status=status,
        )
    response["Content-Language"] = lang
    # Nothing here may be remembered elsewhere: not by a shared cache, not by a link's target.
    response["Referrer-Policy"] = "no-referrer"
    return response


def _thanks(lang: str, number: str) -> HttpResponseRedirect:
    token = signing.dumps(number, salt=THANKS_SALT)
    return HttpResponseRedirect(reverse("report:thanks", args=[lang]) + f"?r={token}")


@require_GET
def start(request):
    """/report/: the form in the visitor's browser language, else the organisation's."""
    lang = translation.get_language_from_request(request)
    if lang not in dict(settings.LANGUAGES):
        lang = settings.LANGUAGE_CODE
    return HttpResponseRedirect(reverse("report:form", args=[lang]))


@csrf_exempt
@never_cache
@transaction.non_atomic_requests
@require_http_methods(["GET", "POST"])
def report_form(request, lang: str):
    _check_language(lang)
    if request.method == "GET":
        return _page(request, "form.html", lang, {"form": PublicReportForm()})
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        return _page(request, "too_large.html", lang, {}, status=413)
    with translation.override(lang):
        form = PublicReportForm(request.POST)
        if not allow_submission(request):
            return _page(request, "form.html", lang, {"form": form, "too_many": True}, status=429)
        form.is_valid()  # no field refuses anything on its own (see public_forms)
        if form.is_robot:
            return _thanks(lang, Report.new_number())
        try:
            report = report_submit(**form.submission(), language=lang)
        except ValidationError as exc:
            add_service_errors(form, exc, aliases=SERVICE_ALIASES)
            return _page(request, "form.html", lang, {"form": form})
    return _thanks(lang, report.number)


@never_cache
@transaction.non_atomic_requests
@require_GET
def thanks(request, lang: str):
    _check_language(lang)
    try:
        number = signing.loads(request.GET.get("r", ""), salt=THANKS_SALT, max_age=THANKS_MAX_AGE)
    except signing.BadSignature as exc:
        raise Http404 from exc
    return _page(request, "thanks.html", lang, {"number": number})
