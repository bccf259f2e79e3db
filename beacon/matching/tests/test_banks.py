"""Hash banks' services: keeping banks (who may, optimistic concurrency), imports of every format
and every bad input, an import interrupted half-way and run again, removal, export round trips,
and the command. Hashes are random hex from a seeded generator: nothing real."""

import io
import random
import stat

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult

from beacon.core.models import AuditRecord
from beacon.matching import banks
from beacon.matching.models import BankHash, BankImport, HashBank

pytestmark = pytest.mark.django_db


def hexes(count: int, length: int = 64, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    return [f"{rng.getrandbits(length * 4):0{length}x}" for _ in range(count)]


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    """Uploads go to a throw-away data directory."""
    settings.DATA_DIR = tmp_path
    return tmp_path


def stored_files() -> list:
    folder = banks.imports_dir()
    return sorted(folder.iterdir()) if folder.exists() else []


@pytest.fixture
def alice(cast):
    return cast["administrator"]


@pytest.fixture
def bank(alice) -> HashBank:
    return banks.bank_create(actor=alice, name="Partner list", source="partner")


def upload(actor, bank, content, format="pdq", name="hashes.txt") -> BankImport:
    data = content.encode() if isinstance(content, str) else content
    return banks.import_upload(
        actor=actor,
        bank_id=bank.pk,
        format=format,
        file=SimpleUploadedFile(name, data, content_type="text/plain"),
    )


def imported(actor, bank, content, format="pdq", chunk_lines=3) -> BankImport:
    """Upload, then run the import as the worker would (small chunks: several transactions)."""
    return banks.import_run(
        import_id=upload(actor, bank, content, format).pk, chunk_lines=chunk_lines
    )


def live(bank) -> set[tuple]:
    return set(
        BankHash.objects.filter(bank=bank, removed_at__isnull=True).values_list(
            "kind", "value", "quality", "tags"
        )
    )


def counts(result: BankImport) -> tuple:
    return (result.status, result.added, result.duplicates, result.malformed)


def reasons(result: BankImport) -> list[tuple[int, str]]:
    return [(error["line"], error["reason"]) for error in result.errors]


# --- keeping banks ----------------------------------------------------------------------------


def test_an_administrator_creates_a_bank_audited(alice):
    bank = banks.bank_create(
        actor=alice,
        name="  Own confirmed items ",
        source="own",
        auto_act_exact=True,
        near_threshold=20,
        classification="national",
        description="Hashes of what our analysts confirmed.",
    )
    bank.refresh_from_db()
    assert (bank.name, bank.source, bank.auto_act_exact, bank.near_threshold) == (
        "Own confirmed items",
        "own",
        True,
        20,
    )
    assert (bank.classification, bank.active, bank.near_to_analysts, bank.version) == (
        "national",
        True,
        True,
        1,
    )
    record = AuditRecord.objects.get(object_type="matching.hashbank", object_id=str(bank.pk))
    assert record.action == "create" and record.actor == alice


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "PARTNER LIST"}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"source": "somewhere"}, "source"),
        ({"near_threshold": 65}, "near_threshold"),
        ({"near_threshold": -1}, "near_threshold"),
        ({"classification": "legal"}, "classification"),
        ({"description": "bell\x07"}, "description"),
    ],
)
def test_a_bank_with_a_bad_value_is_refused_on_its_field(alice, bank, values, field):
    before = HashBank.objects.count()
    with pytest.raises(ValidationError) as refused:
        banks.bank_create(actor=alice, **{"name": "Another", "source": "industry", **values})
    assert list(refused.value.message_dict) == [field]
    assert HashBank.objects.count() == before


