"""Synthetic CAMT.053 bank statements for tests (camt.053.001.02 and .08), built with lxml.

Only the elements Beacon reads (and what a bank always sends around them): the group header
(MsgId, CreDtTm), one statement with its account (IBAN), and entries with their amount and
currency, credit/debit indicator, booking date, the bank's reference (AcctSvcrRef), the debtor
(name and IBAN), the remittance (structured Belgian reference or free text) and the mandate.
All names and accounts are synthetic; IBANs are made with valid check digits by `iban()`.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from lxml import etree
from stdnum import iban as stdnum_iban
from stdnum.be import ogm_vcs

NS = {
    "02": "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02",
    "08": "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08",
}
ORGANISATION_IBAN = "BE71096123456769"


def iban(n: int) -> str:
    """A synthetic Belgian IBAN (valid check digits) numbered `n`."""
    bban = f"{n:010d}"
    bban += f"{int(bban) % 97 or 97:02d}"
    check = stdnum_iban.calc_check_digits(f"BE00{bban}")
    return f"BE{check}{bban}"


def structured(base: int) -> str:
    """A valid Belgian structured reference (12 digits) from a 10-digit number."""
    digits = f"{base:010d}"
    return digits + ogm_vcs.calc_check_digits(digits)


def ogm(digits: str) -> str:
    """`+++123/4567/89002+++`, the printed form."""
    return f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"


@dataclass
class Entry:
    amount: str | Decimal
    ref: str | None = None  # AcctSvcrRef; None: the bank gives none
    credit: bool = True
    currency: str = "EUR"
    booked: date = date(2025, 3, 3)
    debtor: str = "Synthetic Debtor"
    debtor_iban: str | None = None
    structured_ref: str | None = None  # 12 digits: RmtInf/Strd/CdtrRefInf/Ref
    text: str | None = None  # RmtInf/Ustrd
    mandate: str | None = None  # Refs/MndtId
    extra: dict = field(default_factory=dict)


def _sub(parent, ns: str, tag: str, text: str | None = None, **attrib):
    element = etree.SubElement(parent, f"{{{ns}}}{tag}", **attrib)
    if text is not None:
        element.text = text
    return element


def statement(
    entries: list[Entry],
    *,
    version: str = "02",
    account: str = ORGANISATION_IBAN,
    message_id: str = "MSG-0001",
    created: str = "2025-03-04T06:00:00+01:00",
) -> bytes:
    """A camt.053 document (UTF-8 bytes with the XML declaration)."""
    ns = NS[version]
    root = etree.Element(f"{{{ns}}}Document", nsmap={None: ns})
    body = _sub(root, ns, "BkToCstmrStmt")
    header = _sub(body, ns, "GrpHdr")
    _sub(header, ns, "MsgId", message_id)
    _sub(header, ns, "CreDtTm", created)
    stmt = _sub(body, ns, "Stmt")
    _sub(stmt, ns, "Id", f"{message_id}-1")
    _sub(stmt, ns, "CreDtTm", created)
    acct = _sub(stmt, ns, "Acct")
    _sub(_sub(acct, ns, "Id"), ns, "IBAN", account)
    _sub(acct, ns, "Ccy", "EUR")
    bal = _sub(stmt, ns, "Bal")
    _sub(_sub(_sub(bal, ns, "Tp"), ns, "CdOrPrtry"), ns, "Cd", "CLBD")
    _sub(bal, ns, "Amt", "1000.00", Ccy="EUR")
    _sub(bal, ns, "CdtDbtInd", "CRDT")
    _sub(_sub(bal, ns, "Dt"), ns, "Dt", "2025-03-03")
    for entry in entries:
        _entry(stmt, ns, version, entry)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _entry(stmt, ns: str, version: str, entry: Entry) -> None:
    ntry = _sub(stmt, ns, "Ntry")
    _sub(ntry, ns, "Amt", str(entry.amount), Ccy=entry.currency)
    _sub(ntry, ns, "CdtDbtInd", "CRDT" if entry.credit else "DBIT")
    if version == "02":
        _sub(ntry, ns, "Sts", "BOOK")
    else:
        _sub(_sub(ntry, ns, "Sts"), ns, "Cd", "BOOK")
    _sub(_sub(ntry, ns, "BookgDt"), ns, "Dt", entry.booked.isoformat())
    _sub(_sub(ntry, ns, "ValDt"), ns, "Dt", entry.booked.isoformat())
    if entry.ref is not None:
        _sub(ntry, ns, "AcctSvcrRef", entry.ref)
    code = _sub(_sub(ntry, ns, "BkTxCd"), ns, "Domn")
    _sub(code, ns, "Cd", "PMNT")
    family = _sub(code, ns, "Fmly")
    _sub(family, ns, "Cd", "RCDT" if entry.credit else "ICDT")
    _sub(family, ns, "SubFmlyCd", "ESCT")
    tx = _sub(_sub(ntry, ns, "NtryDtls"), ns, "TxDtls")
    refs = _sub(tx, ns, "Refs")
    _sub(refs, ns, "EndToEndId", "NOTPROVIDED")
    if entry.mandate:
        _sub(refs, ns, "MndtId", entry.mandate)
    if version == "02":
        _sub(
            _sub(_sub(tx, ns, "AmtDtls"), ns, "TxAmt"),
            ns,
            "Amt",
            str(entry.amount),
            Ccy=entry.currency,
        )
    else:
        _sub(tx, ns, "Amt", str(entry.amount), Ccy=entry.currency)
        _sub(tx, ns, "CdtDbtInd", "CRDT" if entry.credit else "DBIT")
    parties = _sub(tx, ns, "RltdPties")
    debtor = _sub(parties, ns, "Dbtr")
    if version == "08":
        debtor = _sub(debtor, ns, "Pty")
    _sub(debtor, ns, "Nm", entry.debtor)
    if entry.debtor_iban:
        _sub(_sub(_sub(parties, ns, "DbtrAcct"), ns, "Id"), ns, "IBAN", entry.debtor_iban)
    if entry.structured_ref or entry.text:
        remittance = _sub(tx, ns, "RmtInf")
        if entry.text:
            _sub(remittance, ns, "Ustrd", entry.text)
        if entry.structured_ref:
            creditor_ref = _sub(_sub(remittance, ns, "Strd"), ns, "CdtrRefInf")
            kind = _sub(_sub(_sub(creditor_ref, ns, "Tp"), ns, "CdOrPrtry"), ns, "Cd", "SCOR")
            del kind  # the code is enough
            _sub(creditor_ref, ns, "Ref", entry.structured_ref)


def notification(entries: list[Entry]) -> bytes:
    """A camt.054 (debit/credit notification): not a statement, to be refused."""
    ns = "urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"
    root = etree.Element(f"{{{ns}}}Document", nsmap={None: ns})
    body = _sub(root, ns, "BkToCstmrDbtCdtNtfctn")
    header = _sub(body, ns, "GrpHdr")
    _sub(header, ns, "MsgId", "NTF-1")
    _sub(header, ns, "CreDtTm", "2025-03-04T06:00:00+01:00")
    ntfctn = _sub(body, ns, "Ntfctn")
    _sub(ntfctn, ns, "Id", "NTF-1-1")
    acct = _sub(ntfctn, ns, "Acct")
    _sub(_sub(acct, ns, "Id"), ns, "IBAN", ORGANISATION_IBAN)
    for entry in entries:
        _entry(ntfctn, ns, "02", entry)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


ENTITY_BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE Document [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><GrpHdr>
<MsgId>&lol9;</MsgId><CreDtTm>2025-03-04T06:00:00</CreDtTm></GrpHdr></BkToCstmrStmt></Document>
"""
