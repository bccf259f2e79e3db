"""`beacon scan DIR`: the folder scanning tools drop images into. One pass over a folder of every
kind of file, the moves to done/ and refused/, a file scanned again, batches, files not ready,
who may run it, and --watch."""

import fcntl
import hashlib
import io
import json
import os
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django_tasks_db.models import DBTaskResult

from beacon.matching.choices import ItemStatus, MatchResult, QueueReason, ScanSource
from beacon.matching.management.commands import scan as scan_command
from beacon.matching.models import ScanBatch, ScanItem
from beacon.matching.synthetic import encoded, synthetic_image, synthetic_jpeg
from beacon.matching.tests.helpers import bank_image, make_bank

pytestmark = pytest.mark.django_db

NL_URL = "https://img.hoster-nl.test/gallery/1.jpg"


@pytest.fixture
def folder(tmp_path):
    path = tmp_path / "drop"
    path.mkdir()
    return path


@pytest.fixture
def bank(db):
    bank = make_bank(auto_act_exact=True)
    bank_image(bank, 1)
    bank_image(bank, 3)
    return bank


def drop(folder, name: str, data: bytes, sidecar=None, age: float = 60):
    """A file the tool finished writing `age` seconds ago (and its sidecar: a dict, or text)."""
    path = folder / name
    path.write_bytes(data)
    paths = [path]
    if sidecar is not None:
        side = folder / f"{name}.json"
        side.write_text(sidecar if isinstance(sidecar, str) else json.dumps(sidecar))
        paths.append(side)
    then = time.time() - age
    for p in paths:
        os.utime(p, (then, then))
    return path


def run(folder, *args, user="anna") -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("scan", str(folder), "--user", user, *args, stdout=out, stderr=err)
    return out.getvalue()


def near_copy(seed: int) -> bytes:
    return encoded(synthetic_image(seed).resize((400, 300)), quality=50)


def listing(path) -> list[str]:
    return sorted(p.name for p in path.iterdir())


def test_one_pass_scans_each_kind_of_file_and_files_them_in_done_or_refused(cast, bank, folder):
    drop(folder, "exact 1.jpg", synthetic_jpeg(1),
         sidecar={"url": NL_URL, "found_at": "2025-03-01T10:00:00+01:00"})  # fmt: skip
    drop(folder, "près-copie 3.jpg", near_copy(3))
    drop(folder, "unrelated.png", encoded(synthetic_image(20), "PNG"))
    drop(folder, "notes.txt", b"not an image, just text\n")
    drop(folder, "broken.jpg", synthetic_jpeg(21), sidecar='{"url": "https://img.hoster-nl.test/')

    output = run(folder, "--label", "crawler 7")

    batch = ScanBatch.objects.get()
    assert output == (
        f"Batch {batch.pk}: files 5; new 3 (exact match 1, near match 1, no match 1); "
        "duplicates 0; refused 2.\n"
    )
    assert (batch.source, batch.label, batch.images) == (ScanSource.FOLDER, "crawler 7", 3)
    assert batch.submitted_by == cast["analyst"]
    items = {item.result: item for item in ScanItem.objects.filter(batch=batch)}
    assert set(items) == {MatchResult.EXACT, MatchResult.NEAR, MatchResult.NONE}
    exact = items[MatchResult.EXACT]
    # The sidecar's URL and time: an exact match at a URL in an automatic bank is acted on.
    assert exact.url == NL_URL and exact.status == ItemStatus.ACTING
    assert exact.found_at == datetime(2025, 3, 1, 9, tzinfo=ZoneInfo("UTC"))
    assert DBTaskResult.objects.filter(args_kwargs__args=[exact.pk]).count() == 1
    near = items[MatchResult.NEAR]
    assert near.url == "" and near.found_at is None
    assert (near.status, near.queue_reason) == (ItemStatus.QUEUED, QueueReason.NEAR)
    assert items[MatchResult.NONE].status == ItemStatus.NO_MATCH

    assert listing(folder) == [".beacon-scan.lock", "done", "refused"]
    assert listing(folder / "done") == [
        "exact 1.jpg",
        "exact 1.jpg.json",
        "près-copie 3.jpg",
        "unrelated.png",
    ]
    assert (folder / "done" / "exact 1.jpg").read_bytes() == synthetic_jpeg(1)
    refused = folder / "refused"
    assert listing(refused) == [
        "broken.jpg",
        "broken.jpg.json",
        "broken.jpg.reason.txt",
        "notes.txt",
        "notes.txt.reason.txt",
    ]
    assert (refused / "notes.txt.reason.txt").read_text() == (
        "not_an_image: The file is not an image in a supported format "
        "(JPEG, PNG, GIF, WebP, BMP).\n"
    )
    assert (refused / "broken.jpg.reason.txt").read_text() == (
        "bad_sidecar: The sidecar file is not valid JSON (line 1, column 9).\n"
    )
    # The image of the broken sidecar was not scanned (its URL is unknown).
    assert ScanItem.objects.count() == 3


