"""The public side of search notices: /missing/ pages, published files and confirmations."""

import io
import re
from datetime import UTC, datetime

import pytest
from django.core import signing
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from PIL import Image

from beacon.alerts.adapters.page import PageAdapter
from beacon.alerts.choices import Channel, NoticeKind, NoticeStatus, RenditionKind
from beacon.alerts.confirm import confirm_token, recipient_confirm
from beacon.alerts.links import confirm_url, public_file_url, public_page_url
from beacon.alerts.models import Recipient, RecipientKind, Rendition
from beacon.alerts.public_views import PUBLIC_MAX_AGE
from beacon.alerts.renditions import rendition_save, renditions_delete
from beacon.alerts.tests.factories import notice_make
from beacon.core.models import AuditRecord, Organisation, UserProfile
from conftest import synthetic_photo

pytestmark = pytest.mark.django_db

LANGUAGES = ["nl", "fr", "en", "de"]
# 14 March 2025, 14:30 UTC: 15:30 in Brussels (CET).
LAST_SEEN = datetime(2025, 3, 14, 14, 30, tzinfo=UTC)


def text_of(response) -> str:
    return response.content.decode()


def publish_page(notice) -> Rendition:
    """What publishing does for the page channel: the metadata-free page photo."""
    PageAdapter().publish(notice, notice.deliveries.get(channel=Channel.PAGE))
    return notice.renditions.get(kind=RenditionKind.PAGE)


@pytest.fixture
def published(open_case, private_storage):
    notice = notice_make(
        open_case,
        photo=synthetic_photo(),
        languages=["nl", "fr", "en"],
        display_name="Lotte",
        last_seen_at=LAST_SEEN,
        last_seen_place="Station, Testville",
    )
    publish_page(notice)
    return notice


def photo_path(notice) -> str:
    rendition = notice.renditions.get(kind=RenditionKind.PAGE)
    return public_file_url(rendition).removeprefix("http://127.0.0.1:8000")


def assert_public(response) -> None:
    assert response.cookies == {}
    assert "Set-Cookie" not in response.headers
    # The session was never read: a response that depends on it would vary on the cookie.
    assert "Cookie" not in response.headers.get("Vary", "")


# --- links -----------------------------------------------------------------------------


def test_links_are_absolute_and_match_the_url_patterns(published, settings):
    settings.PUBLIC_BASE_URL = "https://beacon.example.org"
    rendition = published.renditions.get(kind=RenditionKind.PAGE)
    name = rendition.file.name.rsplit("/", 1)[1]

    page = public_page_url(published, "fr")
    assert page == f"https://beacon.example.org/missing/fr/{published.public_id}/"
    assert page.removeprefix("https://beacon.example.org") == reverse(
        "missing:notice", args=["fr", published.public_id]
    )
    file_url = public_file_url(rendition)
    assert file_url == f"https://beacon.example.org/missing/files/{published.public_id}/{name}"
    assert file_url.removeprefix("https://beacon.example.org") == reverse(
        "missing:file", args=[published.public_id, name]
    )
    recipient = Recipient.objects.create(
        notice=published, channel=Channel.VOLUNTEERS, kind=RecipientKind.VOLUNTEER
    )
    link = confirm_url(recipient.pk)
    assert link.startswith("https://beacon.example.org/missing/confirm/")
    assert link.removeprefix("https://beacon.example.org") == reverse(
        "missing:confirm", args=[confirm_token(recipient.pk)]
    )


# --- the language choice and the list --------------------------------------------------


def test_the_start_page_offers_every_language_without_a_cookie(client, db):
    response = client.get("/missing/")

    assert response.status_code == 200
    page = text_of(response)
    for code in LANGUAGES:
        assert f'href="/missing/{code}/"' in page
    assert "Vermisste Kinder" in page and "Missing children" in page
    assert_public(response)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_list_shows_each_published_child_in_every_language(client, published, lang):
    response = client.get(f"/missing/{lang}/")

    assert response.status_code == 200
    assert response["Content-Language"] == lang
    page = text_of(response)
    assert f'<html lang="{lang}">' in page
    assert "Lotte" in page
    assert f'href="/missing/{lang}/{published.public_id}/"' in page
    assert f'src="{photo_path(published)}"' in page
    assert "Station, Testville" in page
    # Public look: its own stylesheet, no staff navigation, no script at all.
    assert "beacon/public.css" in page and "beacon/beacon.css" not in page
    assert "Log out" not in page and "<script" not in page
    assert_public(response)
    assert f"max-age={PUBLIC_MAX_AGE}" in response["Cache-Control"]


