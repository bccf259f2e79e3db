"""Importing CAMT.053 statements: matching by each rule, the cases left in the queue, debits,
other currencies, de-duplication (the same file, overlapping files, entries without the bank's
reference), every bad file refused whole, the rollback of a crash, and the queue's services."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models.signals import pre_save
from django.utils import timezone

from beacon.core.errors import ConcurrentEditError
from beacon.core.models import AuditRecord
from beacon.funding import bank
from beacon.funding.models import (
    BankStatement,
    Donor,
    DonorAccount,
    Gift,
    LineStatus,
    Mandate,
    StatementLine,
)
from beacon.funding.tests.camt import (
    ENTITY_BOMB,
    Entry,
    iban,
    notification,
    ogm,
    statement,
    structured,
)

pytestmark = pytest.mark.django_db


def donor(last_name: str, *, n: int, erased: bool = False) -> Donor:
    return Donor.objects.create(
        kind="person",
        first_name="Synthetic",
        last_name=last_name,
        structured_reference=structured(n),
        erased_at=timezone.now() if erased else None,
    )


def imported(actor, entries: list[Entry], **kwargs) -> BankStatement:
    filename = kwargs.pop("filename", "statement.xml")
    return bank.statement_import(
        actor=actor, filename=filename, content=statement(entries, **kwargs)
    )


def line_of(stmt: BankStatement, amount: str) -> StatementLine:
    return stmt.lines.get(amount=Decimal(amount))


@pytest.mark.parametrize("version", ["02", "08"])
def test_each_rule_matches_and_makes_a_gift(cast, version):
    fiona = cast["finance"]
    by_reference = donor("Reference", n=1)
    by_mandate = donor("Mandate", n=2)
    by_account = donor("Account", n=3)
    mandate = Mandate.objects.create(
        donor=by_mandate, reference="MNDT-0002", amount=10, starts_on=date(2024, 1, 1)
    )
    DonorAccount.objects.create(donor=by_account, iban=iban(3))
    stmt = imported(
        fiona,
        [
            Entry("25.00", ref="A1", structured_ref=by_reference.structured_reference),
            Entry("10.00", ref="A2", mandate="MNDT-0002", debtor_iban=iban(77)),
            Entry("7.50", ref="A3", debtor_iban=iban(3), text="for the children"),
            Entry("5.00", ref="A4", text=f"gift {ogm(by_reference.structured_reference)}"),
        ],
        version=version,
    )
    assert (stmt.entries, stmt.new_entries, stmt.matched) == (4, 4, 4)
    assert stmt.account_iban == "BE71096123456769" and stmt.message_id == "MSG-0001"
    assert stmt.imported_by == fiona
    first = line_of(stmt, "25.00")
    assert (first.status, first.match_rule, first.donor) == ("matched", "reference", by_reference)
    gift = first.gift
    assert (gift.donor, gift.amount, gift.method, gift.received_on) == (
        by_reference,
        Decimal("25.00"),
        "transfer",
        date(2025, 3, 3),
    )
    assert (gift.nature, gift.campaign, gift.created_by) == ("money", "", fiona)
    debit = line_of(stmt, "10.00")
    assert (debit.match_rule, debit.donor, debit.gift.method) == (
        "mandate",
        by_mandate,
        "direct_debit",
    )
    assert debit.gift.mandate == mandate
    account = line_of(stmt, "7.50")
    assert (account.match_rule, account.donor, account.gift.method) == (
        "account",
        by_account,
        "transfer",
    )
    assert account.remittance == "for the children" and account.counterparty_iban == iban(3)
    in_text = line_of(stmt, "5.00")
    assert (in_text.match_rule, in_text.donor) == ("reference", by_reference)
    assert in_text.structured_reference == by_reference.structured_reference
    assert AuditRecord.objects.filter(
        actor=fiona, action="create", object_type="funding.bankstatement", object_id=str(stmt.pk)
    ).exists()
    assert AuditRecord.objects.filter(action="create", object_type="funding.gift").count() == 4


def test_the_reference_wins_over_the_account(cast):
    owner = donor("Owner", n=1)
    other = donor("Other", n=2)
    DonorAccount.objects.create(donor=owner, iban=iban(5))
    stmt = imported(
        cast["finance"],
        [Entry("20", ref="B1", debtor_iban=iban(5), structured_ref=other.structured_reference)],
    )
    line = stmt.lines.get()
    assert (line.donor, line.match_rule) == (other, "reference")


def test_an_account_shared_by_several_donors_is_queued(cast):
    for n, name in ((1, "Partner"), (2, "Spouse")):
        DonorAccount.objects.create(donor=donor(name, n=n), iban=iban(9))
    stmt = imported(cast["finance"], [Entry("30", ref="C1", debtor_iban=iban(9))])
    line = stmt.lines.get()
    assert (line.status, line.reason, line.donor) == (
        "unmatched",
        "account shared by several donors",
        None,
    )
    assert stmt.matched == 0 and not Gift.objects.exists()
    assert list(bank.unmatched_lines(user=cast["finance"])) == [line]


def test_an_erased_donor_never_matches(cast):
    gone = donor("Erased", n=1, erased=True)
    DonorAccount.objects.create(donor=gone, iban=iban(4))
    Mandate.objects.create(donor=gone, reference="MNDT-GONE", amount=5, starts_on=date(2024, 1, 1))
    stmt = imported(
        cast["finance"],
        [
            Entry("11", ref="D1", structured_ref=gone.structured_reference),
            Entry("12", ref="D2", mandate="MNDT-GONE"),
            Entry("13", ref="D3", debtor_iban=iban(4)),
        ],
    )
    assert stmt.matched == 0 and not Gift.objects.exists()
    assert set(stmt.lines.values_list("status", "reason")) == {("unmatched", "no match")}


def test_a_debit_is_kept_ignored_and_never_a_gift(cast):
    payee = donor("Payee", n=1)
    stmt = imported(
        cast["finance"],
        [Entry("99.99", ref="E1", credit=False, structured_ref=payee.structured_reference)],
    )
    line = stmt.lines.get()
    assert (line.status, line.reason, line.credit, line.donor) == ("ignored", "debit", False, None)
    assert not Gift.objects.exists() and stmt.matched == 0
    assert not bank.unmatched_lines(user=cast["finance"]).exists()


def test_a_credit_in_another_currency_is_queued_not_a_gift(cast):
    known = donor("Abroad", n=1)
    stmt = imported(
        cast["finance"],
        [Entry("40.00", ref="F1", currency="USD", structured_ref=known.structured_reference)],
    )
    line = stmt.lines.get()
    assert (line.status, line.reason, line.currency, line.amount) == (
        "unmatched",
        "currency",
        "USD",
        Decimal("40.00"),
    )
    assert not Gift.objects.exists()
    with pytest.raises(ValidationError) as caught:
        bank.line_resolve(
            actor=cast["finance"], line_id=line.pk, expected_version=line.version, donor_id=known.pk
        )
    assert "line" in caught.value.message_dict
    assert not Gift.objects.exists()


def test_the_same_file_twice_is_refused_naming_when_and_who(cast):
    content = statement([Entry("10", ref="G1")])
    bank.statement_import(actor=cast["finance"], filename="a.xml", content=content)
    with pytest.raises(ValidationError) as caught:
        bank.statement_import(actor=cast["administrator"], filename="b.xml", content=content)
    message = caught.value.message_dict["file"][0]
    assert "already imported" in message
    assert timezone.localdate().isoformat() in message and cast["finance"].username in message
    assert BankStatement.objects.count() == 1 and StatementLine.objects.count() == 1


def test_overlapping_statements_add_each_entry_once(cast):
    known = donor("Regular", n=1)
    ref = known.structured_reference
    first = imported(
        cast["finance"],
        [Entry("10", ref="H1", structured_ref=ref), Entry("20", ref="H2", structured_ref=ref)],
        message_id="MSG-A",
    )
    second = imported(
        cast["finance"],
        [
            Entry("20", ref="H2", structured_ref=ref),
            Entry("30", ref="H3", structured_ref=ref),
        ],
        message_id="MSG-B",
        version="08",
    )
    assert (first.entries, first.new_entries, first.matched) == (2, 2, 2)
    assert (second.entries, second.new_entries, second.matched) == (2, 1, 1)
    assert sorted(Gift.objects.values_list("amount", flat=True)) == [
        Decimal("10.00"),
        Decimal("20.00"),
        Decimal("30.00"),
    ]
    # The same bank reference on another account is another entry.
    third = imported(
        cast["finance"],
        [Entry("20", ref="H2", structured_ref=ref)],
        account=iban(424242),
        message_id="MSG-C",
    )
    assert (third.new_entries, third.matched) == (1, 1)


def test_entries_without_the_banks_reference_are_told_apart_by_content_and_position(cast):
    known = donor("Twice", n=1)
    ref = known.structured_reference
    twins = [Entry("15", structured_ref=ref), Entry("15", structured_ref=ref)]
    stmt = imported(cast["finance"], [*twins, Entry("15", structured_ref=ref, credit=False)])
    assert (stmt.entries, stmt.new_entries, stmt.matched) == (3, 3, 2)
    # A longer statement of the same day repeats them and adds a third identical credit.
    again = imported(
        cast["finance"],
        [*twins, Entry("15", structured_ref=ref), Entry("15", structured_ref=ref, credit=False)],
        message_id="MSG-LONGER",
    )
    assert (again.entries, again.new_entries, again.matched) == (4, 1, 1)
    assert Gift.objects.count() == 3


def refused(actor, content: bytes) -> str:
    before = (BankStatement.objects.count(), StatementLine.objects.count(), Gift.objects.count())
    with pytest.raises(ValidationError) as caught:
        bank.statement_import(actor=actor, filename="bad.xml", content=content)
    after = (BankStatement.objects.count(), StatementLine.objects.count(), Gift.objects.count())
    assert after == before
    messages = caught.value.message_dict["file"]
    assert len(messages) == 1, messages
    return messages[0]


def test_files_that_are_not_camt053_statements_are_refused_whole(cast):
    fiona = cast["finance"]
    donor("Someone", n=1)
    good = statement([Entry("10", ref="I1", structured_ref=structured(1))])
    assert "not XML" in refused(fiona, b"code;label;amount\n550;Bank;10\n")
    assert "not XML" in refused(fiona, b"%PDF-1.7 binary")
    assert "truncated" in refused(fiona, good[: len(good) // 2])
    assert "camt.054" in refused(fiona, notification([Entry("10", ref="I1")]))
    pain = (
        b'<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03">'
        b"<CstmrCdtTrfInitn/></Document>"
    )
    assert "pain.001" in refused(fiona, pain)
    assert "not a CAMT.053" in refused(fiona, b"<html><body><p>Login</p></body></html>")
    assert "DOCTYPE" in refused(fiona, ENTITY_BOMB)
    assert "empty" in refused(fiona, b"")
    header_only = good.split(b"<Stmt>")[0] + b"</BkToCstmrStmt></Document>"
    assert "no statement" in refused(fiona, header_only)


def test_a_file_over_the_size_limit_is_refused(cast, monkeypatch):
    monkeypatch.setattr(bank, "MAX_FILE_BYTES", 2000)
    content = statement([Entry(str(n), ref=f"S{n}") for n in range(1, 30)])
    assert len(content) > 2000
    assert "too large" in refused(cast["finance"], content)


def test_a_bad_entry_is_named_and_nothing_is_written(cast):
    content = statement([Entry("10", ref="J1"), Entry("abc", ref="J2")])
    with pytest.raises(ValidationError) as caught:
        bank.statement_import(actor=cast["finance"], filename="x.xml", content=content)
    assert caught.value.message_dict["file"][0].startswith("Entry 2:")
    future = statement([Entry("10", ref="J3", booked=date(2999, 1, 1))])
    with pytest.raises(ValidationError):
        bank.statement_import(actor=cast["finance"], filename="y.xml", content=future)
    assert not BankStatement.objects.exists() and not StatementLine.objects.exists()


def test_a_prefixed_camt053_document_is_read(cast):
    known = donor("Prefixed", n=1)
    content = statement([Entry("10", ref="K1", structured_ref=known.structured_reference)])
    ns = b"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"
    body = content.replace(b'xmlns="' + ns + b'"', b'xmlns:ns2="' + ns + b'"')
    body = body.replace(b"<", b"<ns2:").replace(b"<ns2:/", b"</ns2:").replace(b"<ns2:?", b"<?")
    stmt = bank.statement_import(actor=cast["finance"], filename="p.xml", content=body)
    assert stmt.matched == 1


def test_a_crash_midway_leaves_nothing(cast):
    known = donor("Crash", n=1)
    ref = known.structured_reference
    inserted: list[int] = []

    def fail_third(sender, instance, **kwargs):
        inserted.append(1)
        if len(inserted) == 3:
            raise RuntimeError("disk full (simulated)")

    pre_save.connect(fail_third, sender=Gift, dispatch_uid="bank-crash-test")
    try:
        with pytest.raises(RuntimeError):
            imported(
                cast["finance"],
                [Entry(str(n), ref=f"L{n}", structured_ref=ref) for n in (1, 2, 3, 4)],
            )
    finally:
        pre_save.disconnect(dispatch_uid="bank-crash-test", sender=Gift)
    assert len(inserted) == 3
    assert not BankStatement.objects.exists()
    assert not StatementLine.objects.exists()
    assert not Gift.objects.exists()
    assert not AuditRecord.objects.filter(object_type="funding.gift").exists()
    # Nothing half-done blocks a second attempt.
    stmt = imported(
        cast["finance"], [Entry(str(n), ref=f"L{n}", structured_ref=ref) for n in (1, 2, 3, 4)]
    )
    assert stmt.matched == 4


# --- the queue --------------------------------------------------------------------------------


def queued(actor, **entry) -> StatementLine:
    stmt = imported(actor, [Entry("42.00", ref="Q1", **entry)])
    return stmt.lines.get()


def test_resolving_a_line_makes_the_gift_and_remembers_the_account(cast):
    fiona = cast["finance"]
    chosen = donor("Chosen", n=1)
    line = queued(fiona, debtor_iban=iban(8), debtor="Synthetic Payer")
    assert (line.status, line.reason) == ("unmatched", "no match")
    resolved = bank.line_resolve(
        actor=fiona,
        line_id=line.pk,
        expected_version=line.version,
        donor_id=chosen.pk,
        remember_account=True,
    )
    assert (resolved.status, resolved.match_rule, resolved.donor) == ("resolved", "manual", chosen)
    assert (resolved.resolved_by, resolved.version) == (fiona, line.version + 1)
    gift = Gift.objects.get(statement_line=line)
    assert (gift.donor, gift.amount, gift.received_on, gift.method) == (
        chosen,
        Decimal("42.00"),
        date(2025, 3, 3),
        "transfer",
    )
    assert DonorAccount.objects.filter(donor=chosen, iban=iban(8)).exists()
    assert not bank.unmatched_lines(user=fiona).exists()
    # The next transfer from that account matches by itself.
    nxt = imported(fiona, [Entry("43.00", ref="Q2", debtor_iban=iban(8))], message_id="NEXT")
    assert nxt.lines.get().match_rule == "account"
    # Resolving again is refused (with the current version) or stale (with the old one).
    with pytest.raises(ValidationError) as caught:
        bank.line_resolve(
            actor=fiona, line_id=line.pk, expected_version=resolved.version, donor_id=chosen.pk
        )
    assert "already" in caught.value.message_dict["line"][0]
    with pytest.raises(ConcurrentEditError):
        bank.line_resolve(
            actor=fiona, line_id=line.pk, expected_version=line.version, donor_id=chosen.pk
        )
    assert Gift.objects.filter(donor=chosen).count() == 2


def test_resolving_without_remembering_adds_no_account(cast):
    chosen = donor("Once", n=1)
    line = queued(cast["administrator"], debtor_iban=iban(8))
    bank.line_resolve(
        actor=cast["administrator"],
        line_id=line.pk,
        expected_version=line.version,
        donor_id=chosen.pk,
        remember_account=False,
    )
    assert not DonorAccount.objects.exists()


def test_an_erased_donor_cannot_be_chosen(cast):
    gone = donor("Gone", n=1, erased=True)
    line = queued(cast["finance"])
    with pytest.raises(ValidationError) as caught:
        bank.line_resolve(
            actor=cast["finance"], line_id=line.pk, expected_version=line.version, donor_id=gone.pk
        )
    assert "donor" in caught.value.message_dict
    line.refresh_from_db()
    assert line.status == "unmatched" and not Gift.objects.exists()


def test_ignoring_a_line_needs_a_reason_and_a_fresh_version(cast):
    fiona = cast["finance"]
    line = queued(fiona)
    with pytest.raises(ValidationError) as caught:
        bank.line_ignore(actor=fiona, line_id=line.pk, expected_version=line.version, reason=" ")
    assert "reason" in caught.value.message_dict
    with pytest.raises(ConcurrentEditError):
        bank.line_ignore(
            actor=fiona, line_id=line.pk, expected_version=line.version + 5, reason="refund"
        )
    ignored = bank.line_ignore(
        actor=fiona, line_id=line.pk, expected_version=line.version, reason="Reimbursement"
    )
    assert (ignored.status, ignored.reason, ignored.resolved_by) == (
        LineStatus.IGNORED,
        "Reimbursement",
        fiona,
    )
    assert AuditRecord.objects.filter(
        actor=fiona, action="update", object_type="funding.statementline"
    ).exists()
    with pytest.raises(ValidationError):
        bank.line_ignore(
            actor=fiona, line_id=line.pk, expected_version=ignored.version, reason="again"
        )
    assert not Gift.objects.exists()


@pytest.mark.parametrize(
    "role", ["case_manager", "volunteer_coordinator", "statistics_reader", "nobody"]
)
def test_other_roles_may_not_import_see_or_resolve(cast, role):
    user = cast[role]
    line = queued(cast["finance"])
    chosen = donor("Chosen", n=1)
    with pytest.raises(PermissionDenied):
        bank.statement_import(
            actor=user, filename="x.xml", content=statement([Entry("1", ref="Z")])
        )
    with pytest.raises(PermissionDenied):
        bank.unmatched_lines(user=user)
    with pytest.raises(PermissionDenied):
        bank.statements_list(user=user)
    with pytest.raises(PermissionDenied):
        bank.line_resolve(
            actor=user, line_id=line.pk, expected_version=line.version, donor_id=chosen.pk
        )
    with pytest.raises(PermissionDenied):
        bank.line_ignore(actor=user, line_id=line.pk, expected_version=line.version, reason="x")
    with pytest.raises(PermissionDenied):
        bank.donor_candidates(user=user, query="Chosen")
    assert BankStatement.objects.count() == 1 and not Gift.objects.exists()


def test_the_donor_search_finds_by_name_and_reference_not_erased(cast):
    alive = donor("Vandenberg", n=1)
    donor("Vandenbroeck", n=2, erased=True)
    fiona = cast["finance"]
    assert bank.donor_candidates(user=fiona, query="vanden") == [alive]
    assert bank.donor_candidates(user=fiona, query=ogm(alive.structured_reference)) == [alive]
    assert bank.donor_candidates(user=fiona, query="v") == []


def batched(content: bytes, amounts: list[str]) -> bytes:
    """The file's first entry made a batch: one TxDtls per amount (each copied from the first,
    with its own amount), as banks book a batch of direct debits as one entry."""
    from copy import deepcopy

    from lxml import etree

    root = etree.fromstring(content)
    ns = {"c": etree.QName(root).namespace}
    details = root.find(".//c:Ntry/c:NtryDtls", ns)
    first = details.find("c:TxDtls", ns)
    for amount in amounts[1:]:
        copy = deepcopy(first)
        copy.find(".//c:Amt", ns).text = amount
        details.append(copy)
    first.find(".//c:Amt", ns).text = amounts[0]
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def test_a_batch_entry_gives_one_line_per_transaction_once(cast):
    mandated = donor("Batch", n=1)
    Mandate.objects.create(donor=mandated, reference="MNDT-B", amount=5, starts_on=date(2024, 1, 1))
    content = batched(statement([Entry("15.00", ref="BATCH-1", mandate="MNDT-B")]), ["5", "10"])
    stmt = bank.statement_import(actor=cast["finance"], filename="b1.xml", content=content)
    assert (stmt.entries, stmt.new_entries, stmt.matched) == (2, 2, 2)
    assert sorted(Gift.objects.values_list("amount", "method")) == [
        (Decimal("5.00"), "direct_debit"),
        (Decimal("10.00"), "direct_debit"),
    ]
    overlapping = batched(
        statement([Entry("15.00", ref="BATCH-1", mandate="MNDT-B")], message_id="OTHER"),
        ["5", "10"],
    )
    again = bank.statement_import(actor=cast["finance"], filename="b2.xml", content=overlapping)
    assert (again.entries, again.new_entries) == (2, 0)
    assert Gift.objects.count() == 2


def test_the_communication_keeps_the_free_text_and_the_reference_apart(cast):
    stmt = imported(
        cast["finance"],
        [
            Entry("1", ref="M1", structured_ref=structured(5)),
            Entry("2", ref="M2", text="  Gift\nfor   Christmas "),
            Entry("3", ref="M3", structured_ref="RF18539007547034"),
        ],
    )
    lines = {line.amount: line for line in stmt.lines.all()}
    assert (lines[Decimal("1")].structured_reference, lines[Decimal("1")].remittance) == (
        structured(5),
        "",
    )
    assert lines[Decimal("2")].remittance == "Gift for Christmas"
    assert (lines[Decimal("3")].structured_reference, lines[Decimal("3")].remittance) == (
        "",
        "RF18539007547034",
    )
