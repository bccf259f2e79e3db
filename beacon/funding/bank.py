"""Bank statements: importing a CAMT.053 file into gifts, matching its credits to donors, and
the queue of lines left to resolve by hand.

Reading: the pinned `pycamt` parser (lxml with entities not resolved and no network access).
Before it, the file is refused whole, with one message, when it is empty or larger than
MAX_FILE_BYTES, carries a DOCTYPE (entity declarations: the "billion laughs" kind of bomb), is not
XML or is truncated, or is not a camt.053 document (a camt.054 notification, a PAIN payment
file, HTML...). CODA, the older Belgian format, is not read: no maintained parser of it exists on
the package index (pycoda's last release is from 2022), so banks' CAMT.053 export is asked for.

Importing (`statement_import`), in one transaction: the same file (its SHA-256) twice is refused;
an entry already imported from another file (overlapping statements) is skipped and counted. An
entry is known by `entry_key`: the SHA-256 of the account's IBAN and the bank's own reference
(AcctSvcrRef), or, when the bank gives none, of the account, booking day, amount, sign,
counterparty's IBAN, reference and the entry's position among identical ones in the file.

Each credit in euro is matched to a donor, in order, by (a) the Belgian structured reference
(the Strd reference, or +++123/4567/89002+++ in the free text) equal to the donor's own, (b) the
direct-debit mandate's reference, (c) the debtor's IBAN when exactly one donor gives from that
account. An erased donor never matches. A matched credit becomes a gift (bank transfer, or direct
debit when a mandate matched; received on the booking day). A credit in another currency, an
account shared by several donors or no match at all leaves the line in the queue; a debit is
kept, ignored (it is not a gift).
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import NoReturn

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from lxml import etree
from pycamt.parser import Camt053ParseError, Camt053Parser

from beacon.core.audit import audit
from beacon.core.errors import ConcurrentEditError, FieldErrors
from beacon.core.models import AuditAction
from beacon.core.permissions import require
from beacon.core.validators import reject_control_characters_single_line
from beacon.funding import cleaning
from beacon.funding.models import (
    BankStatement,
    Donor,
    DonorAccount,
    Gift,
    GiftMethod,
    GiftNature,
    LineStatus,
    Mandate,
    MatchRule,
    StatementLine,
)

VIEW_STATEMENT = "funding.view_bankstatement"
ADD_STATEMENT = "funding.add_bankstatement"
CHANGE_LINE = "funding.change_statementline"
VIEW_DONOR = "funding.view_donor"

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_ENTRIES = 50_000
CAMT053 = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.(\d{2})$")
ISO_MESSAGE = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:([a-z]{4}\.\d{3}\.\d{3}\.\d{2})$")
# +++123/4567/89002+++ or ***123/4567/89002*** in a free text (spaces tolerated).
OGM_IN_TEXT = re.compile(
    r"(?:\+{3}|\*{3})\s*(\d{3})\s*/?\s*(\d{4})\s*/?\s*(\d{5})\s*(?:\+{3}|\*{3})"
)

# Reasons the importer writes (stored in English, shown translated: REASON_LABELS).
REASON_DEBIT = "debit"
REASON_CURRENCY = "currency"
REASON_SHARED = "account shared by several donors"
REASON_NO_MATCH = "no match"
REASON_REVERSAL = "reversal"
REASON_LABELS = {
    REASON_DEBIT: gettext_lazy("outgoing payment (debit)"),
    REASON_CURRENCY: gettext_lazy("not in euro"),
    REASON_SHARED: gettext_lazy("account shared by several donors"),
    REASON_NO_MATCH: gettext_lazy("no donor found"),
    REASON_REVERSAL: gettext_lazy("reversal of an earlier entry"),
}

CODA_NOTE = gettext_lazy(
    "CODA files are not read: no maintained CODA parser exists (the last release of pycoda "
    "dates from 2022). Ask the bank for its CAMT.053 (XML) export instead."
)


def reason_label(reason: str) -> str:
    return str(REASON_LABELS.get(reason, reason))


# --- reading the file -------------------------------------------------------------------------


@dataclass
class ParsedEntry:
    """One credit or debit of the file, read and checked."""

    position: int  # 1-based, in the file
    entry_key: str
    booked_on: date
    amount: Decimal
    currency: str
    credit: bool
    reversal: bool
    counterparty_name: str
    counterparty_iban: str
    structured_reference: str
    remittance: str
    mandate_reference: str


@dataclass
class ParsedStatement:
    version: str
    message_id: str
    created_on: datetime | None
    account_iban: str
    entries: list[ParsedEntry]


def _refuse(message: str) -> NoReturn:
    raise ValidationError({"file": [ValidationError(message)]})


def _clean_text(value, max_length: int) -> str:
    """Bank text as kept: control characters (line breaks in free text) as spaces, trimmed."""
    text = " ".join(str(value or "").split())
    return "".join(c if c.isprintable() else " " for c in text)[:max_length]


def _key(*parts: object) -> str:
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


def _structured_reference(reference: str | None, free_text: str) -> str:
    """The structured reference: the Strd reference when it is one, else one written in the
    free text between +++ (or ***)."""
    digits = cleaning.parse_structured_reference(reference or "")
    if digits:
        return digits
    for match in OGM_IN_TEXT.finditer(free_text or ""):
        digits = cleaning.parse_structured_reference("".join(match.groups()))
        if digits:
            return digits
    return ""


def _moment(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _parser(content: bytes) -> Camt053Parser:
    """The pycamt parser over a file that passed the checks; the file is refused otherwise."""
    if not content or not content.strip():
        _refuse(_("The file is empty."))
    if len(content) > MAX_FILE_BYTES:
        _refuse(
            _("The file is too large (at most %(mb)d MB).") % {"mb": MAX_FILE_BYTES // 1024 // 1024}
        )
    head = content.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not head.startswith(b"<"):
        _refuse(_("This file is not XML: a CAMT.053 bank statement (XML) is expected."))
    if re.search(rb"<!(DOCTYPE|ENTITY)", content, flags=re.IGNORECASE):
        _refuse(_("This file declares a DOCTYPE or entities, which a bank statement never does."))
    try:
        parser = Camt053Parser(content)
    except etree.XMLSyntaxError:
        _refuse(_("This file is not well-formed XML: it may be truncated or damaged."))
    docinfo = parser.tree.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        _refuse(_("This file declares a DOCTYPE or entities, which a bank statement never does."))
    qname = etree.QName(parser.tree)
    namespace = qname.namespace or ""
    if qname.localname != "Document" or not CAMT053.match(namespace):
        other = ISO_MESSAGE.match(namespace)
        if other:
            _refuse(
                _("This is a %(kind)s document, not a CAMT.053 bank statement.")
                % {"kind": other.group(1)}
            )
        _refuse(_("This file is not a CAMT.053 bank statement."))
    if parser.version == "unknown":
        _refuse(
            _("This CAMT.053 version (%(ns)s) is not supported.")
            % {"ns": namespace.rsplit(":")[-1]}
        )
    # pycamt looks elements up with the root's namespace map: make it the default namespace,
    # so a file whose elements carry a prefix (ns2:Document...) reads the same.
    parser.namespaces = {None: namespace}
    return parser


def parse_statement(content: bytes) -> ParsedStatement:
    """Read and check a CAMT.053 file; ValidationError on `file` (one message per problem,
    naming the entry) when anything is wrong. Nothing is written."""
    parser = _parser(content)
    try:
        header = parser.get_group_header()
        transactions = parser.get_transactions()
    except (Camt053ParseError, AttributeError):
        _refuse(_("This CAMT.053 file has no statement or no group header."))
    if not header:
        _refuse(_("This CAMT.053 file has no statement or no group header."))
    if len(transactions) > MAX_ENTRIES:
        _refuse(_("Too many entries in one file (at most %(max)d).") % {"max": MAX_ENTRIES})
    errors = FieldErrors()
    entries: list[ParsedEntry] = []
    seen: Counter[tuple] = Counter()
    account_iban = ""
    for position, tx in enumerate(transactions, start=1):
        problems: list[str] = []

        def bad(message: str, position: int = position, problems: list[str] = problems) -> None:
            problems.append(message)
            errors.add("file", _("Entry %(n)d: %(msg)s") % {"n": position, "msg": message})

        account = ""
        try:
            account = cleaning.normalise_iban(tx.get("AccountIBAN") or "")
        except cleaning.BadValue:
            bad(_("the statement's account has no valid IBAN."))
        account_iban = account_iban or account
        currency = str(tx.get("Currency") or "").strip().upper()
        if not re.fullmatch(r"[A-Z]{3}", currency):
            bad(_("the amount has no currency."))
        amount = Decimal("0")
        try:
            # The number as such: an amount in another currency is kept (and queued), not read
            # as euro.
            amount = cleaning.parse_amount(tx.get("Amount"))
        except cleaning.BadValue as exc:
            bad(str(exc))
        sign = tx.get("CreditDebitIndicator")
        if sign not in ("CRDT", "DBIT"):
            bad(_("the entry is neither a credit nor a debit (CdtDbtInd)."))
        booked_on: date | None = None
        booking = str(tx.get("BookingDate") or "").strip()
        try:
            booked_on = cleaning.parse_day(booking[:10])
        except cleaning.BadValue as exc:
            bad(str(exc) if booking else _("the entry has no booking date."))
        if problems or booked_on is None:
            continue
        counterparty_iban = ""
        raw_iban = tx.get("DebtorIBAN") if sign == "CRDT" else tx.get("CreditorIBAN")
        if raw_iban:
            try:
                counterparty_iban = cleaning.normalise_iban(raw_iban)
            except cleaning.BadValue:
                counterparty_iban = ""
        name = tx.get("DebtorName") if sign == "CRDT" else tx.get("CreditorName")
        free_text = tx.get("RemittanceInformationFull") or ""
        reference_text = tx.get("RemittanceInformation") or ""
        structured = _structured_reference(reference_text, free_text)
        # The free text; else the Strd reference when it is not the structured one (e.g. RF...).
        remittance = _clean_text(free_text or ("" if structured else reference_text), 500)
        bank_reference = str(tx.get("TransactionID") or "").strip()
        if bank_reference:
            identity: tuple = (account, bank_reference)
        else:
            identity = (
                account,
                booked_on.isoformat(),
                f"{amount:.2f}",
                currency,
                sign,
                counterparty_iban,
                structured or remittance,
            )
        occurrence = seen[identity]
        seen[identity] += 1
        # The first occurrence keeps the plain key (an entry with one transaction detail);
        # the further details of one entry (or identical entries) are told apart by position.
        key = _key(*identity) if occurrence == 0 and bank_reference else _key(*identity, occurrence)
        entries.append(
            ParsedEntry(
                position=position,
                entry_key=key,
                booked_on=booked_on,
                amount=amount,
                currency=currency,
                credit=sign == "CRDT",
                reversal=str(tx.get("ReversalIndicator") or "").strip().lower() == "true",
                counterparty_name=_clean_text(name, 140),
                counterparty_iban=counterparty_iban,
                structured_reference=structured,
                remittance=remittance,
                mandate_reference=_clean_text(tx.get("MandateId"), 35),
            )
        )
    if len(errors.errors.get("file", [])) > 20:
        errors.errors["file"] = errors.errors["file"][:20] + [_("…and more.")]
    errors.raise_if_any()
    return ParsedStatement(
        version=parser.version,
        message_id=_clean_text(header.get("MessageID"), 64),
        created_on=_moment(header.get("CreationDateTime")),
        account_iban=account_iban,
        entries=entries,
    )


# --- matching ---------------------------------------------------------------------------------


@dataclass
class Match:
    donor: Donor | None
    rule: str = ""
    mandate: Mandate | None = None
    reason: str = ""


class _Matcher:
    """The donors a file's credits can match, read in three queries."""

    def __init__(self, entries: list[ParsedEntry]) -> None:
        references = {e.structured_reference for e in entries if e.structured_reference}
        mandates = {e.mandate_reference for e in entries if e.mandate_reference}
        ibans = {e.counterparty_iban for e in entries if e.counterparty_iban}
        self.by_reference = {
            d.structured_reference: d
            for d in Donor.objects.filter(
                structured_reference__in=references, erased_at__isnull=True
            )
        }
        self.by_mandate = {
            m.reference: m
            for m in Mandate.objects.select_related("donor").filter(
                reference__in=mandates, donor__erased_at__isnull=True
            )
        }
        donors_of: dict[str, set[int]] = defaultdict(set)
        accounts = DonorAccount.objects.select_related("donor").filter(
            iban__in=ibans, donor__erased_at__isnull=True
        )
        self.account_donor: dict[str, Donor] = {}
        for account in accounts:
            donors_of[account.iban].add(account.donor_id)
            self.account_donor[account.iban] = account.donor
        self.donors_of = donors_of

    def match(self, entry: ParsedEntry) -> Match:
        donor = self.by_reference.get(entry.structured_reference)
        if donor is not None:
            return Match(donor, MatchRule.REFERENCE)
        mandate = self.by_mandate.get(entry.mandate_reference)
        if mandate is not None:
            return Match(mandate.donor, MatchRule.MANDATE, mandate=mandate)
        owners = self.donors_of.get(entry.counterparty_iban, set())
        if len(owners) == 1:
            return Match(self.account_donor[entry.counterparty_iban], MatchRule.ACCOUNT)
        if len(owners) > 1:
            return Match(None, reason=REASON_SHARED)
        return Match(None, reason=REASON_NO_MATCH)


