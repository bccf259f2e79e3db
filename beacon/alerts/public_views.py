"""The public pages of search notices under /missing/, their published files, and confirmations.

Like the public report form (beacon/reports/public_views.py):
- the language is in the path (/missing/de/...), so no session or cookie is needed to keep it;
  UserLanguageMiddleware skips /missing/ (settings.PUBLIC_URL_PREFIXES), so a staff member's
  login is never read here, and nothing here touches `request.user` or `request.session`;
- no page sets a cookie; the client's address is not used at all;
- the views read outside ATOMIC_REQUESTS' transaction (a campaign brings many visitors at once).

What may be shown is decided in beacon.alerts.public_selectors: a discrete, draft or unpublished
notice is 404 (never "it exists but..."), a withdrawn one 410 Gone with a neutral page.

Caching: pages and files may be kept by browsers and shared caches for PUBLIC_MAX_AGE seconds
only. A found child's photo must disappear within a minute of the case closing: the withdrawal
takes a few seconds, so 30 s of caching leaves room inside that minute.
"""

from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import transaction
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from beacon.alerts.choices import NoticeStatus
from beacon.alerts.confirm import recipient_confirm, recipient_of_token
from beacon.alerts.links import public_page_url
from beacon.alerts.models import Recipient, Rendition, SearchNotice
from beacon.alerts.public_selectors import (
    notice_public,
    notices_listed,
    page_photo,
    public_contact,
    rendition_public,
)
from beacon.core.numbers import phone_display

PUBLIC_MAX_AGE = 30
NOT_FOUND_TEXT = _("Not found.")
GONE_TEXT = _("This search notice has been withdrawn. Thank you for your help.")
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "application/pdf": "pdf"}


def _site_languages() -> dict[str, str]:
    return {
        code: translation.get_language_info(code)["name_local"] for code, _ in settings.LANGUAGES
    }


def _language_links(url_of) -> list[tuple[str, str, str]]:
    return [(code, name, url_of(code)) for code, name in _site_languages().items()]


def _public_headers(response: HttpResponseBase, lang: str | None, *, cache: bool = True):
    if lang:
        response["Content-Language"] = lang
    # Nothing here may be remembered elsewhere: not by a link's target.
    response["Referrer-Policy"] = "no-referrer"
    response["X-Content-Type-Options"] = "nosniff"
    if cache:
        patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
    return response


def _page(request, template: str, lang: str, context: dict, *, status: int = 200, cache=True):
    contact = context.get("contact") or public_contact()
    numbers = {
        "hotline": phone_display(contact.hotline),
        "tip_line": phone_display(contact.tip_line),
    }
    with translation.override(lang):
        response = render(
            request,
            f"alerts/public/{template}",
            {"lang": lang, "contact": contact, **numbers, **context},
            status=status,
        )
    return _public_headers(response, lang, cache=cache)


def _not_found(request, lang: str | None = None):
    lang = lang if lang in _site_languages() else settings.LANGUAGE_CODE
    links = _language_links(lambda code: reverse("missing:list", args=[code]))
    return _page(request, "not_found.html", lang, {"language_links": links}, status=404)


@transaction.non_atomic_requests
@require_safe
def start(request):
    """/missing/: choose a language (each offered in its own words)."""
    choices = []
    for code, name in _site_languages().items():
        with translation.override(code):
            choices.append(
                (code, name, gettext("Missing children"), reverse("missing:list", args=[code]))
            )
    return _page(request, "start.html", settings.LANGUAGE_CODE, {"choices": choices})


@transaction.non_atomic_requests
@require_safe
def notice_list(request, lang: str):
    """The children searched for now, and those missing for a long time, in their own section."""
    if lang not in _site_languages():
        return _not_found(request)
    current, still_missing = notices_listed()
    contact = public_contact()
    context = {
        "current": [_card(notice, lang) for notice in current],
        "still_missing": [_card(notice, lang) for notice in still_missing],
        "contact": contact,
        "language_links": _language_links(lambda code: reverse("missing:list", args=[code])),
    }
    return _page(request, "list.html", lang, context)


@transaction.non_atomic_requests
@require_safe
def notice_page(request, lang: str, public_id: str):
    if lang not in _site_languages():
        return _not_found(request)
    notice = notice_public(public_id)
    if notice is None:
        return _not_found(request, lang)
    links = _language_links(lambda code: reverse("missing:notice", args=[code, public_id]))
    if notice.status == NoticeStatus.WITHDRAWN:
        # Nothing about the child: not the name, not the photo, not where they were seen.
        return _page(request, "withdrawn.html", lang, {"language_links": links}, status=410)
    contact = public_contact()
    description, description_language = _text_in(notice, "description", lang)
    page_url = public_page_url(notice, lang)
    with translation.override(lang):
        share_text = gettext("Missing child: %(name)s. Have you seen them? Call %(number)s.") % {
            "name": notice.display_name,
            "number": phone_display(contact.hotline),
        }
    names = _site_languages()
    context: dict[str, object] = {
        "card": _card(notice, lang),
        "notice": notice,
        "description": description,
        "description_language": description_language,
        "description_language_name": names.get(description_language, description_language),
        "instructions": (notice.instructions or {}).get(lang, "").strip(),
        "contact": contact,
        "page_url": page_url,
        "share": _share_links(page_url, share_text),
        "notice_languages": [
            (code, names[code], reverse("missing:notice", args=[code, public_id]))
            for code in notice.languages
            if code in names
        ],
        "language_links": links,
    }
    return _page(request, "notice.html", lang, context)