def test_still_missing_children_have_their_own_section(client, open_case, private_storage):
    searched = notice_make(open_case, display_name="Recentname", photo=synthetic_photo())
    long_term = notice_make(
        open_case, display_name="Longtermname", still_missing=True, photo=synthetic_photo()
    )
    publish_page(searched)
    publish_page(long_term)

    page = text_of(client.get("/missing/en/"))

    current, still_missing = page.split('id="still-missing"')
    assert "Recentname" in current and "Longtermname" not in current
    assert "Longtermname" in still_missing and "Recentname" not in still_missing
    assert f'src="{photo_path(long_term)}"' in still_missing


def test_the_list_leaves_out_what_is_not_publicly_on_the_page(client, open_case):
    notice_make(open_case, display_name="Shownname")
    notice_make(open_case, display_name="Draftname", status=NoticeStatus.DRAFT)
    notice_make(open_case, display_name="Waitingname", status=NoticeStatus.SUBMITTED)
    notice_make(open_case, display_name="Approvedname", status=NoticeStatus.APPROVED)
    notice_make(open_case, display_name="Goneuname", status=NoticeStatus.WITHDRAWN)
    notice_make(open_case, display_name="Discretename", kind=NoticeKind.DISCRETE)
    notice_make(open_case, display_name="Posteronlyname", channels=[Channel.POSTER])

    page = text_of(client.get("/missing/en/"))

    assert "Shownname" in page
    for name in (
        "Draftname",
        "Waitingname",
        "Approvedname",
        "Goneuname",
        "Discretename",
        "Posteronlyname",
    ):
        assert name not in page


def test_the_list_reads_a_fixed_number_of_queries(
    client, open_case, private_storage, django_assert_num_queries
):
    publish_page(notice_make(open_case, photo=synthetic_photo()))
    # Notices, their page photos, the organisation: whatever the number of notices.
    with django_assert_num_queries(3):
        assert client.get("/missing/en/").status_code == 200
    for still_missing in (False, True, True):
        publish_page(notice_make(open_case, photo=synthetic_photo(), still_missing=still_missing))
    with django_assert_num_queries(3):
        page = text_of(client.get("/missing/en/"))
    assert page.count('class="card-photo"') == 4


def test_an_empty_list_says_so(client, db):
    page = text_of(client.get("/missing/en/"))

    assert "No child is being searched for publicly right now." in page


def test_an_unsupported_language_is_not_found(client, published):
    assert client.get("/missing/es/").status_code == 404
    assert client.get(f"/missing/es/{published.public_id}/").status_code == 404


# --- a notice's page -------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_the_notice_page_in_each_language_of_the_notice(client, published, lang):
    response = client.get(f"/missing/{lang}/{published.public_id}/")

    assert response.status_code == 200
    page = text_of(response)
    assert f'<html lang="{lang}">' in page
    assert f"[{lang}] 1.60 m, long brown hair" in page
    assert 'id="description-fallback"' not in page
    assert 'id="notice-photo"' in page and f'src="{photo_path(published)}"' in page
    assert "Lotte" in page and "Station, Testville" in page
    assert "<script" not in page
    # The notice's languages, each linked.
    for code in ("nl", "fr", "en"):
        if code != lang:
            assert f'href="/missing/{code}/{published.public_id}/"' in page
    assert_public(response)


def test_a_missing_description_falls_back_to_the_notices_first_language_marked(client, published):
    page = text_of(client.get(f"/missing/de/{published.public_id}/"))

    assert 'id="description-fallback"' in page
    assert '<p id="description" lang="nl">[nl] 1.60 m' in page
    # German strings of the interface, from the catalogue.
    assert 'aria-label="Sprache"' in page
    assert "Beschreibung" in page and "Vermisste Kinder" in page


def test_last_seen_is_shown_in_the_organisations_time_zone(client, published):
    english = text_of(client.get(f"/missing/en/{published.public_id}/"))
    german = text_of(client.get(f"/missing/de/{published.public_id}/"))
    listed = text_of(client.get("/missing/de/"))

    assert "March 14, 2025, 3:30 p.m." in english
    assert "14. März 2025 15:30" in german
    assert "14. März 2025 15:30" in listed
    assert "Zuletzt gesehen" in listed


