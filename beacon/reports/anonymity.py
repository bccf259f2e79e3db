"""What keeps the public report form anonymous outside its own code: logging and error reports.

The form's views never read the client's address or headers except to count submissions
(`beacon.reports.ratelimit`, which keeps only a keyed hash, in the cache). Everything else that
could copy a visitor's identity somewhere lasting is Django's and the server's own reporting:

- Log records of a request (`django.request`, `django.server`) carry the request object; a
  handler such as Django's AdminEmailHandler renders its META (address, user agent, every
  header). `PublicRequestLogFilter`, set on every handler in settings.LOGGING, removes the
  request from records about a public path before any handler sees it.
- Waitress logs nothing per request (no access log) but may name a peer's address in an error
  about a broken connection; the same filter blanks IP addresses in the waitress loggers' text.
- An error report (a 500 mailed to ADMINS, or the debug page) shows the request's headers, POST
  data, cookies and the local variables of every frame: `PublicExceptionReporterFilter`
  (settings.DEFAULT_EXCEPTION_REPORTER_FILTER) shows none of them for a public path.

This module is imported while logging is configured, before the apps are ready: no models here.
"""

import logging
import re

from django.views.debug import SafeExceptionReporterFilter

_IP_TEXT = re.compile(
    r"(?<![\w.:])(?:\d{1,3}(?:\.\d{1,3}){3}|\[?[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7}\]?)"
    r"(?::\d+)?(?![\w.:])"
)


def is_public_path(path: str | None) -> bool:
    from django.conf import settings  # read per record: settings are still loading on import

    return bool(path) and str(path).startswith(tuple(settings.PUBLIC_URL_PREFIXES))


class PublicRequestLogFilter(logging.Filter):
    """Drop what identifies a visitor of a public page from a log record (never the record)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if request is not None and is_public_path(getattr(request, "path", None)):
            # django.request's records carry the HttpRequest, django.server's the socket
            # handler; both have `path`, and both hold the client's address.
            record.request = None
        if record.name.startswith("waitress"):
            record.msg = _IP_TEXT.sub("[address]", record.getMessage())
            record.args = ()
        return True


class PublicExceptionReporterFilter(SafeExceptionReporterFilter):
    """Error reports of public pages show no header, cookie, POST field or local variable."""

    def _public(self, request) -> bool:
        return request is not None and is_public_path(getattr(request, "path", None))

    def get_safe_request_meta(self, request):
        if self._public(request):
            return {}
        return super().get_safe_request_meta(request)

    def get_safe_cookies(self, request):
        if self._public(request):
            return {}
        return super().get_safe_cookies(request)

    def get_post_parameters(self, request):
        if self._public(request):
            return {}
        return super().get_post_parameters(request)

    def get_traceback_frame_variables(self, request, tb_frame):
        if self._public(request):
            return []
        return super().get_traceback_frame_variables(request, tb_frame)
