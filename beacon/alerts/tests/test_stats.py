"""Figures per network: entered by hand (stat_record) or imported from a social tool's CSV, which
is taken whole or not at all, every bad row reported by its line number."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from beacon.alerts.choices import NoticeStatus, StatSource
from beacon.alerts.models import ChannelStat
from beacon.alerts.services import stat_record
from beacon.alerts.stats_import import stats_import
from beacon.alerts.tests.factories import notice_make
from beacon.core.models import AuditRecord

pytestmark = pytest.mark.django_db


def csv_file(text: str, name: str = "export.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def figures() -> dict:
    return {
        (s.notice.public_id, s.network): (s.views, s.shares, s.reach, s.interactions, s.source)
        for s in ChannelStat.objects.select_related("notice")
    }


def test_entered_by_hand_and_replaced(cast, open_case):
    notice = notice_make(open_case)
    stat_record(actor=cast["case_manager"], notice=notice, network="facebook", views=10, shares=2)
    stat_record(actor=cast["case_manager"], notice=notice, network="facebook", views=15, shares=3)
    assert figures() == {(notice.public_id, "facebook"): (15, 3, 0, 0, StatSource.ENTERED)}
    with pytest.raises(ValidationError) as refused:
        stat_record(actor=cast["case_manager"], notice=notice, network="myspace", views=-1)
    assert set(refused.value.message_dict) == {"network", "views"}


def test_a_good_file_is_imported(cast, open_case):
    live = notice_make(open_case)
    withdrawn = notice_make(open_case, status=NoticeStatus.WITHDRAWN)
    stat_record(actor=cast["case_manager"], notice=live, network="facebook", views=1)
    text = (
        "\ufeffNetwork;Notice;Views;Shares;Reach;Interactions;Post id\n"
        f"Facebook;{live.public_id};120433;2210;98000;5400;p-1\n"
        f"instagram;{live.public_id.lower()};5000;;;300;p-2\n"
        "\n"
        f"facebook;{withdrawn.public_id};7;1;6;2;p-3\n"
    )
    result = stats_import(actor=cast["case_manager"], file=csv_file(text))
    assert (result.ok, result.imported, result.errors) == (True, 3, [])
    assert figures() == {
        (live.public_id, "facebook"): (120433, 2210, 98000, 5400, StatSource.IMPORTED),
        (live.public_id, "instagram"): (5000, 0, 0, 300, StatSource.IMPORTED),
        (withdrawn.public_id, "facebook"): (7, 1, 6, 2, StatSource.IMPORTED),
    }
    assert AuditRecord.objects.filter(object_type="alerts.channelstat").count() == 4


def test_bad_rows_are_reported_by_line_and_nothing_is_imported(cast, open_case):
    live = notice_make(open_case)
    draft = notice_make(open_case, status=NoticeStatus.DRAFT)
    stat_record(actor=cast["case_manager"], notice=live, network="x", views=1)
    before = figures()
    text = (
        "notice,network,views,shares,reach,interactions\n"
        f"{live.public_id},facebook,100,1,50,3\n"  # line 2: good
        "NOSUCHID00,facebook,1,1,1,1\n"  # 3: unknown notice
        f"{draft.public_id},facebook,1,1,1,1\n"  # 4: never published
        f"{live.public_id},myspace,1,1,1,1\n"  # 5: unknown network
        f'{live.public_id},instagram,"1,5",-2,x,1\n'  # 6: bad numbers
        f"{live.public_id},FACEBOOK,3,3,3,3\n"  # 7: twice in the file
    )
    result = stats_import(actor=cast["case_manager"], file=csv_file(text))
    assert not result.ok and result.imported == 0
    assert [error.line for error in result.errors] == [3, 4, 5, 6, 7]
    messages = {error.line: error.message for error in result.errors}
    assert "no notice NOSUCHID00" in messages[3]
    assert "never published" in messages[4]
    assert "myspace" in messages[5]
    assert all(name in messages[6] for name in ("views", "shares", "reach"))
    assert "line 2" in messages[7]
    assert figures() == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "header"),
        ("notice,network,views\nABC,facebook,1\n", "shares, reach, interactions"),
    ],
)
def test_a_file_without_its_header_is_refused(cast, open_case, text, message):
    notice_make(open_case)
    result = stats_import(actor=cast["case_manager"], file=csv_file(text))
    assert [error.line for error in result.errors] == [1]
    assert message in result.errors[0].message
    assert not ChannelStat.objects.exists()


def test_a_file_that_is_not_text_is_refused(cast):
    result = stats_import(actor=cast["case_manager"], file=io.BytesIO(b"\xff\xfe\x00bad"))
    assert result.errors and result.errors[0].message == "The file is not UTF-8 text."


def test_only_those_who_enter_figures_may_import(cast, open_case):
    notice = notice_make(open_case)
    text = f"notice,network,views,shares,reach,interactions\n{notice.public_id},x,1,1,1,1\n"
    for role in ("analyst", "volunteer_coordinator", "nobody"):
        with pytest.raises(PermissionDenied):
            stats_import(actor=cast[role], file=csv_file(text))
    assert not ChannelStat.objects.exists()