def test_an_edit_moves_the_version_and_a_stale_one_is_refused(alice, bank):
    first_change = bank.changed_at
    updated = banks.bank_update(
        actor=alice, bank_id=bank.pk, expected_version=1, near_threshold=12, active=False
    )
    assert (updated.version, updated.near_threshold, updated.active) == (2, 12, False)
    assert updated.changed_at > first_change
    record = AuditRecord.objects.filter(action="update", object_type="matching.hashbank").get()
    assert record.fields == ["active", "near_threshold"]
    with pytest.raises(banks.BankChangedError):
        banks.bank_update(actor=alice, bank_id=bank.pk, expected_version=1, near_threshold=40)
    bank.refresh_from_db()
    assert (bank.version, bank.near_threshold) == (2, 12)
    # Nothing changed: no new version, no audit record.
    same = banks.bank_update(actor=alice, bank_id=bank.pk, expected_version=2, near_threshold=12)
    assert same.version == 2
    assert AuditRecord.objects.filter(action="update").count() == 1


def test_the_name_stays_unique_on_edit(alice, bank):
    other = banks.bank_create(actor=alice, name="Industry", source="industry")
    with pytest.raises(ValidationError) as refused:
        banks.bank_update(actor=alice, bank_id=other.pk, expected_version=1, name="partner LIST")
    assert "name" in refused.value.message_dict


def test_analysts_see_banks_but_change_nothing_and_others_see_nothing(cast, bank):
    anna, nora = cast["analyst"], cast["nobody"]
    assert [b.name for b in banks.banks_list(user=anna)] == ["Partner list"]
    assert banks.bank_get(user=anna, pk=bank.pk) == bank
    writes = [
        lambda user: banks.bank_create(actor=user, name="Mine", source="own"),
        lambda user: banks.bank_update(actor=user, bank_id=bank.pk, expected_version=1, name="X"),
        lambda user: upload(user, bank, hexes(1)[0]),
        lambda user: banks.hashes_remove(
            actor=user, bank_id=bank.pk, values=hexes(1)[0], reason="r"
        ),
        lambda user: banks.bank_export(actor=user, bank_id=bank.pk, format="pdq"),
    ]
    for user in (anna, nora, cast["case_manager"]):
        for write in writes:
            with pytest.raises(PermissionDenied):
                write(user)
    for read in (
        lambda: banks.banks_list(user=nora),
        lambda: banks.bank_get(user=nora, pk=bank.pk),
        lambda: banks.bank_imports(user=nora, bank=bank),
    ):
        with pytest.raises(PermissionDenied):
            read()
    assert (HashBank.objects.count(), BankImport.objects.count(), stored_files()) == (1, 0, [])
    bank.refresh_from_db()
    assert (bank.version, bank.name) == (1, "Partner list")


# --- imports: formats -------------------------------------------------------------------------


def test_an_upload_is_stored_privately_and_queued(alice, bank, data_dir):
    values = hexes(3)
    result = upload(alice, bank, "\n".join(values) + "\n", name="../../etc/partner.txt")
    [path] = stored_files()
    assert path.parent == data_dir / "private" / "imports"
    assert len(path.name) == 32 and path.name == result.stored_path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert (result.filename, result.lines_total, result.size, result.status) == (
        "partner.txt",
        3,
        len("\n".join(values)) + 1,
        "waiting",
    )
    task = DBTaskResult.objects.get()
    assert task.task_path == "beacon.matching.tasks.run_import"
    assert task.args_kwargs["args"] == [result.pk]
    # The worker's task runs the import and deletes the stored file.
    from beacon.matching.tasks import run_import

    run_import.call(result.pk)
    result.refresh_from_db()
    assert counts(result) == ("done", 3, 0, 0)
    assert (result.lines_done, result.stored_path, stored_files()) == (3, "", [])
    assert result.started_at <= result.finished_at
    finished = AuditRecord.objects.get(object_type="matching.bankimport", action="update")
    assert finished.actor == alice and "added" in finished.fields