def test_a_file_put_back_is_a_duplicate_filed_under_another_name_and_not_notified_twice(
    cast, bank, folder
):
    drop(folder, "exact 1.jpg", synthetic_jpeg(1), sidecar={"url": NL_URL})
    run(folder)
    item = ScanItem.objects.get()
    done = folder / "done"
    for name in ("exact 1.jpg", "exact 1.jpg.json"):
        (done / name).rename(folder / name)
        # A copy stays in done/: the name is taken.
        (done / name).write_bytes((folder / name).read_bytes())
        os.utime(folder / name, (time.time() - 60,) * 2)

    output = run(folder)

    batch = ScanBatch.objects.order_by("id").last()
    assert output == (
        f"Batch {batch.pk}: files 1; new 0 (exact match 0, near match 0, no match 0); "
        "duplicates 1; refused 0.\n"
    )
    assert batch.images == 0
    assert list(ScanItem.objects.all()) == [item]
    assert DBTaskResult.objects.count() == 1  # one notice task, for the first scan only
    assert listing(done) == ["exact 1 (1).jpg", "exact 1 (1).jpg.json", "exact 1.jpg",
                             "exact 1.jpg.json"]  # fmt: skip
    assert listing(folder) == [".beacon-scan.lock", "done", "refused"]


def test_a_batch_holds_at_most_matching_batch_max_files(cast, folder, settings):
    settings.MATCHING_BATCH_MAX = 2
    for n in range(5):
        drop(folder, f"image-{n}.jpg", synthetic_jpeg(40 + n), age=60 - n)
    lines = run(folder).splitlines()
    batches = list(ScanBatch.objects.order_by("id"))
    assert [b.images for b in batches] == [2, 2, 1]
    assert lines == [
        f"Batch {b.pk}: files {b.images}; new {b.images} (exact match 0, near match 0, "
        f"no match {b.images}); duplicates 0; refused 0."
        for b in batches
    ]
    # Oldest first: image-0 and image-1 in the first batch.
    first = {i.sha256 for i in ScanItem.objects.filter(batch=batches[0])}
    assert first == {hashlib.sha256(synthetic_jpeg(40 + n)).hexdigest() for n in (0, 1)}
    assert len(listing(folder / "done")) == 5


def test_files_not_ready_hidden_links_and_subfolders_are_left_alone(cast, folder, tmp_path):
    drop(folder, "a.jpg.part", synthetic_jpeg(50))
    drop(folder, "b.tmp", synthetic_jpeg(51))
    drop(folder, "fresh.jpg", synthetic_jpeg(52), age=0)
    drop(folder, ".hidden.jpg", synthetic_jpeg(53))
    drop(folder, "sidecar-fresh.jpg", synthetic_jpeg(54))
    drop(folder, "sidecar-fresh.jpg.json", b'{"url": ', age=0)  # its sidecar being written
    outside = tmp_path / "outside.jpg"
    outside.write_bytes(synthetic_jpeg(55))
    os.utime(outside, (time.time() - 60,) * 2)
    (folder / "link.jpg").symlink_to(outside)
    (folder / "sub").mkdir()
    drop(folder / "sub", "deeper.jpg", synthetic_jpeg(56))

    assert run(folder) == f"No images waiting in {folder.resolve()}.\n"
    assert not ScanBatch.objects.exists()
    assert listing(folder / "done") == [] and listing(folder / "refused") == []
    assert outside.exists() and (folder / "link.jpg").is_symlink()

    # Once written (renamed, or unchanged for a while), they are scanned.
    (folder / "a.jpg.part").rename(folder / "a.jpg")
    os.utime(folder / "fresh.jpg", (time.time() - 60,) * 2)
    output = run(folder)
    assert "; new 2 (" in output
    assert listing(folder / "done") == ["a.jpg", "fresh.jpg"]


