"""The trial balance import (CSV and XLSX, every bad input refused whole with its row), the
replacement of a year, the checks catching accounts that do not add up, the pages and the API,
and who may see them (finance users and administrators; others get 403, audited)."""

import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from openpyxl import Workbook

from beacon.core.models import AuditRecord
from beacon.core.services import token_create
from beacon.demo.accounts import csv_text, load_accounts
from beacon.funding import accounts
from beacon.funding.charts import share_bars
from beacon.funding.models import TrialBalance, TrialBalanceLine
from conftest import PASSWORD

pytestmark = pytest.mark.django_db

SMALL = """code;label;amount;year;analytic
210;Software;1000,00;2025;
550;Bank;2500,50;2025;
100;Funds of the association;-1500,00;2025;
140;Result carried forward;-1000,00;2025;
440;Suppliers;-500,00;2025;
7302;Gifts in money;-3000,00;2025;recurring_public_donations
740;Other income;-500,50;2025;
6100;Rent;2000,00;2025;general_costs
620;Wages;1000,00;2025;
"""


def refused(actor, content: bytes | str, filename: str = "tb.csv") -> list[str]:
    if isinstance(content, str):
        content = content.encode()
    before = (TrialBalance.objects.count(), TrialBalanceLine.objects.count())
    with pytest.raises(ValidationError) as caught:
        accounts.trial_balance_import(actor=actor, filename=filename, content=content)
    assert (TrialBalance.objects.count(), TrialBalanceLine.objects.count()) == before
    return caught.value.message_dict["file"]


def test_a_csv_trial_balance_is_imported_and_audited(cast):
    fiona = cast["finance"]
    balance = accounts.trial_balance_import(
        actor=fiona, filename="tb-2025.csv", content=("\ufeff" + SMALL).encode()
    )
    assert (balance.year, balance.current, balance.imported_by) == (2025, True, fiona)
    assert balance.lines.count() == 9
    assert balance.lines.get(code="550").amount == Decimal("2500.50")
    assert balance.lines.get(code="7302").analytic == "recurring_public_donations"
    assert AuditRecord.objects.filter(
        actor=fiona, action="create", object_id=str(balance.pk)
    ).exists()
    result = accounts.statements(user=fiona, year=2025)
    assert result.ok
    # Pre-closing: the year's result (3500.50 - 3000) shows in equity as not appropriated.
    assert result.subtotals["result"] == Decimal("500.50")
    assert result.subtotals["unappropriated_result"] == Decimal("500.50")
    assert (
        result.subtotals["total_assets"]
        == result.subtotals["total_liabilities"]
        == Decimal("3500.50")
    )
    shares = accounts.shares(user=fiona, year=2025)
    assert [(s.key, s.percent) for s in shares.income] == [
        ("recurring_public_donations", Decimal("85.7")),
        ("not_allocated", Decimal("14.3")),
    ]
    assert [(s.key, s.percent) for s in shares.expenses] == [
        ("general_costs", Decimal("66.7")),
        ("not_allocated", Decimal("33.3")),
    ]


def test_a_comma_separated_file_with_debit_and_credit_columns(cast):
    content = (
        "Code,Label,Debit,Credit,Year\n"
        "550,Bank,100.00,,2024\n"
        "440,Suppliers,,40.00,2024\n"
        "140,Carried forward,,60.00,2024\n"
    )
    balance = accounts.trial_balance_import(
        actor=cast["finance"], filename="x.csv", content=content.encode()
    )
    assert sorted(balance.lines.values_list("code", "amount")) == [
        ("140", Decimal("-60.00")),
        ("440", Decimal("-40.00")),
        ("550", Decimal("100.00")),
    ]


def xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_xlsx_trial_balance_is_imported(cast):
    content = xlsx(
        [
            ["code", "label", "amount", "year", "analytic"],
            [550, "Bank", 1234.56, 2025, None],
            ["7301", "Gifts in kind", -1000, 2025, "in_kind_companies"],
            [6103, "Material", 100.44, 2025, "case_handling"],
            [None, None, None, None, None],
            [140, "Carried forward", -335, 2025, None],
        ]
    )
    balance = accounts.trial_balance_import(
        actor=cast["administrator"], filename="tb.xlsx", content=content
    )
    assert sorted(balance.lines.values_list("code", "amount", "analytic")) == [
        ("140", Decimal("-335.00"), ""),
        ("550", Decimal("1234.56"), ""),
        ("6103", Decimal("100.44"), "case_handling"),
        ("7301", Decimal("-1000.00"), "in_kind_companies"),
    ]


def test_unbalanced_debits_and_credits_are_refused_by_how_much(cast):
    (message,) = refused(cast["finance"], SMALL.replace("2500,50", "2500,00"))
    assert "do not balance" in message and "0.50" in message