def test_what_to_do_defaults_to_the_organisations_numbers(client, published):
    Organisation.objects.update(
        phone_numbers={"missing_children_hotline": "116000", "tip_line": "116800"}
    )

    page = text_of(client.get(f"/missing/en/{published.public_id}/"))

    assert "Do not act yourself: call us." in page
    assert 'href="tel:116000"' in page
    assert "Call 116 000, free, day and night. For a tip, even anonymous, call 116 800." in page


def test_what_to_do_is_the_notices_own_text_when_it_has_one(client, published):
    published.instructions = {"en": "Call the local police of Testville on 101."}
    published.save(update_fields=["instructions"])

    english = text_of(client.get(f"/missing/en/{published.public_id}/"))
    french = text_of(client.get(f"/missing/fr/{published.public_id}/"))

    assert "Call the local police of Testville on 101." in english
    assert "Do not act yourself" not in english
    assert "Call the local police" not in french


def test_share_links_are_plain_links_to_the_absolute_page(client, published, settings):
    settings.PUBLIC_BASE_URL = "https://beacon.example.org"

    page = text_of(client.get(f"/missing/en/{published.public_id}/"))

    url = f"https://beacon.example.org/missing/en/{published.public_id}/"
    assert f'value="{url}"' in page
    encoded = "https%3A%2F%2Fbeacon.example.org%2Fmissing%2Fen%2F" + published.public_id
    hrefs = re.findall(r'<a href="([^"]+)" rel="noopener noreferrer nofollow"', page)
    assert len(hrefs) == 5
    assert all(encoded in href for href in hrefs)
    assert any(href.startswith("mailto:?") for href in hrefs)
    assert "<script" not in page and "<iframe" not in page


def test_unknown_discrete_and_unpublished_notices_are_not_found(client, open_case):
    hidden = [
        notice_make(open_case, kind=NoticeKind.DISCRETE),
        notice_make(open_case, kind=NoticeKind.DISCRETE, status=NoticeStatus.WITHDRAWN),
        notice_make(open_case, status=NoticeStatus.DRAFT),
        notice_make(open_case, status=NoticeStatus.SUBMITTED),
        notice_make(open_case, status=NoticeStatus.APPROVED),
    ]

    responses = [client.get("/missing/en/NOSUCHID23/")]
    responses += [client.get(f"/missing/en/{notice.public_id}/") for notice in hidden]

    for response in responses:
        assert response.status_code == 404
        assert "Lotte" not in text_of(response)
        assert "There is no search notice at this address." in text_of(response)
        assert_public(response)


def test_a_notice_without_the_page_channel_has_its_page_for_its_posters_qr_code(
    client, open_case, private_storage
):
    # Posters, messages and social posts link to the page of every public notice; only the
    # list is kept to the notices that chose the page channel.
    notice = notice_make(
        open_case, display_name="Postername", channels=[Channel.POSTER, Channel.FEED]
    )
    feed_photo = rendition_save(
        notice=notice,
        kind=RenditionKind.FEED,
        content=synthetic_photo(gps=False),
        content_type="image/jpeg",
    )

    response = client.get(f"/missing/en/{notice.public_id}/")

    assert response.status_code == 200
    page = text_of(response)
    assert "Postername" in page
    assert f'src="{public_file_url(feed_photo).removeprefix("http://127.0.0.1:8000")}"' in page
    assert "Postername" not in text_of(client.get("/missing/en/"))
    notice.status = NoticeStatus.WITHDRAWN
    notice.save(update_fields=["status"])
    assert client.get(f"/missing/en/{notice.public_id}/").status_code == 410


def test_the_page_prefers_its_own_photo(client, published):
    own = photo_path(published)
    rendition_save(
        notice=published,
        kind=RenditionKind.FEED,
        content=synthetic_photo(gps=False),
        content_type="image/jpeg",
    )

    page = text_of(client.get(f"/missing/en/{published.public_id}/"))

    assert f'id="notice-photo" src="{own}"' in page


@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_withdrawn_notice_is_gone_without_name_or_photo(client, published, lang):
    photo = photo_path(published)
    published.status = NoticeStatus.WITHDRAWN
    published.save(update_fields=["status"])

    response = client.get(f"/missing/{lang}/{published.public_id}/")

    assert response.status_code == 410
    page = text_of(response)
    assert 'id="withdrawn"' in page
    assert "Lotte" not in page and "Station, Testville" not in page
    assert photo not in page and "<img" not in page
    assert_public(response)
    assert "Lotte" not in text_of(client.get(f"/missing/{lang}/"))