def test_pdq_lines_with_and_without_quality(alice, bank):
    a, b, c, d, e = hexes(5)
    text = (
        f"# partner export 2025-05\n{a}\n\n{b.upper()},87\n{c} 90\n  {d}\t100  \r\n{e},0\n"
        "   # indented comment\n"
    )
    result = imported(alice, bank, text)
    assert counts(result) == ("done", 5, 0, 0)
    assert (result.lines_total, result.lines_done) == (8, 8)
    assert live(bank) == {
        ("pdq", a, None, ""),
        ("pdq", b, 87, ""),
        ("pdq", c, 90, ""),
        ("pdq", d, 100, ""),
        ("pdq", e, 0, ""),
    }


@pytest.mark.parametrize(("format", "length"), [("md5", 32), ("sha1", 40), ("sha256", 64)])
def test_cryptographic_hashes_one_per_line(alice, bank, format, length):
    values = hexes(4, length, seed=length)
    text = f"{values[0]}\n{values[1].upper()}\r\n{values[2]}  photo 3.jpg\n{values[3]} *p4.jpg"
    result = imported(alice, bank, text, format=format)
    assert counts(result) == ("done", 4, 0, 0)
    assert live(bank) == {(format, value, None, "") for value in values}


def test_a_csv_in_threatexchange_columns(alice, bank):
    a, b, c = hexes(3)
    text = (
        "\ufeffindicator_id,signal_value,Quality,tags,first_seen\n"
        f"1,{a},95,csam;baseline,2024-01-01\n"
        f'2,{b.upper()},,"partner  nl;partner",2024-01-02\n'
        f"3,{c},100,,2024-01-03\n"
    )
    result = imported(alice, bank, text, format="csv")
    assert counts(result) == ("done", 3, 0, 0)
    assert live(bank) == {
        ("pdq", a, 95, "csam baseline"),
        ("pdq", b, None, "partner nl"),
        ("pdq", c, 100, ""),
    }


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_a_csv_with_another_delimiter_is_detected_and_accepted(alice, bank, delimiter):
    a, b = hexes(2)
    rows = [["hash", "quality", "tags"], [a, "80", "x y"], [b, "70", "z"]]
    text = "\n".join(delimiter.join(row) for row in rows)
    result = imported(alice, bank, text, format="csv")
    assert counts(result) == ("done", 2, 0, 0)
    assert live(bank) == {("pdq", a, 80, "x y"), ("pdq", b, 70, "z")}


def test_a_csv_with_only_a_pdq_column(alice, bank):
    a = hexes(1)[0]
    result = imported(alice, bank, f"pdq\n{a}\n", format="csv")
    assert counts(result) == ("done", 1, 0, 0)
    assert live(bank) == {("pdq", a, None, "")}


# --- imports: bad input -----------------------------------------------------------------------


def test_malformed_hex_and_wrong_lengths_are_named_by_line(alice, bank):
    good = hexes(2)
    text = "\n".join(
        [
            good[0],
            "zz" + good[1][2:],  # 2: not hex
            good[1][:63],  # 3: one short
            good[1] + "0",  # 4: one long
            "0x" + good[1][2:],  # 5
            good[1],
        ]
    )
    result = imported(alice, bank, text)
    assert counts(result) == ("done", 2, 0, 4)
    found = reasons(result)
    assert [line for line, _reason in found] == [2, 3, 4, 5]
    assert "malformed hex" in found[0][1]
    assert found[1][1] == "wrong length for PDQ: 63 hex characters, 64 expected"
    assert found[2][1] == "wrong length for PDQ: 65 hex characters, 64 expected"
    assert banks.import_error_lines(result)[0].startswith("Line 2: malformed hex")


def test_a_hash_of_another_format_is_the_wrong_length(alice, bank):
    md5 = hexes(1, 32)[0]
    result = imported(alice, bank, md5, format="sha1")
    assert counts(result) == ("done", 0, 0, 1)
    assert reasons(result) == [(1, "wrong length for SHA-1: 32 hex characters, 40 expected")]