# --- importing --------------------------------------------------------------------------------


def _user_name(user) -> str:
    return user.get_username() if user is not None else _("someone")


def _refuse_known_file(sha256: str) -> None:
    known = BankStatement.objects.select_related("imported_by").filter(sha256=sha256).first()
    if known is not None:
        _refuse(
            _("This statement was already imported on %(day)s by %(user)s.")
            % {
                "day": timezone.localtime(known.imported_at).date().isoformat(),
                "user": _user_name(known.imported_by),
            }
        )


def _gift(*, actor, line: StatementLine, donor: Donor, mandate: Mandate | None) -> Gift:
    gift = Gift.objects.create(
        donor=donor,
        received_on=line.booked_on,
        amount=line.amount,
        method=GiftMethod.DIRECT_DEBIT if mandate is not None else GiftMethod.TRANSFER,
        nature=GiftNature.MONEY,
        mandate=mandate,
        campaign="",
        statement_line=line,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    audit(actor=actor, action=AuditAction.CREATE, obj=gift, fields=["*"])
    return gift


@transaction.atomic
def statement_import(*, actor, filename: str, content: bytes) -> BankStatement:
    """Import a CAMT.053 file: its new entries become lines, its matched credits gifts. The
    file is refused whole (nothing written) when it is not a readable CAMT.053 statement or
    was imported before."""
    require(actor, ADD_STATEMENT)
    sha256 = hashlib.sha256(content or b"").hexdigest()
    _refuse_known_file(sha256)
    parsed = parse_statement(content)
    keys = [e.entry_key for e in parsed.entries]
    known = set(
        StatementLine.objects.filter(entry_key__in=keys).values_list("entry_key", flat=True)
    )
    new = [e for e in parsed.entries if e.entry_key not in known]
    try:
        with transaction.atomic():
            statement = BankStatement.objects.create(
                sha256=sha256,
                filename=_clean_text(filename, 255),
                message_id=parsed.message_id,
                account_iban=parsed.account_iban,
                created_on=parsed.created_on,
                entries=len(parsed.entries),
                new_entries=len(new),
                imported_by=actor if actor is not None and actor.is_authenticated else None,
            )
            matched = _import_entries(actor=actor, statement=statement, entries=new)
    except IntegrityError:
        # Another import of the same file or of overlapping entries committed meanwhile.
        _refuse_known_file(sha256)
        _refuse(_("Another import of these entries ran at the same time: import the file again."))
    statement.matched = matched
    statement.save(update_fields=["matched"])
    audit(actor=actor, action=AuditAction.CREATE, obj=statement, fields=["*"])
    return statement


def _import_entries(*, actor, statement: BankStatement, entries: list[ParsedEntry]) -> int:
    matcher = _Matcher([e for e in entries if e.credit])
    matched = 0
    for entry in entries:
        line = StatementLine(
            statement=statement,
            entry_key=entry.entry_key,
            booked_on=entry.booked_on,
            amount=entry.amount,
            currency=entry.currency,
            credit=entry.credit,
            counterparty_name=entry.counterparty_name,
            counterparty_iban=entry.counterparty_iban,
            structured_reference=entry.structured_reference,
            remittance=entry.remittance,
            mandate_reference=entry.mandate_reference,
        )
        found: Match | None = None
        if not entry.credit:
            line.status, line.reason = LineStatus.IGNORED, REASON_DEBIT
        elif entry.reversal:
            line.status, line.reason = LineStatus.IGNORED, REASON_REVERSAL
        elif entry.currency != "EUR":
            line.status, line.reason = LineStatus.UNMATCHED, REASON_CURRENCY
        else:
            found = matcher.match(entry)
            if found.donor is None:
                line.status, line.reason = LineStatus.UNMATCHED, found.reason
            else:
                line.status, line.match_rule, line.donor = (
                    LineStatus.MATCHED,
                    found.rule,
                    found.donor,
                )
        line.save()
        if found is not None and found.donor is not None:
            _gift(actor=actor, line=line, donor=found.donor, mandate=found.mandate)
            matched += 1
    return matched


# --- the queue --------------------------------------------------------------------------------


def _locked_line(line_id: int, expected_version: int) -> StatementLine:
    line = StatementLine.objects.select_for_update().select_related("statement").get(pk=line_id)
    if line.version != expected_version:
        raise ConcurrentEditError()
    if line.status != LineStatus.UNMATCHED:
        errors = FieldErrors()
        errors.add(
            "line",
            _("This line is already dealt with (%(status)s).")
            % {"status": line.get_status_display()},
        )
        errors.raise_if_any()
    return line


def _close_line(*, actor, line: StatementLine, values: dict) -> None:
    values = {
        **values,
        "resolved_by": actor if actor is not None and actor.is_authenticated else None,
        "resolved_at": timezone.now(),
    }
    updated = StatementLine.objects.filter(pk=line.pk, version=line.version).update(
        version=F("version") + 1, **values
    )
    if not updated:
        raise ConcurrentEditError()
    for name, value in values.items():
        setattr(line, name, value)
    line.version += 1
    audit(actor=actor, action=AuditAction.UPDATE, obj=line, fields=list(values))


@transaction.atomic
def line_resolve(
    *, actor, line_id: int, expected_version: int, donor_id: int, remember_account: bool = False
) -> StatementLine:
    """Give a queued credit to a donor: the gift is created; with `remember_account` the
    counterparty's IBAN is added to the donor's accounts, so the next transfer matches."""
    require(actor, CHANGE_LINE)
    line = _locked_line(line_id, expected_version)
    donor = Donor.objects.get(pk=donor_id)
    errors = FieldErrors()
    if donor.erased_at is not None:
        errors.add("donor", _("This donor was erased and cannot receive gifts."))
    if not line.credit:
        errors.add("line", _("An outgoing payment is not a gift."))
    if line.currency != "EUR":
        errors.add(
            "line",
            _("Only gifts in euro are accepted (got %(currency)s): ignore this line.")
            % {"currency": line.currency},
        )
    if not isinstance(remember_account, bool):
        errors.add("remember_account", _("Answer yes or no."))
    errors.raise_if_any()
    mandate = None
    if line.mandate_reference:
        mandate = Mandate.objects.filter(reference=line.mandate_reference, donor=donor).first()
    _close_line(
        actor=actor,
        line=line,
        values={
            "status": LineStatus.RESOLVED,
            "match_rule": MatchRule.MANUAL,
            "donor": donor,
            "reason": "",
        },
    )
    _gift(actor=actor, line=line, donor=donor, mandate=mandate)
    if remember_account and line.counterparty_iban:
        account, created = DonorAccount.objects.get_or_create(
            donor=donor, iban=line.counterparty_iban
        )
        if created:
            audit(actor=actor, action=AuditAction.CREATE, obj=account, fields=["iban"])
    return line


@transaction.atomic
def line_ignore(*, actor, line_id: int, expected_version: int, reason: str) -> StatementLine:
    """Take a queued line out of the queue: it is not a gift (`reason` says why)."""
    require(actor, CHANGE_LINE)
    line = _locked_line(line_id, expected_version)
    errors = FieldErrors()
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        errors.add("reason", _("Say why this line is not a gift."))
    elif len(reason) > 200:
        errors.add("reason", _("At most %(max)d characters.") % {"max": 200})
    else:
        errors.run("reason", reject_control_characters_single_line, reason)
    errors.raise_if_any()
    _close_line(actor=actor, line=line, values={"status": LineStatus.IGNORED, "reason": reason})
    return line


# --- reads ------------------------------------------------------------------------------------


def statements_list(*, user) -> QuerySet[BankStatement]:
    require(user, VIEW_STATEMENT)
    return BankStatement.objects.select_related("imported_by").order_by("-imported_at", "-id")


def statement_get(*, user, pk: int) -> BankStatement:
    require(user, VIEW_STATEMENT)
    return BankStatement.objects.select_related("imported_by").get(pk=pk)


def statement_lines(*, user, statement_id: int) -> QuerySet[StatementLine]:
    require(user, VIEW_STATEMENT)
    return (
        StatementLine.objects.filter(statement_id=statement_id)
        .select_related("donor", "gift")
        .order_by("booked_on", "id")
    )


def unmatched_lines(*, user) -> QuerySet[StatementLine]:
    """The queue: credits no donor was found for, oldest first."""
    require(user, VIEW_STATEMENT)
    return (
        StatementLine.objects.filter(status=LineStatus.UNMATCHED)
        .select_related("statement")
        .order_by("booked_on", "id")
    )


def line_get(*, user, pk: int) -> StatementLine:
    require(user, VIEW_STATEMENT)
    return StatementLine.objects.select_related("statement", "donor").get(pk=pk)


def donor_candidates(*, user, query: str, limit: int = 10) -> list[Donor]:
    """Donors (not erased) whose name, e-mail or structured reference contains `query`: the
    search box of the queue."""
    require(user, VIEW_DONOR)
    query = (query or "").strip()
    if len(query) < 2:
        return []
    match = Q(first_name__icontains=query) | Q(last_name__icontains=query)
    match |= Q(email__icontains=query)
    digits = "".join(c for c in query if c.isdigit())
    if len(digits) >= 3 and not set(query) - set("0123456789+/* "):
        match |= Q(structured_reference__contains=digits)
    return list(
        Donor.objects.filter(match, erased_at__isnull=True).order_by("last_name", "first_name")[
            :limit
        ]
    )