def test_an_unknown_ledger_code_is_refused_with_its_row(cast):
    (message,) = refused(cast["finance"], SMALL.replace("440;Suppliers", "999;Suppliers"))
    assert "999" in message and "row 6" in message


def test_text_in_an_amount_is_refused_with_its_row(cast):
    (message,) = refused(cast["finance"], SMALL.replace("620;Wages;1000,00", "620;Wages;lots"))
    assert "Row 10" in message and "amount" in message and "lots" in message


def test_mixed_or_missing_years_are_refused(cast):
    (message,) = refused(cast["finance"], SMALL.replace("-500,00;2025", "-500,00;2024"))
    assert "2024" in message and "2025" in message and "row 6" in message
    (message,) = refused(cast["finance"], SMALL.replace("-500,00;2025", "-500,00;"))
    assert "Row 6" in message and "year" in message


def test_files_that_are_not_trial_balances_are_refused(cast):
    fiona = cast["finance"]
    assert "empty" in refused(fiona, b"")[0]
    assert "empty" in refused(fiona, "code;label;amount;year\n\n")[0]
    assert "neither" in refused(fiona, b"%PDF-1.4\n\x00\x01\xff\xfe binary", "x.pdf")[0]
    assert "neither" in refused(fiona, b"PK\x03\x04 not really a zip", "x.xlsx")[0]
    assert "name the columns" in refused(fiona, "a,b,c\n1,2,3\n")[0]
    big = b"code;label;amount;year\n" + b"550;x;0;2025\n" * (accounts.MAX_FILE_BYTES // 12)
    assert "larger" in refused(fiona, big)[0]


def test_importing_a_year_again_replaces_it_and_keeps_the_old_one(cast):
    fiona = cast["finance"]
    first = accounts.trial_balance_import(actor=fiona, filename="a.csv", content=SMALL.encode())
    second = accounts.trial_balance_import(
        actor=fiona, filename="b.csv", content=SMALL.replace("Rent", "Rent (corrected)").encode()
    )
    first.refresh_from_db()
    assert (first.current, second.current) == (False, True)
    assert accounts.current_balance(2025) == second
    assert TrialBalance.objects.filter(year=2025).count() == 2
    assert AuditRecord.objects.filter(action="update", object_id=str(first.pk)).exists()


def test_the_checks_list_accounts_that_do_not_add_up(cast):
    """A trial balance written around the import (as a faulty tool would) is caught."""
    balance = TrialBalance.objects.create(year=2023, filename="broken", sha256="0" * 64)
    for code, amount in [("550", "1000.00"), ("140", "-900.00"), ("7302", "-50"), ("999", "7")]:
        TrialBalanceLine.objects.create(
            balance=balance, code=code, label=f"account {code}", amount=Decimal(amount)
        )
    result = accounts.statements(user=cast["finance"], year=2023)
    assert not result.ok
    differences = {c.key: c.difference for c in result.mismatches}
    assert differences == {
        "balanced": Decimal("57.00"),
        "assets_liabilities": Decimal("50.00"),
        "unmapped_999": Decimal("7"),
    }


def test_the_result_check_catches_an_income_statement_missing_a_ledger_amount(cast):
    balance = TrialBalance.objects.create(year=2022, filename="broken", sha256="0" * 64)
    for code, amount in [("550", "100.00"), ("140", "-100.00"), ("7302", "-30"), ("700", "30")]:
        TrialBalanceLine.objects.create(balance=balance, code=code, label="x", amount=amount)
    result = accounts.statements(user=cast["finance"], year=2022)
    assert {c.key: c.difference for c in result.mismatches} == {
        "result": Decimal("30.00"),
        "unmapped_700": Decimal("30.00"),
    }


@pytest.mark.parametrize("role", ["finance", "administrator"])
def test_finance_and_administrators_see_the_accounts(client, cast, role):
    assert load_accounts()
    client.login(username=cast[role].username, password=PASSWORD)
    page = client.get(reverse("funding:accounts"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "31/12/2025" in html and "31/12/2024" in html
    assert 'id="accounts-checks"' in html and "check-ok" in html
    assert html.count("<svg") == 2
    assert "5,680,505.13" in html  # gifts in money 2025, with thousands separators
    assert "−85,125.00" in html  # the 636 line of 2025 is negative
    page = client.get(reverse("funding:accounts"), {"year": 2021, "compare": 2020})
    html = page.content.decode()
    assert "31/12/2020" in html and "Targeted financial aid" in html
    assert "45.2 %" in html  # 2021's recurring donations
    assert client.get(reverse("funding:accounts_import")).status_code == 200


@pytest.mark.parametrize(
    "role", ["volunteer_coordinator", "case_manager", "statistics_reader", "nobody"]
)
def test_other_roles_get_403_audited(client, cast, role):
    assert load_accounts()
    user = cast[role]
    client.login(username=user.username, password=PASSWORD)
    assert client.get(reverse("funding:accounts")).status_code == 403
    assert client.get(reverse("funding:accounts_import")).status_code == 403
    upload = io.BytesIO(SMALL.encode())
    upload.name = "tb.csv"
    assert client.post(reverse("funding:accounts_import"), {"file": upload}).status_code == 403
    assert AuditRecord.objects.filter(action="denied", actor=user).count() == 3
    with pytest.raises(PermissionDenied):
        accounts.statements(user=user, year=2025)
    with pytest.raises(PermissionDenied):
        accounts.shares(user=user, year=2025)
    with pytest.raises(PermissionDenied):
        accounts.trial_balance_import(actor=user, filename="x.csv", content=SMALL.encode())


def test_the_import_page_shows_the_rows_in_error_and_imports_a_good_file(client, cast):
    client.login(username=cast["finance"].username, password=PASSWORD)
    bad = io.BytesIO(SMALL.replace("440;Suppliers", "999;Suppliers").encode())
    bad.name = "bad.csv"
    answer = client.post(reverse("funding:accounts_import"), {"file": bad})
    assert answer.status_code == 400
    assert "Unknown ledger code 999 on row 6" in answer.content.decode()
    assert not TrialBalance.objects.exists()
    good = io.BytesIO(csv_text(2021).encode())
    good.name = "tb-2021.csv"
    answer = client.post(reverse("funding:accounts_import"), {"file": good})
    assert answer.status_code == 302 and answer.url.endswith("?year=2021")
    assert accounts.current_balance(2021).filename == "tb-2021.csv"


@pytest.fixture
def bearer(cast):
    def headers(role: str) -> dict:
        _token, secret = token_create(actor=None, user=cast[role], name="tests")
        return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    return headers


def test_the_api_gives_statements_shares_and_imports(client, cast, bearer):
    headers = bearer("finance")
    assert load_accounts()
    answer = client.get("/api/v1/funding/accounts/2025?compare=2024", **headers)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["ok"] is True and body["compare_year"] == 2024
    assert Decimal(body["subtotals"]["income_total"]) == Decimal("9595110.52")
    rows = {r["key"]: r for s in body["sections"] for r in s["rows"] if r["kind"] == "line"}
    assert Decimal(rows["wages"]["compare"]) == Decimal("5022208.49")
    shares = client.get("/api/v1/funding/accounts/2021/shares", **headers).json()
    assert {s["key"]: round(Decimal(s["percent"])) for s in shares["expenses"]}[
        "case_handling"
    ] == 24
    assert client.get("/api/v1/funding/accounts/1999", **headers).status_code == 404
    answer = client.post(
        "/api/v1/funding/accounts/import",
        {"file": io.BytesIO(SMALL.replace("2025", "2026").encode())},
        **headers,
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["year"] == 2026 and answer.json()["lines"] == 9
    answer = client.post(
        "/api/v1/funding/accounts/import",
        {"file": io.BytesIO(SMALL.replace("2500,50", "2500,00").encode())},
        **headers,
    )
    assert answer.status_code == 422
    assert "do not balance" in answer.json()["detail"][0]["msg"]


@pytest.mark.parametrize("role", ["analyst", "volunteer_coordinator"])
def test_the_api_refuses_other_roles(client, cast, bearer, role):
    assert load_accounts()
    headers = bearer(role)
    assert client.get("/api/v1/funding/accounts/2025", **headers).status_code == 403
    assert client.get("/api/v1/funding/accounts/2025/shares", **headers).status_code == 403
    answer = client.post(
        "/api/v1/funding/accounts/import", {"file": io.BytesIO(SMALL.encode())}, **headers
    )
    assert answer.status_code == 403
    assert AuditRecord.objects.filter(action="denied", actor=cast[role]).count() == 3
    assert TrialBalance.objects.count() == 4


def test_the_charts_are_deterministic_svg_without_outside_resources():
    items = [("Gifts", Decimal("60.5")), ("Not allocated", Decimal("39.5"))]
    first = share_bars(items, title="Income", muted=["Not allocated"], ids="a")
    assert first == share_bars(items, title="Income", muted=["Not allocated"], ids="a")
    assert first.startswith("<svg") and "Gifts" in first and "61 %" in first
    assert "@import" not in first and 'href="http' not in first
    assert 'id="a-' in first and 'id="b-' in share_bars(items, ids="b")