def test_a_sidecar_that_says_nothing_usable_refuses_its_image(cast, folder, tmp_path):
    drop(folder, "list.jpg", synthetic_jpeg(60), sidecar="[1, 2]")
    drop(folder, "number-url.jpg", synthetic_jpeg(61), sidecar={"url": 7})
    drop(folder, "bad-time.jpg", synthetic_jpeg(62), sidecar={"found_at": "yesterday noon"})
    drop(folder, "naive-time.jpg", synthetic_jpeg(63), sidecar={"found_at": "2025-03-01T10:00"})
    drop(folder, "local-url.jpg", synthetic_jpeg(64), sidecar={"url": "http://127.0.0.1/x.jpg"})
    drop(folder, "linked.jpg", synthetic_jpeg(65))
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text(json.dumps({"url": NL_URL}))
    (folder / "linked.jpg.json").symlink_to(elsewhere)  # never read
    output = run(folder)
    assert output == (
        "Batch —: files 6; new 0 (exact match 0, near match 0, no match 0); duplicates 0; "
        "refused 6.\n"
    )
    reasons = {
        p.name.removesuffix(".jpg.reason.txt"): p.read_text().split(":")[0]
        for p in (folder / "refused").glob("*.reason.txt")
    }
    assert reasons == {
        "list": "bad_sidecar",
        "number-url": "bad_sidecar",
        "bad-time": "bad_time",
        "naive-time": "bad_time",
        "local-url": "bad_url",
        "linked": "bad_sidecar",
    }
    assert "not a regular file" in (folder / "refused" / "linked.jpg.reason.txt").read_text()
    assert (folder / "refused" / "linked.jpg.json").is_symlink() and elsewhere.exists()
    assert not ScanItem.objects.exists()


def test_only_a_user_who_may_scan_runs_it_and_nothing_moves_otherwise(cast, folder):
    drop(folder, "one.jpg", synthetic_jpeg(70))
    for who in ("case_manager", "statistics_reader", "nobody"):
        with pytest.raises(CommandError, match="may not submit images to be matched"):
            run(folder, user=cast[who].username)
    with pytest.raises(CommandError, match="No user 'ghost'"):
        run(folder, user="ghost")
    cast["analyst"].is_active = False
    cast["analyst"].save(update_fields=["is_active"])
    with pytest.raises(CommandError, match="may not submit"):
        run(folder)
    assert listing(folder) == ["one.jpg"]
    assert not ScanBatch.objects.exists()
    # An administrator may.
    run(folder, user=cast["administrator"].username)
    assert ScanItem.objects.count() == 1


def test_the_folder_must_be_a_folder_and_done_must_not_lead_out_of_it(cast, folder, tmp_path):
    with pytest.raises(CommandError, match="is not a folder"):
        run(tmp_path / "missing")
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(CommandError, match="is not a folder"):
        run(tmp_path / "a-file")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (folder / "done").symlink_to(elsewhere)
    drop(folder, "one.jpg", synthetic_jpeg(71))
    with pytest.raises(CommandError, match="must be a folder"):
        run(folder)
    assert listing(elsewhere) == [] and not ScanBatch.objects.exists()
    with pytest.raises(CommandError, match="more than 0"):
        run(folder, "--interval", "0")


def test_two_runs_on_one_folder_are_refused(cast, folder):
    fd = os.open(folder / ".beacon-scan.lock", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        with pytest.raises(CommandError, match="Another `beacon scan` is working"):
            run(folder)
    finally:
        os.close(fd)
    assert "No images waiting" in run(folder)


def test_watch_scans_again_after_each_pause_and_stops_cleanly_on_ctrl_c(cast, folder, monkeypatch):
    drop(folder, "first.jpg", synthetic_jpeg(80))
    pauses = []

    def pause(seconds):
        pauses.append(seconds)
        if len(pauses) == 1:
            drop(folder, "second.jpg", synthetic_jpeg(81))
            return
        raise KeyboardInterrupt

    monkeypatch.setattr(scan_command, "pause", pause)
    output = run(folder, "--watch", "--interval", "2.5")
    lines = output.splitlines()
    assert pauses == [2.5, 2.5]
    assert len(lines) == 3 and lines[-1] == "Stopped."
    assert all("; new 1 (" in line for line in lines[:2])
    assert listing(folder / "done") == ["first.jpg", "second.jpg"]
    assert ScanBatch.objects.count() == 2