def test_the_withdrawn_page_says_so_in_english(client, published):
    published.status = NoticeStatus.WITHDRAWN
    published.save(update_fields=["status"])

    page = text_of(client.get(f"/missing/en/{published.public_id}/"))

    assert "This search notice has been withdrawn. Thank you for your help." in page


def test_a_staff_session_is_not_read_on_public_pages(client, cast, published):
    carla = cast["case_manager"]
    UserProfile.objects.update_or_create(user=carla, defaults={"language": "fr"})
    client.force_login(carla)

    for path in ("/missing/", "/missing/en/", f"/missing/en/{published.public_id}/"):
        response = client.get(path)
        page = text_of(response)
        assert response.status_code == 200
        assert "carla" not in page and "Log out" not in page
        assert_public(response)
    # The URL's language, not carla's profile's.
    assert '<html lang="en">' in text_of(client.get("/missing/en/"))


# --- published files -------------------------------------------------------------------


def test_a_page_photo_is_served_without_metadata_and_with_short_caching(client, published):
    response = client.get(photo_path(published))

    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    cache = response["Cache-Control"]
    max_age = int(re.search(r"max-age=(\d+)", cache).group(1))
    assert max_age <= 60 and max_age == PUBLIC_MAX_AGE
    assert response["Content-Disposition"] == (
        f'inline; filename="notice-{published.public_id}-page.jpg"'
    )
    assert "Lotte" not in response["Content-Disposition"]
    with Image.open(io.BytesIO(body)) as image:
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
    assert_public(response)


