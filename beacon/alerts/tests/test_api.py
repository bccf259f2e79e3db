"""The search notices' API: a notice from case to withdrawal through every endpoint, the
four-eyes refusal, 422 naming fields, 403 audited, 404 for a case the user may not open, 409 on
a stale version; refused requests change nothing."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from beacon.alerts.choices import Channel, NoticeStatus
from beacon.alerts.models import ChannelStat, NoticeChannel, NoticePhoto, SearchNotice
from beacon.alerts.tests.factories import notice_make
from beacon.cases.tests.test_api import API, call, locs
from beacon.core.models import AuditRecord
from beacon.core.services import token_create
from beacon.network.models import Municipality
from conftest import make_user, synthetic_photo

NOTICES = f"{API}/notices"


@pytest.fixture
def auth(cast):
    """Request headers with a personal token of the cast member of a role (made once each:
    creating a token is audited)."""
    made: dict[str, dict] = {}

    def headers(role: str) -> dict:
        if role not in made:
            _token, secret = token_create(actor=None, user=cast[role], name="tests")
            made[role] = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
        return made[role]

    return headers


def written() -> tuple:
    """Everything a refused request must leave as it was."""
    return (
        SearchNotice.objects.count(),
        tuple(SearchNotice.objects.order_by("pk").values_list("version", "status")),
        NoticePhoto.objects.count(),
        NoticeChannel.objects.count(),
        ChannelStat.objects.count(),
        AuditRecord.objects.exclude(action__in=["denied", "view"]).count(),
    )


def create_body(case, **overrides) -> dict:
    body = {
        "case_id": case.pk,
        "kind": "public",
        "channels": ["page", "feed"],
        "languages": ["nl", "fr"],
        "description": {"nl": "Blauwe jas.", "fr": "Veste bleue."},
    }
    body.update(overrides)
    return body


def agreement(version: int) -> dict:
    now = timezone.now()
    return {
        "version": version,
        "authority_name": "Public prosecutor, Testville",
        "agreed_by": "Magistrate on duty",
        "agreed_at": (now - timedelta(minutes=30)).isoformat(),
        "parents_informed_at": (now - timedelta(minutes=20)).isoformat(),
    }


def upload(client, notice_id: int, version: int, headers: dict, content: bytes, name="p.jpg"):
    return client.post(
        f"{NOTICES}/{notice_id}/photos",
        {"version": str(version), "photo": SimpleUploadedFile(name, content, "image/jpeg")},
        **headers,
    )


@pytest.fixture
def ready(client, cast, open_case, auth, private_storage):
    """A complete draft made through the API by carla: text, photo, agreement."""
    carla = auth("case_manager")
    made = call(client, "post", NOTICES, carla, create_body(open_case))
    assert made.status_code == 201, made.json()
    notice = made.json()
    assert (notice["status"], notice["display_name"], notice["region"]) == (
        "draft",
        "Lotte",
        "BE-VAN",
    )
    photo = upload(client, notice["id"], notice["version"], carla, synthetic_photo())
    assert photo.status_code == 201, photo.json()
    notice = client.get(f"{NOTICES}/{notice['id']}", **carla).json()
    agreed = call(
        client, "post", f"{NOTICES}/{notice['id']}/agreement", carla, agreement(notice["version"])
    )
    assert agreed.status_code == 200, agreed.json()
    return agreed.json()


def test_a_notice_from_case_to_withdrawal(client, cast, ready, auth):
    carla, tess = auth("case_manager"), auth("team_lead")
    notice = ready
    url = f"{NOTICES}/{notice['id']}"
    assert notice["steps"]["agreement"]["by"] == "carla"
    assert [p["position"] for p in notice["photos"]] == [1]
    submitted = call(client, "post", f"{url}/submit", carla, {"version": notice["version"]})
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    version = submitted.json()["version"]

    # Four-eyes: carla may not approve what she prepared.
    before = written()
    own = call(client, "post", f"{url}/approve", carla, {"version": version})
    assert own.status_code == 422
    assert locs(own) == [["body", "approved_by"]]
    assert "second person" in own.json()["detail"][0]["msg"]
    assert written() == before
    assert client.get(f"{NOTICES}/approval-queue", **carla).json() == []
    queue = client.get(f"{NOTICES}/approval-queue", **tess).json()
    assert [n["id"] for n in queue] == [notice["id"]]

    approved = call(client, "post", f"{url}/approve", tess, {"version": version})
    assert approved.status_code == 200
    assert approved.json()["steps"]["approved"]["by"] == "tess"
    published = call(
        client, "post", f"{url}/publish", tess, {"version": approved.json()["version"]}
    )
    assert published.status_code == 200
    body = published.json()
    assert body["status"] == "published"
    assert {d["channel"] for d in body["deliveries"]} == {"page", "feed"}

    stats = call(
        client, "post", f"{url}/stats", carla, {"network": "facebook", "views": 10, "shares": 2}
    )
    assert stats.status_code == 200 and stats.json()["views"] == 10

    withdrawn = call(client, "post", f"{url}/withdraw", tess, {"reason": "found safe"})
    assert withdrawn.status_code == 200
    assert withdrawn.json()["status"] == "withdrawn"
    assert withdrawn.json()["steps"]["withdrawn"]["by"] == "tess"
    report = client.get(f"{url}/withdrawal-report", **tess).json()
    assert {c["channel"]: c["status"] for c in report["channels"]} == {
        "page": "skipped",
        "feed": "skipped",
    }
    assert report["channels"][0]["withdrawal_messages"] is None  # not a messaging channel

    again = call(client, "post", f"{url}/withdraw", tess, {"reason": "found safe"})
    assert again.status_code == 422 and locs(again) == [["body", "status"]]


def test_list_filters_and_pages(client, cast, open_case, auth):
    published = notice_make(open_case)
    draft = notice_make(open_case, status=NoticeStatus.DRAFT)
    carla = auth("case_manager")
    page = client.get(NOTICES, {"status": "published"}, **carla).json()
    assert [n["id"] for n in page["items"]] == [published.pk]
    page = client.get(NOTICES, {"limit": 1}, **carla).json()
    assert [n["id"] for n in page["items"]] == [draft.pk]
    rest = client.get(NOTICES, {"limit": 1, "cursor": page["next_cursor"]}, **carla).json()
    assert [n["id"] for n in rest["items"]] == [published.pk] and rest["next_cursor"] is None
    bad = client.get(NOTICES, {"cursor": "nonsense"}, **carla)
    assert bad.status_code == 422 and locs(bad) == [["query", "cursor"]]
    by_case = client.get(NOTICES, {"case_id": open_case.pk}, **carla).json()
    assert len(by_case["items"]) == 2


def test_reading_one_is_audited(client, cast, open_case, auth):
    notice = notice_make(open_case)
    response = client.get(f"{NOTICES}/{notice.pk}", **auth("team_lead"))
    assert response.status_code == 200
    assert response.json()["public_id"] == notice.public_id
    assert AuditRecord.objects.filter(
        action="view", object_type="alerts.searchnotice", object_id=str(notice.pk)
    ).exists()


# --- errors ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "loc"),
    [
        ({"kind": "discrete", "channels": ["page"]}, ["body", "channels"]),
        ({"channels": ["nowhere"]}, ["body", "channels"]),
        ({"languages": ["xx"]}, ["body", "languages"]),
        ({"age": 44}, ["body", "age"]),
        ({"description": {"xx": "text"}}, ["body", "description"]),
        ({"municipalities": ["00000"]}, ["body", "municipalities"]),
        ({"region": "XX-NOPE"}, ["body", "region"]),
        ({"case_id": 999999}, ["body", "case_id"]),
        ({"kind": 5}, ["body", "kind"]),
    ],
)
def test_a_bad_field_is_named_and_nothing_is_written(client, cast, open_case, auth, overrides, loc):
    headers = auth("case_manager")
    before = written()
    response = call(client, "post", NOTICES, headers, create_body(open_case, **overrides))
    assert response.status_code == 422, response.json()
    assert loc in locs(response)
    assert written() == before


def test_municipalities_of_another_province_are_refused(client, cast, open_case, auth):
    other = Municipality.objects.exclude(region__code="BE-VAN").first()
    if other is None:
        from beacon.core.models import Region

        other = Municipality.objects.create(
            code="71011", names={"nl": "Diepenbeek"}, region=Region.objects.get(code="BE-VLI")
        )
    response = call(
        client,
        "post",
        NOTICES,
        auth("case_manager"),
        create_body(open_case, municipalities=[other.code]),
    )
    assert response.status_code == 422 and locs(response) == [["body", "municipalities"]]


def test_a_closed_case_gets_no_notice(client, cast, open_case, auth):
    from beacon.cases.services import case_close

    case_close(
        actor=cast["case_manager"],
        case=open_case,
        expected_version=open_case.version,
        outcome="found_safe",
        found_at=timezone.now(),
    )
    response = call(client, "post", NOTICES, auth("case_manager"), create_body(open_case))
    assert response.status_code == 422 and locs(response) == [["body", "case_id"]]


def test_a_stale_version_is_409_and_changes_nothing(client, cast, ready, auth):
    before = written()
    response = call(
        client,
        "patch",
        f"{NOTICES}/{ready['id']}",
        auth("case_manager"),
        {"version": ready["version"] - 1, "display_name": "Other"},
    )
    assert response.status_code == 409
    assert "changed" in response.json()["detail"]
    assert written() == before


def test_a_patch_changes_only_what_is_sent_and_needs_a_new_approval(client, cast, ready, auth):
    carla = auth("case_manager")
    url = f"{NOTICES}/{ready['id']}"
    submitted = call(client, "post", f"{url}/submit", carla, {"version": ready["version"]}).json()
    changed = call(
        client,
        "patch",
        url,
        carla,
        {"version": submitted["version"], "still_missing": True, "age": 14},
    )
    assert changed.status_code == 200
    body = changed.json()
    assert (body["still_missing"], body["age"], body["status"]) == (True, 14, "draft")
    assert body["description"] == ready["description"]


def test_submitting_an_incomplete_notice_names_what_is_missing(client, cast, open_case, auth):
    carla = auth("case_manager")
    made = call(client, "post", NOTICES, carla, create_body(open_case, description={})).json()
    response = call(client, "post", f"{NOTICES}/{made['id']}/submit", carla, {"version": 1})
    assert response.status_code == 422
    assert {tuple(loc) for loc in locs(response)} >= {
        ("body", "description"),
        ("body", "authority_agreed_at"),
        ("body", "photo"),
        ("body", "parents_informed_at"),
    }


def test_an_agreement_in_the_future_is_refused(client, cast, ready, auth):
    body = agreement(ready["version"])
    body["agreed_at"] = (timezone.now() + timedelta(days=1)).isoformat()
    response = call(
        client, "post", f"{NOTICES}/{ready['id']}/agreement", auth("case_manager"), body
    )
    assert response.status_code == 422 and locs(response) == [["body", "agreed_at"]]


def test_a_photo_that_is_not_an_image_is_refused(client, cast, ready, auth):
    before = written()
    response = upload(client, ready["id"], ready["version"], auth("case_manager"), b"%PDF-1.4")
    assert response.status_code == 422 and locs(response) == [["body", "photo"]]
    assert written() == before


def test_a_photo_is_removed(client, cast, ready, auth):
    photo = ready["photos"][0]["id"]
    url = f"{NOTICES}/{ready['id']}/photos/{photo}?version={ready['version']}"
    response = client.delete(url, **auth("case_manager"))
    assert response.status_code == 204
    assert not NoticePhoto.objects.exists()
    assert client.delete(url, **auth("case_manager")).status_code == 404


def test_figures_need_a_published_notice(client, cast, ready, auth):
    response = call(
        client,
        "post",
        f"{NOTICES}/{ready['id']}/stats",
        auth("case_manager"),
        {"network": "facebook", "views": 3},
    )
    assert response.status_code == 422 and locs(response) == [["body", "notice"]]
    negative = call(
        client,
        "post",
        f"{NOTICES}/{ready['id']}/stats",
        auth("case_manager"),
        {"network": "facebook", "views": -3},
    )
    assert negative.status_code == 422 and locs(negative) == [["body", "views"]]


# --- who may do what ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["analyst", "volunteer_coordinator", "nobody", "first_responder"])
def test_roles_without_notice_work_get_403_audited(client, cast, ready, auth, role):
    headers = auth(role)
    url = f"{NOTICES}/{ready['id']}"
    before = written()
    denied = AuditRecord.objects.filter(action="denied").count()
    answers = [
        client.get(NOTICES, **headers).status_code,
        client.get(url, **headers).status_code,
        client.get(f"{url}/withdrawal-report", **headers).status_code,
        call(
            client, "post", NOTICES, headers, create_body(SearchNotice.objects.get().case)
        ).status_code,
        call(client, "patch", url, headers, {"version": ready["version"], "age": 3}).status_code,
        call(client, "post", f"{url}/submit", headers, {"version": ready["version"]}).status_code,
        call(client, "post", f"{url}/approve", headers, {"version": ready["version"]}).status_code,
        call(client, "post", f"{url}/withdraw", headers, {"reason": "x"}).status_code,
        call(client, "post", f"{url}/stats", headers, {"network": "x"}).status_code,
    ]
    assert answers == [403] * len(answers)
    assert AuditRecord.objects.filter(action="denied").count() == denied + len(answers)
    assert written() == before


def test_a_notice_of_a_case_the_user_may_not_open_is_404(client, cast, ready):
    reader = make_user("nina", None)
    reader.user_permissions.add(
        Permission.objects.get(codename="view_searchnotice", content_type__app_label="alerts")
    )
    _token, secret = token_create(actor=None, user=reader, name="tests")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    assert client.get(f"{NOTICES}/{ready['id']}", **headers).status_code == 404
    assert client.get(NOTICES, **headers).json()["items"] == []


def test_publish_needs_the_permission_and_the_approval(client, cast, ready, auth):
    response = call(
        client,
        "post",
        f"{NOTICES}/{ready['id']}/publish",
        auth("case_manager"),
        {"version": ready["version"]},
    )
    assert response.status_code == 422
    assert ["body", "status"] in locs(response)
    assert not NoticeChannel.objects.exists()
    assert Channel.PAGE in ready["channels"]


def test_the_openapi_schema_lists_the_endpoints(client, db):
    schema = client.get(f"{API}/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/notices",
        "/api/v1/notices/{notice_id}",
        "/api/v1/notices/{notice_id}/photos",
        "/api/v1/notices/{notice_id}/withdrawal-report",
        "/api/v1/notices/{notice_id}/approve",
    ):
        assert path in paths, path