@transaction.non_atomic_requests
@require_safe
def published_file(request, public_id: str, filename: str):
    """A published photo or poster, while its notice is published; 410 once withdrawn."""
    rendition = rendition_public(public_id, filename)
    if rendition is None:
        return _plain(404, NOT_FOUND_TEXT)
    if rendition.notice.status != NoticeStatus.PUBLISHED or rendition.deleted_at is not None:
        return _plain(410, GONE_TEXT)
    try:
        handle = rendition.file.open("rb")
    except (FileNotFoundError, OSError):
        # The withdrawal deletes files before its transaction commits the new status.
        return _plain(410, GONE_TEXT)
    response = FileResponse(
        handle,
        content_type=rendition.content_type,
        as_attachment=False,
        filename=_neutral_filename(rendition),
    )
    return _public_headers(response, None)


# A recipient has no session with Beacon and the public side sets no cookie, so there is no
# CSRF token to check and nothing a forged cross-site POST could borrow: the signed token in
# the URL is the only authority, and whoever holds it may confirm. GET only shows the button
# (mail scanners follow links; they must not confirm on the recipient's behalf).
@csrf_exempt
@never_cache
@transaction.non_atomic_requests
@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    if request.method == "POST":
        recipient = recipient_confirm(token=token)
    else:
        recipient = recipient_of_token(token)
    lang = _confirm_language(request, recipient)
    links = _language_links(lambda code: reverse("missing:confirm", args=[token]) + f"?lang={code}")
    if recipient is None:
        return _page(
            request,
            "confirm_invalid.html",
            lang,
            {"language_links": links},
            status=404,
            cache=False,
        )
    notice = recipient.notice
    live_page = ""
    if notice.status == NoticeStatus.PUBLISHED and notice_public(notice.public_id) is not None:
        live_page = reverse("missing:notice", args=[lang, notice.public_id])
    context = {
        "language_links": links,
        "recipient": recipient,
        "public_id": notice.public_id,
        "withdrawn": notice.status == NoticeStatus.WITHDRAWN,
        "live_page": live_page,
        "action": reverse("missing:confirm", args=[token]) + f"?lang={lang}",
        "just_confirmed": request.method == "POST",
    }
    return _page(request, "confirm.html", lang, context, cache=False)


def _card(notice: SearchNotice, lang: str) -> dict:
    photo = page_photo(notice)
    return {
        "notice": notice,
        "photo_url": _file_path(photo) if photo is not None else "",
        "photo_width": photo.width if photo is not None else None,
        "photo_height": photo.height if photo is not None else None,
        "url": reverse("missing:notice", args=[lang, notice.public_id]),
    }


def _file_path(rendition: Rendition) -> str:
    # Relative on our own pages (they work on whatever host serves them); the absolute form
    # for messages and feeds is beacon.alerts.links.public_file_url.
    basename = rendition.file.name.rsplit("/", 1)[-1]
    return reverse("missing:file", args=[rendition.notice.public_id, basename])


def _neutral_filename(rendition: Rendition) -> str:
    # Nothing of the child in a saved file's name: the reference, the kind and the language.
    extension = EXTENSIONS.get(rendition.content_type, "bin")
    language = f"-{rendition.language}" if rendition.language else ""
    return f"notice-{rendition.notice.public_id}-{rendition.kind}{language}.{extension}"


def _text_in(notice: SearchNotice, field: str, lang: str) -> tuple[str, str]:
    """The text in `lang`, else in the notice's first language that has one (the page marks it)."""
    values = getattr(notice, field) or {}
    for code in [lang, *notice.languages, *sorted(values)]:
        text = (values.get(code) or "").strip()
        if text:
            return text, code
    return "", ""


def _share_links(page_url: str, text: str) -> list[tuple[str, str]]:
    """Plain links to each network's own share page: no script or image of theirs is loaded."""

    def link(base: str, **params: str) -> str:
        return base + urlencode(params, quote_via=quote)

    return [
        (gettext("E-mail"), link("mailto:?", subject=text, body=f"{text}\n{page_url}")),
        ("WhatsApp", link("https://wa.me/?", text=f"{text} {page_url}")),
        ("Facebook", link("https://www.facebook.com/sharer/sharer.php?", u=page_url)),
        ("X", link("https://x.com/intent/post?", text=text, url=page_url)),
        ("Telegram", link("https://t.me/share/url?", url=page_url, text=text)),
    ]


def _confirm_language(request, recipient: Recipient | None) -> str:
    names = _site_languages()
    chosen = request.GET.get("lang", "")
    if chosen in names:
        return chosen
    if recipient is not None:
        preferred: list[str] = []
        if recipient.follower_id and recipient.follower is not None:
            preferred.append(recipient.follower.language)
        if recipient.volunteer_id and recipient.volunteer is not None:
            preferred.extend(recipient.volunteer.languages or [])
        preferred.extend(recipient.notice.languages or [])
        for code in preferred:
            if code in names:
                return code
    language = translation.get_language_from_request(request)
    return language if language in names else settings.LANGUAGE_CODE


def _plain(status: int, text) -> HttpResponse:
    # No language in a file's URL: the organisation's, whatever the thread last activated.
    with translation.override(settings.LANGUAGE_CODE):
        body = f"{text}\n"
    response = HttpResponse(body, status=status, content_type="text/plain; charset=utf-8")
    return _public_headers(response, None)