@pytest.mark.parametrize(
    ("quality", "reason"),
    [
        ("101", "quality 101 is outside 0-100"),
        ("-1", "quality -1 is outside 0-100"),
        ("high", "quality “high” is not a number (0-100)"),
        ("9.5", "quality “9.5” is not a number (0-100)"),
    ],
)
def test_a_quality_outside_0_to_100_or_not_a_number(alice, bank, quality, reason):
    a, b = hexes(2)
    result = imported(alice, bank, f"{a},50\n{b},{quality}\n")
    assert counts(result) == ("done", 1, 0, 1)
    assert reasons(result) == [(2, reason)]
    csv_result = imported(alice, bank, f"hash,quality\n{b},{quality}\n", format="csv")
    assert reasons(csv_result) == [(2, reason)]


def test_too_many_values_on_a_line(alice, bank):
    a, b = hexes(2)
    result = imported(alice, bank, f"{a},50,extra\n", format="pdq")
    assert reasons(result) == [(1, "too many values: a PDQ hash and its quality at most")]
    md5 = hexes(1, 32)[0]
    result = imported(alice, bank, f"{md5} 55\n", format="md5")
    assert reasons(result) == [(1, "too many values: one hash per line")]


def test_a_csv_without_a_hash_column_fails_naming_the_columns_found(alice, bank, data_dir):
    text = "sha,score,labels\n" + "\n".join(f"{v},90,x" for v in hexes(3))
    result = imported(alice, bank, text, format="csv")
    assert result.status == "failed"
    assert result.failure.startswith("No hash column: the header has “sha”, “score”, “labels”")
    assert (result.added, result.finished_at is not None, stored_files()) == (0, True, [])
    assert BankHash.objects.count() == 0


def test_a_csv_without_a_header_fails_clearly(alice, bank):
    text = "\n".join(f"{v},90" for v in hexes(2))
    result = imported(alice, bank, text, format="csv")
    assert result.status == "failed"
    assert result.failure.startswith("The first line is a hash, not a header")


def test_a_csv_row_missing_a_column(alice, bank):
    a, b = hexes(2)
    result = imported(alice, bank, f"tags;hash;quality\nx;{a};90\ny;{b}\nz\n", format="csv")
    assert counts(result) == ("done", 1, 0, 2)
    assert reasons(result) == [(3, "missing column quality"), (4, "missing column hash")]


def test_an_empty_file_ends_done_with_nothing(alice, bank):
    for content, format in (("", "pdq"), ("", "csv"), ("\n\n# nothing yet\n", "md5")):
        result = imported(alice, bank, content, format=format)
        assert counts(result) == ("done", 0, 0, 0)
        assert result.progress_pct == 100
    assert stored_files() == []


def test_a_file_of_only_malformed_lines_ends_done_with_its_errors(alice, bank):
    result = imported(alice, bank, "hello\nworld\n1234\n")
    assert counts(result) == ("done", 0, 0, 3)
    assert [line for line, _reason in reasons(result)] == [1, 2, 3]


def test_only_the_first_errors_are_kept_but_all_are_counted(alice, bank, monkeypatch):
    monkeypatch.setattr(banks, "IMPORT_ERRORS_KEPT", 5)
    result = imported(alice, bank, "bad\n" * 8, chunk_lines=3)
    assert result.malformed == 8
    assert [line for line, _reason in reasons(result)] == [1, 2, 3, 4, 5]


def test_the_same_hash_twice_in_a_file_is_one_duplicate(alice, bank):
    a, b = hexes(2)
    # Twice in one chunk, and again in a later chunk.
    result = imported(alice, bank, f"{a}\n{a.upper()},70\n{b}\n{a}\n", chunk_lines=2)
    assert counts(result) == ("done", 2, 2, 0)
    assert live(bank) == {("pdq", a, None, ""), ("pdq", b, None, "")}