def test_a_poster_pdf_is_served_as_pdf(client, published):
    poster = rendition_save(
        notice=published,
        kind=RenditionKind.POSTER,
        content=b"%PDF-1.4\n% synthetic\n%%EOF\n",
        content_type="application/pdf",
        language="fr",
    )

    response = client.get(public_file_url(poster).removeprefix("http://127.0.0.1:8000"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'inline; filename="notice-{published.public_id}-poster-fr.pdf"'
    )
    assert b"".join(response.streaming_content).startswith(b"%PDF-1.4")


def test_files_of_a_withdrawn_notice_are_gone(client, published):
    path = photo_path(published)
    published.status = NoticeStatus.WITHDRAWN
    published.save(update_fields=["status"])

    response = client.get(path)

    assert response.status_code == 410
    assert_public(response)


def test_a_deleted_file_is_gone(client, published):
    path = photo_path(published)
    assert renditions_delete(notice_id=published.pk) == 1

    assert client.get(path).status_code == 410


def test_a_file_missing_from_storage_while_withdrawing_is_gone(client, published):
    rendition = published.renditions.get(kind=RenditionKind.PAGE)
    default_storage.delete(rendition.file.name)

    assert client.get(photo_path(published)).status_code == 410


def test_unknown_files_and_vignettes_are_not_found(client, open_case, published):
    discrete = notice_make(open_case, kind=NoticeKind.DISCRETE)
    vignette = rendition_save(
        notice=discrete,
        kind=RenditionKind.VIGNETTE,
        content=b"%PDF-1.4\n%%EOF\n",
        content_type="application/pdf",
    )
    # A vignette of a public notice is not public either.
    public_vignette = rendition_save(
        notice=published,
        kind=RenditionKind.VIGNETTE,
        content=b"%PDF-1.4\n%%EOF\n",
        content_type="application/pdf",
    )
    draft = notice_make(open_case, status=NoticeStatus.DRAFT)
    draft_photo = rendition_save(
        notice=draft,
        kind=RenditionKind.PAGE,
        content=synthetic_photo(gps=False),
        content_type="image/jpeg",
    )
    real_name = photo_path(published).rsplit("/", 1)[1]

    paths = [
        public_file_url(rendition).removeprefix("http://127.0.0.1:8000")
        for rendition in (vignette, public_vignette, draft_photo)
    ]
    paths += [
        f"/missing/files/{published.public_id}/page-nosuchfile.jpg",
        f"/missing/files/NOSUCHID23/{real_name}",
        f"/missing/files/{discrete.public_id}/{real_name}",
    ]
    for path in paths:
        assert client.get(path).status_code == 404, path


# --- confirmations ---------------------------------------------------------------------


@pytest.fixture
def recipient(published):
    return Recipient.objects.create(
        notice=published, channel=Channel.VOLUNTEERS, kind=RecipientKind.VOLUNTEER
    )


def confirm_path(recipient_id: int) -> str:
    return reverse("missing:confirm", args=[confirm_token(recipient_id)])


def confirmations(recipient) -> int:
    return AuditRecord.objects.filter(
        object_type="alerts.recipient", object_id=str(recipient.pk), fields=["confirmed_at"]
    ).count()


def test_the_link_shows_a_button_and_records_nothing(client, recipient):
    # The page speaks the recipient's language (here the notice's first: nl); ?lang= switches.
    response = client.get(confirm_path(recipient.pk) + "?lang=en")

    assert response.status_code == 200
    page = text_of(response)
    assert '<form method="post"' in page and "I confirm" in page
    recipient.refresh_from_db()
    assert recipient.confirmed_at is None
    assert confirmations(recipient) == 0
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert_public(response)


def test_confirming_records_once_and_audits_without_actor(recipient):
    # A public client with CSRF checks on, as a browser without any cookie is.
    client = Client(enforce_csrf_checks=True)

    first = client.post(confirm_path(recipient.pk))

    assert first.status_code == 200
    assert 'id="confirmed"' in text_of(first)
    recipient.refresh_from_db()
    confirmed_at = recipient.confirmed_at
    assert confirmed_at is not None
    record = AuditRecord.objects.get(object_type="alerts.recipient", object_id=str(recipient.pk))
    assert record.actor is None and record.fields == ["confirmed_at"]
    assert_public(first)

    again = client.post(confirm_path(recipient.pk))
    assert again.status_code == 200
    recipient.refresh_from_db()
    assert recipient.confirmed_at == confirmed_at
    assert confirmations(recipient) == 1
    # Opening the link later says it was recorded, without a button.
    later = text_of(client.get(confirm_path(recipient.pk)))
    assert 'id="confirmed"' in later and "I confirm" not in later


def test_the_service_is_idempotent_and_refuses_forged_tokens(recipient):
    assert recipient_confirm(token=confirm_token(recipient.pk)).pk == recipient.pk
    first = Recipient.objects.get(pk=recipient.pk).confirmed_at
    assert recipient_confirm(token=confirm_token(recipient.pk)).confirmed_at == first

    forged = [
        "nonsense",
        confirm_token(recipient.pk)[:-2] + "xx",
        signing.dumps(recipient.pk),  # signed for another purpose
        signing.dumps(recipient.pk, salt="beacon.reports.public.thanks"),
        signing.dumps(str(recipient.pk), salt="beacon.alerts.confirm"),
        confirm_token(recipient.pk + 1000),
    ]
    for token in forged:
        assert recipient_confirm(token=token) is None, token
    assert confirmations(recipient) == 1


def test_a_forged_link_shows_a_clear_page_and_changes_nothing(client, recipient):
    token = confirm_token(recipient.pk)
    forged = token[:-3] + ("abc" if not token.endswith("abc") else "xyz")

    for response in (
        client.get(f"/missing/confirm/{forged}/"),
        client.post(f"/missing/confirm/{forged}/"),
    ):
        assert response.status_code == 404
        assert "This confirmation link is not valid" in text_of(response)
        assert_public(response)
    recipient.refresh_from_db()
    assert recipient.confirmed_at is None
    assert confirmations(recipient) == 0


def test_confirming_after_withdrawal_is_recorded_and_says_the_search_is_over(client, recipient):
    notice = recipient.notice
    photo = photo_path(notice)
    notice.status = NoticeStatus.WITHDRAWN
    notice.save(update_fields=["status"])

    response = client.post(confirm_path(recipient.pk) + "?lang=en")

    assert response.status_code == 200
    page = text_of(response)
    assert 'id="withdrawn"' in page and "the search is over" in page
    assert "Lotte" not in page and photo not in page and "<img" not in page
    recipient.refresh_from_db()
    assert recipient.confirmed_at is not None
    assert confirmations(recipient) == 1


def test_the_confirmation_page_speaks_the_followers_language(client, published):
    from beacon.network.models import Follower

    follower = Follower.objects.create(
        group="Running club", address="runner@example.org", language="de"
    )
    recipient = Recipient.objects.create(
        notice=published, channel=Channel.FOLLOWERS, kind=RecipientKind.FOLLOWER, follower=follower
    )

    response = client.get(confirm_path(recipient.pk))

    assert response["Content-Language"] == "de"
    assert 'aria-label="Sprache"' in text_of(response)
    # The visitor may switch.
    switched = client.get(confirm_path(recipient.pk) + "?lang=fr")
    assert switched["Content-Language"] == "fr"
