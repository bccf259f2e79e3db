"""Absolute links to a notice's public surfaces, for what leaves Beacon (posters, messages, feeds).

Built from settings.PUBLIC_BASE_URL, never from a request: a poster is rendered in a task, and the
address printed on paper must be the public one whatever host the staff used.
"""

from django.conf import settings

from beacon.alerts.models import Rendition, SearchNotice


def public_page_url(notice: SearchNotice, language: str) -> str:
    """The public page of `notice` in `language` (a discrete notice has none: do not call it for
    one)."""
    return f"{settings.PUBLIC_BASE_URL}/missing/{language}/{notice.public_id}/"


def public_file_url(rendition: Rendition) -> str:
    """The public address of a published file (a photo or poster) of a notice."""
    basename = rendition.file.name.rsplit("/", 1)[-1]
    return f"{settings.PUBLIC_BASE_URL}/missing/files/{rendition.notice.public_id}/{basename}"


def confirm_url(recipient_id: int) -> str:
    """The link a volunteer, partner or follower follows to confirm they received a notice
    (beacon.alerts.confirm; the page asks for a click, so a mail scanner confirms nothing)."""
    from beacon.alerts.confirm import confirm_token

    return f"{settings.PUBLIC_BASE_URL}/missing/confirm/{confirm_token(recipient_id)}/"