def test_hashes_already_in_the_bank_are_duplicates(alice, bank):
    values = hexes(4)
    imported(alice, bank, "\n".join(values[:2]))
    result = imported(alice, bank, "\n".join(values))
    assert counts(result) == ("done", 2, 2, 0)
    assert BankHash.objects.filter(bank=bank).count() == 4
    # Another bank holds its own copy.
    other = banks.bank_create(actor=alice, name="Other", source="industry")
    assert counts(imported(alice, other, "\n".join(values))) == ("done", 4, 0, 0)


def test_a_removed_hash_that_comes_again_is_restored(alice, bank):
    a, b = hexes(2)
    imported(alice, bank, f"{a},60\n{b}\n")
    banks.hashes_remove(actor=alice, bank_id=bank.pk, values=a, reason="retracted")
    bank.refresh_from_db()
    version = bank.version
    result = imported(alice, bank, f"{a},80\n{b}\n")
    assert counts(result) == ("done", 1, 1, 0)
    row = BankHash.objects.get(value=a)
    assert (row.removed_at, row.removal_reason, row.quality, row.imported_by_id) == (
        None,
        "",
        80,
        result.pk,
    )
    bank.refresh_from_db()
    assert bank.version > version
    assert BankHash.objects.count() == 2


def test_a_binary_file_is_refused_at_upload(alice, bank):
    junk = random.Random(7).randbytes(4096)
    for content in (junk, b"\x89PNG\r\n\x1a\n\x00\x00", "caf\u00e9 latin-1\n".encode("latin-1")):
        with pytest.raises(ValidationError) as refused:
            upload(alice, bank, content)
        assert refused.value.message_dict == {"file": [banks._not_text_message()]}
        assert "not a text file" in refused.value.message_dict["file"][0]
    assert (BankImport.objects.count(), DBTaskResult.objects.count(), stored_files()) == (0, 0, [])


def test_an_oversize_upload_is_refused(alice, bank, monkeypatch):
    monkeypatch.setattr(banks, "IMPORT_MAX_BYTES", 100)
    with pytest.raises(ValidationError) as refused:
        upload(alice, bank, "0" * 101)
    assert "too large" in refused.value.message_dict["file"][0]

    class Unsized(io.BytesIO):
        """A file whose size is known only by reading it (the command's open file)."""

    with pytest.raises(ValidationError):
        banks.import_upload(
            actor=alice, bank_id=bank.pk, format="pdq", file=Unsized(b"a" * 150), filename="x"
        )
    assert (BankImport.objects.count(), stored_files()) == (0, [])
    assert banks.IMPORT_MAX_BYTES == 100  # the module's constant is the limit


def test_an_unknown_format_is_refused(alice, bank):
    with pytest.raises(ValidationError) as refused:
        upload(alice, bank, hexes(1)[0], format="xml")
    assert list(refused.value.message_dict) == ["format"]


# --- an interrupted import --------------------------------------------------------------------


def messy_file() -> str:
    values = hexes(10)
    lines = [f"{v},{i * 10}" for i, v in enumerate(values)]
    lines[3] = "not a hash"
    lines.insert(6, values[0])  # a repeat
    lines.insert(8, "")
    lines.append(values[4].upper())  # another repeat, in the last chunk
    return "\n".join(lines) + "\n"


