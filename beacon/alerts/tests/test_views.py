"""The staff pages of search notices: each step through the UI with the cast (carla prepares and
submits, tess approves and publishes, carla may not approve her own), refusals that change
nothing, the photo served only to those who may open the case, clear form errors."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from beacon.alerts.choices import Channel, ChannelStatus, NoticeKind, NoticeStatus
from beacon.alerts.models import ChannelStat, NoticeChannel, NoticePhoto, SearchNotice
from beacon.alerts.tests.factories import notice_make
from beacon.core.models import AuditRecord, Region
from beacon.network.models import Municipality
from conftest import make_user, synthetic_photo


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def as_user(client, user):
    client.force_login(user)
    return client


def notice_form(**overrides) -> dict:
    data = {
        "kind": "public",
        "channels": ["page", "poster", "volunteers"],
        "languages": ["nl", "fr"],
        "display_name": "Lotte",
        "age": "15",
        "last_seen_at": local(timezone.now() - timedelta(hours=5)),
        "last_seen_place": "Station, Testville",
        "region": "BE-VAN",
        "description_nl": "1,60 m, lang bruin haar, blauwe jas.",
        "description_fr": "1,60 m, longs cheveux bruns, veste bleue.",
        "instructions_nl": "",
        "instructions_fr": "",
    }
    data.update(overrides)
    return data


def state(notice: SearchNotice) -> tuple:
    """What a refused request must leave as it was."""
    notice.refresh_from_db()
    return (
        notice.status,
        notice.version,
        notice.approved_by_id,
        NoticePhoto.objects.count(),
        NoticeChannel.objects.count(),
        AuditRecord.objects.exclude(action__in=["denied", "view"]).count(),
    )


@pytest.fixture
def prepared(cast, open_case, private_storage, client):
    """A complete draft prepared by carla through the pages: text, photo, agreement."""
    page = as_user(client, cast["case_manager"])
    response = page.post(f"/notices/new/?case={open_case.pk}", notice_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    notice = SearchNotice.objects.get()
    assert response["Location"] == f"/notices/{notice.pk}/"
    response = page.post(
        f"/notices/{notice.pk}/photos/",
        {"version": notice.version, "photo": SimpleUploadedFile("p.jpg", synthetic_photo())},
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    now = timezone.now()
    response = page.post(
        f"/notices/{notice.pk}/agreement/",
        {
            "version": notice.version,
            "authority_name": "Public prosecutor, Testville",
            "authority_agreed_by": "Magistrate on duty",
            "authority_agreed_at": local(now - timedelta(minutes=30)),
            "parents_informed_at": local(now - timedelta(minutes=20)),
        },
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    client.logout()
    return notice


# --- from the case page to publication and withdrawal ----------------------------------------


def test_the_case_page_offers_a_notice_to_those_who_prepare_them(cast, open_case, client):
    page = as_user(client, cast["case_manager"]).get(f"/cases/{open_case.pk}/").content.decode()
    assert f'href="/notices/new/?case={open_case.pk}"' in page
    assert "Prepare a search notice" in page
    # The navigation leads to the notices.
    assert 'href="/notices/"' in page
    client.force_login(cast["first_responder"])  # reads cases, not notices
    page = client.get(f"/cases/{open_case.pk}/").content.decode()
    assert "Prepare a search notice" not in page and 'href="/notices/"' not in page


def test_the_form_proposes_the_cases_facts(cast, open_case, client):
    page = as_user(client, cast["case_manager"]).get(f"/notices/new/?case={open_case.pk}")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'value="Lotte"' in html
    assert 'value="BE-VAN" selected' in html
    assert 'data-kinds="discrete"' in html  # the vignette is shown for discrete notices only
    assert AuditRecord.objects.filter(
        action="view", object_type="cases.case", object_id=str(open_case.pk)
    ).exists()


def test_a_notice_goes_from_draft_to_withdrawal_through_the_pages(cast, prepared, client):
    notice = prepared
    carla, tess = cast["case_manager"], cast["team_lead"]
    page = as_user(client, carla)
    detail = page.get(f"/notices/{notice.pk}/").content.decode()
    assert "Public prosecutor, Testville" in detail
    assert f"/notices/{notice.pk}/photos/" in detail
    assert (
        page.post(f"/notices/{notice.pk}/submit/", {"version": notice.version}).status_code == 302
    )
    notice.refresh_from_db()
    assert (notice.status, notice.submitted_by) == (NoticeStatus.SUBMITTED, carla)

    # Carla sees she waits for a second person, and has no approve button.
    detail = page.get(f"/notices/{notice.pk}/").content.decode()
    assert "Waiting for a second person" in detail
    assert f'action="/notices/{notice.pk}/approve/"' not in detail
    # Forcing it anyway is refused, clearly, and changes nothing.
    before = state(notice)
    refused = page.post(f"/notices/{notice.pk}/approve/", {"version": notice.version})
    assert refused.status_code == 400
    assert "A second person must approve" in refused.content.decode()
    assert state(notice) == before
    # Nor is it in her approval queue.
    assert f"/notices/{notice.pk}/" not in _queue(page.get("/notices/").content.decode())

    page = as_user(client, tess)
    assert f"/notices/{notice.pk}/" in _queue(page.get("/notices/").content.decode())
    detail = page.get(f"/notices/{notice.pk}/").content.decode()
    assert f'action="/notices/{notice.pk}/approve/"' in detail
    assert (
        page.post(f"/notices/{notice.pk}/approve/", {"version": notice.version}).status_code == 302
    )
    notice.refresh_from_db()
    assert (notice.status, notice.approved_by) == (NoticeStatus.APPROVED, tess)
    assert (
        page.post(f"/notices/{notice.pk}/publish/", {"version": notice.version}).status_code == 302
    )
    notice.refresh_from_db()
    assert (notice.status, notice.published_by) == (NoticeStatus.PUBLISHED, tess)
    assert set(NoticeChannel.objects.filter(notice=notice).values_list("channel", flat=True)) == {
        Channel.PAGE,
        Channel.POSTER,
        Channel.VOLUNTEERS,
    }
    detail = page.get(f"/notices/{notice.pk}/").content.decode()
    assert 'hx-trigger="every 3s"' in detail  # channels still going out: the report refreshes

    # Withdrawal needs a reason and the confirmation.
    unconfirmed = page.post(f"/notices/{notice.pk}/withdraw/", {"reason": "found safe"})
    assert unconfirmed.status_code == 400
    assert "Tick the box to confirm the withdrawal." in unconfirmed.content.decode()
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.PUBLISHED
    done = page.post(f"/notices/{notice.pk}/withdraw/", {"reason": "found safe", "confirm": "on"})
    assert done.status_code == 302
    notice.refresh_from_db()
    assert (notice.status, notice.withdrawn_by, notice.withdrawal_reason) == (
        NoticeStatus.WITHDRAWN,
        tess,
        "found safe",
    )
    # Queued channels never went out: the report says so, per channel.
    report = page.get(f"/notices/{notice.pk}/report/").content.decode()
    assert report.count(str(ChannelStatus.SKIPPED.label)) == 3
    steps = page.get(f"/notices/{notice.pk}/").content.decode()
    assert "found safe" in steps and 'id="step-withdrawn"' in steps


def _queue(html: str) -> str:
    start = html.find('id="approval-queue"')
    return "" if start < 0 else html[start : html.find("</section>", start)]


def test_a_stale_page_is_told_someone_changed_the_notice(cast, prepared, client):
    notice = prepared
    page = as_user(client, cast["case_manager"])
    before = state(notice)
    stale = page.post(f"/notices/{notice.pk}/submit/", {"version": notice.version - 1})
    assert stale.status_code == 409
    assert "Someone changed this notice since you opened it." in stale.content.decode()
    assert state(notice) == before


def test_a_return_sends_the_notice_back_to_draft(cast, prepared, client):
    notice = prepared
    as_user(client, cast["case_manager"]).post(
        f"/notices/{notice.pk}/submit/", {"version": notice.version}
    )
    notice.refresh_from_db()
    page = as_user(client, cast["team_lead"])
    response = page.post(
        f"/notices/{notice.pk}/return/", {"version": notice.version, "reason": "Photo too dark"}
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.DRAFT and notice.submitted_by is None
    # The author reads why.
    author_page = as_user(client, cast["case_manager"]).get(f"/notices/{notice.pk}/")
    assert "Photo too dark" in author_page.content.decode()


def test_publishing_without_approval_is_refused_with_the_reason(cast, prepared, client):
    notice = prepared
    page = as_user(client, cast["team_lead"])
    before = state(notice)
    refused = page.post(f"/notices/{notice.pk}/publish/", {"version": notice.version})
    assert refused.status_code == 400
    assert "needs a second person&#x27;s approval" in refused.content.decode()
    assert state(notice) == before


def test_submitting_an_incomplete_notice_lists_what_is_missing(cast, open_case, client):
    page = as_user(client, cast["case_manager"])
    page.post(f"/notices/new/?case={open_case.pk}", notice_form(description_fr=""))
    notice = SearchNotice.objects.get()
    refused = page.post(f"/notices/{notice.pk}/submit/", {"version": notice.version})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "Record the investigating authority&#x27;s agreement first" in html
    assert "missing: fr" in html
    assert "A public notice needs a photo." in html


# --- form errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"display_name": ""}, "This field is required."),
        ({"kind": "discrete", "channels": ["page"]}, "A discrete notice goes only on vignettes"),
        ({"channels": ["vignette"]}, "A vignette is for discrete notices only."),
        ({"age": "45"}, "Ensure this value is less than or equal to 30."),
        ({"last_seen_at": local(timezone.now() + timedelta(days=2))}, "is in the future"),
        ({"languages": []}, "Choose at least one language."),
    ],
)
def test_a_bad_field_is_shown_under_it_and_nothing_is_written(
    cast, open_case, client, overrides, message
):
    page = as_user(client, cast["case_manager"])
    response = page.post(f"/notices/new/?case={open_case.pk}", notice_form(**overrides))
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not SearchNotice.objects.exists()


def _municipality(region: str, code: str, name: str) -> Municipality:
    """The reference municipality (synced after migrate), or one made for the test."""
    found, _created = Municipality.objects.get_or_create(
        code=code, defaults={"names": {"nl": name}, "region": Region.objects.get(code=region)}
    )
    assert found.region.code == region
    return found


def test_municipalities_must_be_of_the_province(cast, open_case, client):
    town = _municipality("BE-VAN", "11002", "Antwerpen")
    other = _municipality("BE-VLI", "71011", "Diepenbeek")
    page = as_user(client, cast["case_manager"])
    refused = page.post(
        f"/notices/new/?case={open_case.pk}", notice_form(municipalities=[str(other.pk)])
    )
    assert refused.status_code == 400
    assert not SearchNotice.objects.exists()
    done = page.post(
        f"/notices/new/?case={open_case.pk}", notice_form(municipalities=[str(town.pk)])
    )
    assert done.status_code == 302
    assert list(SearchNotice.objects.get().municipalities.all()) == [town]
    # The province's municipalities for the form (HTMX).
    options = page.get("/notices/municipalities/?region=BE-VLI").content.decode()
    assert f'value="{other.pk}"' in options and f'value="{town.pk}"' not in options


def test_a_photo_that_is_not_an_image_is_refused_on_the_page(cast, prepared, client):
    notice = prepared
    page = as_user(client, cast["case_manager"])
    before = state(notice)
    refused = page.post(
        f"/notices/{notice.pk}/photos/",
        {"version": notice.version, "photo": SimpleUploadedFile("p.jpg", b"%PDF-1.4 nope")},
    )
    assert refused.status_code == 400
    assert "not an image" in refused.content.decode()
    assert state(notice) == before


def test_a_photo_can_be_removed(cast, prepared, client, private_storage):
    notice = prepared
    photo = notice.photos.get()
    page = as_user(client, cast["case_manager"])
    response = page.post(
        f"/notices/{notice.pk}/photos/{photo.pk}/remove/", {"version": notice.version}
    )
    assert response.status_code == 302
    assert not notice.photos.exists()


def test_a_changed_notice_needs_a_new_approval(cast, prepared, client):
    notice = prepared
    as_user(client, cast["case_manager"]).post(
        f"/notices/{notice.pk}/submit/", {"version": notice.version}
    )
    notice.refresh_from_db()
    as_user(client, cast["team_lead"]).post(
        f"/notices/{notice.pk}/approve/", {"version": notice.version}
    )
    notice.refresh_from_db()
    page = as_user(client, cast["case_manager"])
    form = page.get(f"/notices/{notice.pk}/edit/").content.decode()
    assert "it needs a new approval" in form
    response = page.post(
        f"/notices/{notice.pk}/edit/",
        notice_form(version=str(notice.version), display_name="Lotte T."),
    )
    assert response.status_code == 302
    notice.refresh_from_db()
    assert (notice.display_name, notice.status, notice.approved_by) == (
        "Lotte T.",
        NoticeStatus.DRAFT,
        None,
    )


# --- who may see what --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["analyst", "volunteer_coordinator", "nobody", "finance"])
def test_roles_without_notice_work_are_refused_and_audited(role, cast, prepared, client):
    notice = prepared
    page = as_user(client, cast[role])
    before = state(notice)
    denied_before = AuditRecord.objects.filter(action="denied").count()
    for url in (
        "/notices/",
        f"/notices/{notice.pk}/",
        f"/notices/{notice.pk}/photos/{notice.photos.get().pk}/",
        f"/notices/new/?case={notice.case_id}",
    ):
        assert page.get(url).status_code == 403, url
    for url, data in (
        (f"/notices/{notice.pk}/submit/", {"version": notice.version}),
        (f"/notices/{notice.pk}/approve/", {"version": notice.version}),
        (f"/notices/{notice.pk}/withdraw/", {"reason": "x", "confirm": "on"}),
        (f"/notices/new/?case={notice.case_id}", notice_form()),
    ):
        assert page.post(url, data).status_code == 403, url
    assert AuditRecord.objects.filter(action="denied").count() == denied_before + 8
    assert state(notice) == before
    assert SearchNotice.objects.count() == 1


def test_the_photo_is_served_only_to_those_who_may_open_the_case(cast, prepared, client):
    notice = prepared
    photo = notice.photos.get()
    url = f"/notices/{notice.pk}/photos/{photo.pk}/"
    response = as_user(client, cast["team_lead"]).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    assert AuditRecord.objects.filter(
        action="view", object_type="alerts.noticephoto", object_id=str(photo.pk)
    ).exists()
    # Holding the notice permission alone does not open a case: the notice stays hidden.
    reader = make_user("nina", None)
    reader.user_permissions.add(
        Permission.objects.get(codename="view_searchnotice", content_type__app_label="alerts")
    )
    client.force_login(reader)
    assert client.get(url).status_code == 404
    assert client.get(f"/notices/{notice.pk}/").status_code == 404
    assert f"/notices/{notice.pk}/" not in client.get("/notices/").content.decode()
    # Published or not, the photo has no public address: only this checked view.
    assert (
        "/media/"
        not in as_user(client, cast["case_manager"]).get(f"/notices/{notice.pk}/").content.decode()
    )


def test_reading_a_notice_is_audited(cast, prepared, client):
    as_user(client, cast["team_lead"]).get(f"/notices/{prepared.pk}/")
    assert AuditRecord.objects.filter(
        action="view",
        actor=cast["team_lead"],
        object_type="alerts.searchnotice",
        object_id=str(prepared.pk),
    ).exists()


# --- list, figures, preview ------------------------------------------------------------------


def test_the_list_filters_by_status_and_kind(cast, open_case, client):
    published = notice_make(open_case)
    draft = notice_make(open_case, status=NoticeStatus.DRAFT, kind=NoticeKind.DISCRETE)
    page = as_user(client, cast["case_manager"])
    html = page.get("/notices/?status=published").content.decode()
    assert published.public_id in html and draft.public_id not in html
    html = page.get("/notices/?kind=discrete").content.decode()
    assert draft.public_id in html and published.public_id not in html
    html = page.get(f"/notices/?case={open_case.pk}").content.decode()
    assert draft.public_id in html and published.public_id in html


def test_the_list_pages_with_a_cursor(cast, open_case, client):
    base = timezone.now() - timedelta(days=1)
    made = [notice_make(open_case, created_at=base + timedelta(minutes=i)) for i in range(27)]
    page = as_user(client, cast["case_manager"])
    first = page.get("/notices/")
    assert first.context["page"].next_cursor
    assert [n.pk for n in first.context["page"].items] == [n.pk for n in reversed(made)][:25]
    second = page.get(f"/notices/?cursor={first.context['page'].next_cursor}")
    assert [n.pk for n in second.context["page"].items] == [made[1].pk, made[0].pk]


def test_figures_are_entered_per_network(cast, open_case, client):
    notice = notice_make(open_case)
    page = as_user(client, cast["case_manager"])
    response = page.post(
        f"/notices/{notice.pk}/figures/",
        {
            "network": "facebook",
            "views": "1200",
            "shares": "85",
            "reach": "5000",
            "interactions": "40",
        },
    )
    assert response.status_code == 302
    stat = ChannelStat.objects.get(notice=notice)
    assert (stat.views, stat.shares, stat.recorded_by) == (1200, 85, cast["case_manager"])
    refused = page.post(
        f"/notices/{notice.pk}/figures/",
        {"network": "facebook", "views": "-1", "shares": "0", "reach": "0", "interactions": "0"},
    )
    assert refused.status_code == 400
    assert "greater than or equal to 0" in refused.content.decode()
    assert ChannelStat.objects.get(notice=notice).views == 1200
    assert "1200" in page.get(f"/notices/{notice.pk}/").content.decode()


def test_the_poster_preview_is_a_pdf_in_the_notices_language(cast, open_case, client):
    notice = notice_make(open_case, status=NoticeStatus.APPROVED, photo=synthetic_photo())
    page = as_user(client, cast["case_manager"])
    response = page.get(f"/notices/{notice.pk}/preview/nl.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert page.get(f"/notices/{notice.pk}/preview/de.pdf").status_code == 404


def test_figures_are_imported_from_a_csv_file_whole_or_not_at_all(cast, open_case, client):
    notice = notice_make(open_case)
    page = as_user(client, cast["case_manager"])
    bad = (
        "notice;network;views;shares;reach;interactions\n"
        f"{notice.public_id};facebook;1000;20;0;0\n"
        f"{notice.public_id};myspace;5;1;0;0\n"
    )
    refused = page.post(
        "/notices/figures/import/", {"file": SimpleUploadedFile("f.csv", bad.encode())}
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "Nothing was imported" in html and "Line 3" in html
    assert not ChannelStat.objects.exists()
    good = (
        f"notice,network,views,shares,reach,interactions\n{notice.public_id},instagram,700,15,,\n"
    )
    done = page.post(
        "/notices/figures/import/", {"file": SimpleUploadedFile("f.csv", good.encode())}
    )
    assert done.status_code == 302
    stat = ChannelStat.objects.get()
    assert (stat.network, stat.views, stat.source) == ("instagram", 700, "imported")
    denied = as_user(client, cast["analyst"]).post(
        "/notices/figures/import/", {"file": SimpleUploadedFile("f.csv", good.encode())}
    )
    assert denied.status_code == 403
