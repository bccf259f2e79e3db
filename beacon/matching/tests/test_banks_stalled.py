"""An import whose worker died is queued again by the periodic job, once per stall; a live one is
left alone; and an administrator can queue it again through the API."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from beacon.core.services import token_create
from beacon.matching import banks
from beacon.matching.models import BankImport
from beacon.matching.tests.test_banks import upload

pytestmark = pytest.mark.django_db


def queued_runs(import_id: int) -> int:
    return DBTaskResult.objects.filter(
        task_path="beacon.matching.tasks.run_import", args_kwargs__args=[import_id]
    ).count()


def test_a_stalled_import_is_queued_again_once_and_a_live_one_is_left_alone(cast, monkeypatch):
    alice = cast["administrator"]
    bank = banks.bank_create(actor=alice, name="Partner list", source="partner")
    stalled = upload(alice, bank, "ab" * 32 + "\n" + "cd" * 32 + "\n")
    live = upload(alice, bank, "ef" * 32 + "\n")
    assert queued_runs(stalled.pk) == 1  # the upload's own run
    now = timezone.now()
    BankImport.objects.filter(pk=stalled.pk).update(
        status="running", progressed_at=now - timedelta(minutes=30)
    )
    BankImport.objects.filter(pk=live.pk).update(
        status="running", progressed_at=now - timedelta(minutes=2)
    )

    assert banks.resume_stalled(now) == "1 stalled import(s) queued again"
    assert queued_runs(stalled.pk) == 2 and queued_runs(live.pk) == 1
    # The next tick: it was just queued, so not again.
    assert banks.resume_stalled(now + timedelta(minutes=1)) == ""
    assert queued_runs(stalled.pk) == 2
    # The queued run picks it up and finishes it.
    done = banks.import_run(import_id=stalled.pk)
    assert (done.status, done.added) == ("done", 2)
    assert banks.resume_stalled(now + timedelta(hours=1)) == "1 stalled import(s) queued again"
    assert queued_runs(live.pk) == 2  # the live one, an hour later, has stalled too


def test_an_administrator_queues_an_import_again_through_the_api(client, cast):
    alice = cast["administrator"]
    bank = banks.bank_create(actor=alice, name="Partner list", source="partner")
    pending = upload(alice, bank, "ab" * 32 + "\n")
    _token, secret = token_create(actor=None, user=alice, name="tests")
    url = f"/api/v1/matching/banks/{bank.pk}/imports/{pending.pk}/resume"
    answer = client.post(url, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert answer.status_code == 202 and answer.json()["id"] == pending.pk
    assert queued_runs(pending.pk) == 2
    _token, analyst = token_create(actor=None, user=cast["analyst"], name="tests")
    assert client.post(url, HTTP_AUTHORIZATION=f"Bearer {analyst}").status_code == 403
    banks.import_run(import_id=pending.pk)
    ended = client.post(url, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert ended.status_code == 422