def test_an_import_interrupted_half_way_goes_on_and_repeats_nothing(alice, bank, monkeypatch):
    clean_bank = banks.bank_create(actor=alice, name="Clean", source="partner")
    clean = imported(alice, clean_bank, messy_file(), chunk_lines=3)

    real_chunk = banks._import_chunk
    calls = {"n": 0}

    def crash_after_the_first_chunk(**kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("the worker was stopped")
        return real_chunk(**kwargs)

    monkeypatch.setattr(banks, "_import_chunk", crash_after_the_first_chunk)
    pending = upload(alice, bank, messy_file())
    with pytest.raises(RuntimeError):
        banks.import_run(import_id=pending.pk, chunk_lines=3)
    pending.refresh_from_db()
    assert (pending.status, pending.lines_done, pending.added) == ("running", 3, 3)
    assert len(stored_files()) == 1  # kept for the next run

    monkeypatch.setattr(banks, "_import_chunk", real_chunk)
    result = banks.import_run(import_id=pending.pk, chunk_lines=3)
    assert counts(result) == counts(clean) == ("done", 9, 2, 1)
    assert result.errors == clean.errors
    assert result.lines_done == result.lines_total == clean.lines_total
    assert {row[1:] for row in live(bank)} == {row[1:] for row in live(clean_bank)}
    assert BankHash.objects.filter(bank=bank).count() == 9
    # A third run of an ended import does nothing.
    again = banks.import_run(import_id=pending.pk, chunk_lines=3)
    assert counts(again) == counts(result)
    assert AuditRecord.objects.filter(object_id=str(pending.pk), action="update").count() == 1


def test_two_runs_at_once_write_each_chunk_once(alice, bank):
    """A run started while another is under way (a queued-again import) finishes it; the first
    run notices at its next chunk that the import moved on, and stops."""
    clean_bank = banks.bank_create(actor=alice, name="Clean", source="partner")
    clean = imported(alice, clean_bank, messy_file(), chunk_lines=3)
    pending = upload(alice, bank, messy_file())
    seen = []

    def second_run(progress):
        seen.append(progress.lines_done)
        if len(seen) == 1:
            banks.import_run(import_id=pending.pk, chunk_lines=3)

    first = banks.import_run(import_id=pending.pk, chunk_lines=3, progress=second_run)
    assert seen == [3]
    assert counts(first) == counts(clean)
    assert {row[1:] for row in live(bank)} == {row[1:] for row in live(clean_bank)}


def test_an_import_whose_file_is_gone_fails(alice, bank):
    pending = upload(alice, bank, hexes(1)[0])
    stored_files()[0].unlink()
    result = banks.import_run(import_id=pending.pk)
    assert result.status == "failed" and "upload it again" in result.failure


def test_an_ended_import_is_not_queued_again(alice, bank):
    done = imported(alice, bank, hexes(1)[0])
    with pytest.raises(ValidationError):
        banks.import_resume(actor=alice, import_id=done.pk)
    waiting = upload(alice, bank, hexes(1, seed=2)[0])
    banks.import_resume(actor=alice, import_id=waiting.pk)
    assert DBTaskResult.objects.filter(args_kwargs__args=[waiting.pk]).count() == 2


# --- removal ----------------------------------------------------------------------------------


@pytest.fixture
def filled(alice, bank):
    values = hexes(5)
    imported(alice, bank, "\n".join(values))
    bank.refresh_from_db()
    return values


def test_hashes_are_removed_softly_with_the_reason_audited(alice, bank, filled):
    a, b, c = filled[:3]
    version = bank.version
    removal = banks.hashes_remove(
        actor=alice,
        bank_id=bank.pk,
        values=f"{a}\n{b.upper()}, {c};{a}",
        reason="Retracted by the partner (ref. 2025-17)",
    )
    assert removal == banks.Removal(removed=3, already_removed=0)
    rows = BankHash.objects.filter(value__in=[a, b, c])
    assert all(r.removed_at is not None for r in rows)
    assert {r.removal_reason for r in rows} == {"Retracted by the partner (ref. 2025-17)"}
    assert BankHash.objects.filter(bank=bank).live().count() == 2
    assert sum(banks.bank_counts(bank).values()) == 2
    bank.refresh_from_db()
    assert bank.version == version + 1
    records = AuditRecord.objects.filter(object_type="matching.bankhash")
    assert sorted(int(r.object_id) for r in records) == sorted(r.pk for r in rows)
    assert all(r.fields == ["removal_reason", "removed_at"] and r.actor == alice for r in records)


def test_removing_a_removed_hash_again_changes_nothing(alice, bank, filled):
    banks.hashes_remove(actor=alice, bank_id=bank.pk, values=[filled[0]], reason="first")
    bank.refresh_from_db()
    version, audits = bank.version, AuditRecord.objects.count()
    again = banks.hashes_remove(actor=alice, bank_id=bank.pk, values=[filled[0]], reason="again")
    assert again == banks.Removal(removed=0, already_removed=1)
    bank.refresh_from_db()
    assert (bank.version, AuditRecord.objects.count()) == (version, audits)
    assert BankHash.objects.get(value=filled[0]).removal_reason == "first"


def test_an_unknown_or_malformed_value_is_named_and_nothing_is_removed(alice, bank, filled):
    unknown = hexes(1, seed=99)[0]
    with pytest.raises(ValidationError) as refused:
        banks.hashes_remove(
            actor=alice,
            bank_id=bank.pk,
            values=[filled[0], unknown, "xyz", "abcd"],
            reason="retracted",
        )
    messages = refused.value.message_dict["values"]
    assert messages == [
        "“xyz”: malformed hex, not a hexadecimal hash",
        "“abcd”: wrong length (4 hex characters) for PDQ, MD5, SHA-1, SHA-256",
        f"“{unknown}” is not in this bank",
    ]
    assert BankHash.objects.filter(removed_at__isnull=False).count() == 0


def test_a_removal_needs_a_reason_and_values(alice, bank, filled):
    with pytest.raises(ValidationError) as refused:
        banks.hashes_remove(actor=alice, bank_id=bank.pk, values=" , ", reason="  ")
    assert set(refused.value.message_dict) == {"values", "reason"}


def test_the_kind_tells_a_pdq_from_a_sha256_of_the_same_hex(alice, bank):
    value = hexes(1)[0]
    imported(alice, bank, value, format="pdq")
    imported(alice, bank, value, format="sha256")
    banks.hashes_remove(actor=alice, bank_id=bank.pk, values=value, reason="r", kind="sha256")
    assert set(BankHash.objects.live().values_list("kind", flat=True)) == {"pdq"}
    banks.hashes_remove(actor=alice, bank_id=bank.pk, values=value, reason="r")
    assert BankHash.objects.live().count() == 0


# --- export -----------------------------------------------------------------------------------


def exported(actor, bank, format) -> str:
    export = banks.bank_export(actor=actor, bank_id=bank.pk, format=format)
    assert not isinstance(export.lines, list | str)  # produced while sent
    return "".join(export.lines)


def test_an_export_has_live_hashes_only_and_is_audited(alice, bank):
    a, b, c = hexes(3)
    imported(alice, bank, f"hash,quality,tags\n{a},90,x\n{b},,y z\n{c},10,\n", format="csv")
    banks.hashes_remove(actor=alice, bank_id=bank.pk, values=c, reason="retracted")
    assert exported(alice, bank, "pdq") == f"{a},90\n{b}\n"
    assert exported(alice, bank, "csv") == f"hash,quality,tags\n{a},90,x\n{b},,y z\n"
    assert exported(alice, bank, "md5") == ""
    records = AuditRecord.objects.filter(action="export", object_type="matching.hashbank")
    assert [r.fields for r in records.order_by("id")] == [
        ["format:pdq"],
        ["format:csv"],
        ["format:md5"],
    ]


def test_an_export_reads_in_chunks(alice, bank, monkeypatch):
    monkeypatch.setattr(banks, "EXPORT_CHUNK_ROWS", 4)
    values = hexes(10)
    imported(alice, bank, "\n".join(values), chunk_lines=100)
    blocks = list(banks.bank_export(actor=alice, bank_id=bank.pk, format="pdq").lines)
    assert [block.count("\n") for block in blocks] == [4, 4, 2]


@pytest.mark.parametrize("format", ["pdq", "csv", "md5", "sha1", "sha256"])
def test_an_export_imports_again_into_another_bank_as_the_same_live_set(alice, bank, format):
    length = {"md5": 32, "sha1": 40}.get(format, 64)
    values = hexes(12, length, seed=length)
    if format == "csv":
        rows = [f"{v},{i * 7 % 101},tag{i % 3} shared" for i, v in enumerate(values)]
        imported(alice, bank, "hash,quality,tags\n" + "\n".join(rows), format=format)
    elif format == "pdq":
        rows = [f"{v},{i * 9 % 101}" if i % 2 else v for i, v in enumerate(values)]
        imported(alice, bank, "\n".join(rows), format=format)
    else:
        imported(alice, bank, "\n".join(values), format=format)
    banks.hashes_remove(actor=alice, bank_id=bank.pk, values=values[:2], reason="retracted")
    text = exported(alice, bank, format)
    copy = banks.bank_create(actor=alice, name="Copy", source="partner")
    result = imported(alice, copy, text, format=format, chunk_lines=5)
    assert counts(result) == ("done", 10, 0, 0)
    assert live(copy) == live(bank) and len(live(bank)) == 10


def test_a_tag_a_spreadsheet_would_run_is_quoted_in_the_csv(alice, bank):
    a = hexes(1)[0]
    imported(alice, bank, f"hash;tags\n{a};=HYPERLINK(1)\n", format="csv")
    assert exported(alice, bank, "csv").splitlines()[1] == f"{a},,'=HYPERLINK(1)"


# --- the command ------------------------------------------------------------------------------


def test_the_command_imports_in_the_foreground_printing_progress(alice, bank, tmp_path):
    path = tmp_path / "partner.txt"
    values = hexes(7)
    path.write_text("\n".join(values) + "\nnot a hash\n")
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "bank_import",
        "Partner list",
        str(path),
        "--format",
        "pdq",
        "--chunk-lines",
        "3",
        stdout=out,
        stderr=err,
    )
    printed = out.getvalue().splitlines()
    assert printed[0].endswith(": 8 lines into Partner list.")
    assert printed[1:4] == [
        "3/8 lines (37%): 3 added, 0 duplicates, 0 malformed",
        "6/8 lines (75%): 6 added, 0 duplicates, 0 malformed",
        "8/8 lines (100%): 7 added, 0 duplicates, 1 malformed",
    ]
    assert printed[-1] == "Done: 7 added, 0 duplicates, 1 malformed lines."
    assert err.getvalue().strip() == (
        "Line 8: malformed hex: “not a hash” is not a hexadecimal hash"
    )
    assert DBTaskResult.objects.count() == 0  # not queued: it ran here
    result = BankImport.objects.get()
    assert (result.filename, result.created_by, stored_files()) == ("partner.txt", None, [])
    assert AuditRecord.objects.filter(object_type="matching.bankimport").first().channel == "cli"


def test_the_command_refuses_clearly(alice, bank, tmp_path):
    path = tmp_path / "junk.bin"
    path.write_bytes(b"\x00\x01\x02")
    with pytest.raises(CommandError, match="No bank named"):
        call_command("bank_import", "Nope", str(path), "--format", "pdq")
    with pytest.raises(CommandError, match="not a text file"):
        call_command("bank_import", "Partner list", str(path), "--format", "pdq")
    with pytest.raises(CommandError, match="No file"):
        call_command("bank_import", "Partner list", str(tmp_path / "x"), "--format", "md5")
    csv_path = tmp_path / "bad.csv"
    csv_path.write_text("sha;score\n")
    with pytest.raises(CommandError, match="No hash column"):
        call_command("bank_import", "Partner list", str(csv_path), "--format", "csv")


def test_the_command_resumes_an_interrupted_import(alice, bank):
    pending = upload(alice, bank, "\n".join(hexes(4)))
    out = io.StringIO()
    call_command("bank_import", "--resume", str(pending.pk), stdout=out)
    assert out.getvalue().splitlines()[-1] == "Done: 4 added, 0 duplicates, 0 malformed lines."
