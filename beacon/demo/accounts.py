"""The demo's trial balances for 2020, 2021, 2024 and 2025, written as CSV and imported through
the import service, whose statements reproduce the accounts published in the annual reports
(the seeds): 2020 and 2021 to the cent; 2024 and 2025, published in whole euros, with cent
amounts chosen so that every printed line, subtotal and result rounds (half up) to the printed
value.

Where the reports contradict themselves (no choice of cents can print every value):
- 2025 income: the printed lines sum to 9,595,110 but the total printed is 9,595,111. Reachable:
  each line carries +0.13 (lines still round to their values, the total is 9,595,110.52).
- The result carried forward at the end of 2024 is printed 427,606 in both balance sheets and
  427,607 in both appropriation tables; at the end of 2025 609,595 in the balance sheet and
  609,596 in the appropriation. One amount cannot round to both: the demo follows the balance
  sheets (427,606.48 and 609,595.00), so the appropriation prints 427,606 and 609,595.
- 2021: furniture and equipment (24) is printed "183.073,1": the totals (fixed assets
  217,966.08, total assets 6,947,755.85) make it 183,073.18.
- 2021: the net exceptional result (76/66) is printed 73,31 without parentheses, but the result
  (-38.71) needs it to be a net charge: -73.31.
- 2020/2021 print "456 holiday pay provision" as its own line; in the 2025 layout it falls in
  454/9 (so 454/9 shows 185,395.89 + 407,461.19 for 2021).
"""

import hashlib
from collections.abc import Callable
from decimal import Decimal

from django.utils import translation

from beacon.funding import accounts

D = Decimal

# The ledger code each layout line is booked on in the demo (the first of its prefixes).
CODES = {
    "intangible": "210",
    "buildings": "220",
    "furniture": "240",
    "other_tangible": "260",
    "deposits": "288",
    "trade_receivables": "400",
    "other_receivables": "416",
    "investments": "510",
    "cash": "550",
    "deferred_charges": "490",
    "association_funds": "100",
    "fund_investment": "1300",
    "fund_social": "1301",
    "fund_innovation": "1302",
    "fund_fundraising": "1303",
    "carried_forward": "140",
    "capital_subsidies": "150",
    "provisions": "160",
    "financial_debts": "174",
    "trade_debts": "440",
    "taxes_due": "450",
    "remuneration_due": "455",
    "holiday_pay": "456",
    "other_debts": "489",
    "accrued_charges": "492",
    "deferred_income": "493",
    "subsidies": "7300",
    "gifts_in_kind": "7301",
    "gifts_in_money": "7302",
    "other_income": "740",
    "premises": "6100",
    "travel": "6101",
    "post_telephone": "6102",
    "material": "6103",
    "food_drink": "6104",
    "documentation": "6105",
    "publications": "6106",
    "fees": "6107",
    "targeted_aid": "6108",
    "wages": "620",
    "depreciation": "630",
    "provisions_movement": "636",
    "other_expenses": "640",
    "financial_income": "750",
    "financial_charges": "650",
    "taxes": "670",
    "brought_forward": "790",
    "to_carry_forward": "693",
}
# Lines booked on a debit or a credit account depending on the amount's sign.
SIGNED_CODES = {
    "exceptional": ("764", "664"),  # net income, net charge
    "withdraw_investment": ("7920", "6920"),  # withdrawal, allocation
    "withdraw_social": ("7921", "6921"),
    "withdraw_innovation": ("7922", "6922"),
    "withdraw_fundraising": ("7923", "6923"),
}

# Shown amounts per layout line, as the statements print them (zero lines left out).
YEARS: dict[int, dict[str, str]] = {
    2025: {
        "intangible": "1399",
        "buildings": "440898",
        "furniture": "102714",
        "other_tangible": "11179",
        "deposits": "111",
        "trade_receivables": "539951",
        "other_receivables": "245686",
        "investments": "5725947",
        "cash": "540457",
        "deferred_charges": "216383",
        "association_funds": "2709142",
        "fund_social": "2413967",
        "carried_forward": "609595.00",
        "provisions": "233364",
        "financial_debts": "9852",
        "trade_debts": "823961",
        "taxes_due": "167846",
        "remuneration_due": "695700",
        "other_debts": "111793",
        "deferred_income": "49505",
        "subsidies": "2874250.13",
        "gifts_in_kind": "788564.13",
        "gifts_in_money": "5680505.13",
        "other_income": "251791.13",
        "premises": "319712",
        "travel": "113727",
        "post_telephone": "142394",
        "material": "307887",
        "food_drink": "38672",
        "documentation": "11726",
        "publications": "743219",
        "fees": "2529433",
        "wages": "5207642",
        "depreciation": "99879",
        "provisions_movement": "-85125",
        "other_expenses": "798",
        "financial_income": "126818",
        "financial_charges": "69261",
        "exceptional": "-13700",
        "taxes": "27015",
        "brought_forward": "427606.48",
        "to_carry_forward": "609595.00",
    },
    2024: {
        "intangible": "2675",
        "buildings": "859054",
        "furniture": "96391",
        "deposits": "111",
        "trade_receivables": "209330",
        "other_receivables": "518529",
        "investments": "4043221",
        "cash": "2029935.48",
        "deferred_charges": "107035",
        "association_funds": "2709142",
        "fund_social": "2413967",
        "carried_forward": "427606.48",
        "provisions": "318489",
        "financial_debts": "9852",
        "trade_debts": "487645",
        "taxes_due": "174465",
        "remuneration_due": "667496",
        "other_debts": "585481",
        "deferred_income": "72138",
        "subsidies": "2882495",
        "gifts_in_kind": "780971",
        "gifts_in_money": "5532943",
        "other_income": "109849",
        "premises": "330811",
        "travel": "159839",
        "post_telephone": "142570",
        "material": "215632",
        "food_drink": "38989",
        "documentation": "4820",
        "publications": "664048",
        "fees": "2309435",
        "wages": "5022208.49",
        "depreciation": "92178",
        "provisions_movement": "265558",
        "other_expenses": "20759",
        "financial_income": "87820",
        "financial_charges": "52635",
        "exceptional": "-212",
        "taxes": "40542",
        "brought_forward": "393764.97",
        "to_carry_forward": "427606.48",
    },
    2021: {
        "intangible": "34781.57",
        "furniture": "183073.18",
        "deposits": "111.33",
        "trade_receivables": "182517.42",
        "other_receivables": "24624.00",
        "investments": "5386941.93",
        "cash": "1098767.28",
        "deferred_charges": "36939.14",
        "association_funds": "1810699.85",
        "fund_investment": "128825.55",
        "fund_social": "2099513.22",
        "fund_innovation": "50000.00",
        "fund_fundraising": "115000.00",
        "carried_forward": "971995.90",
        "capital_subsidies": "1948.11",
        "provisions": "134788.52",
        "financial_debts": "9851.64",
        "trade_debts": "415568.64",
        "taxes_due": "152875.59",
        "remuneration_due": "185395.89",
        "holiday_pay": "407461.19",
        "other_debts": "261726.90",
        "deferred_income": "202104.85",
        "subsidies": "1729769.20",
        "gifts_in_kind": "728909.91",
        "gifts_in_money": "4079115.83",
        "other_income": "237406.66",
        "premises": "266056.27",
        "travel": "69992.81",
        "post_telephone": "128300.40",
        "material": "183552.44",
        "food_drink": "13077.02",
        "publications": "622179.34",
        "fees": "1251996.54",
        "targeted_aid": "20711.48",
        "wages": "3897922.89",
        "depreciation": "166036.74",
        "provisions_movement": "44603.19",
        "other_expenses": "68050.53",
        "financial_income": "9831.88",
        "financial_charges": "32307.81",
        "exceptional": "-73.31",
        "taxes": "20211.42",
        "brought_forward": "1042660.68",
        "withdraw_investment": "104832.93",
        "withdraw_social": "-175459.00",
        "to_carry_forward": "971995.90",
    },
    2020: {
        "intangible": "66805.89",
        "furniture": "236522.75",
        "deposits": "111.33",
        "trade_receivables": "434078.96",
        "other_receivables": "214880.22",
        "investments": "5630517.05",
        "cash": "697328.67",
        "deferred_charges": "25158.77",
        "association_funds": "1810699.85",
        "fund_investment": "233658.48",
        "fund_social": "1924054.22",
        "fund_innovation": "50000.00",
        "fund_fundraising": "115000.00",
        "carried_forward": "1042660.68",
        "capital_subsidies": "6607.26",
        "provisions": "90185.33",
        "financial_debts": "9851.64",
        "trade_debts": "536451.96",
        "taxes_due": "175759.96",
        "remuneration_due": "129047.58",
        "holiday_pay": "380285.90",
        "other_debts": "441755.08",
        "deferred_income": "359385.70",
        "subsidies": "1932684.67",
        "gifts_in_kind": "713899.57",
        "gifts_in_money": "3430039.36",
        "other_income": "279681.28",
        "premises": "250109.48",
        "travel": "63357.56",
        "post_telephone": "130104.53",
        "material": "136643.15",
        "food_drink": "9193.29",
        "publications": "586071.20",
        "fees": "1405580.47",
        "targeted_aid": "55146.58",
        "wages": "3428051.89",
        "depreciation": "165447.67",
        "provisions_movement": "41252.61",
        "other_expenses": "38149.74",
        "financial_income": "5932.87",
        "financial_charges": "40218.00",
        "exceptional": "174.46",
        "taxes": "1799.57",
        "brought_forward": "1141568.58",
        "withdraw_investment": "67784.15",
        "withdraw_social": "-177978.52",
        "to_carry_forward": "1042660.68",
    },
}

# 2021's income by source (published shares: 45, 19, 11, 9, 6, 4, 3, 2 and 1 %), per account.
INCOME_SPLITS_2021: dict[str, list[tuple[str, str]]] = {
    "subsidies": [
        ("national_lottery", "1280513.10"),
        ("european_commission_projects", "257457.66"),
        ("other_public_subsidies", "128728.83"),
        ("king_baudouin_foundation", "63069.61"),
    ],
    "gifts_in_kind": [("in_kind_companies", "728909.91")],
    "gifts_in_money": [
        ("recurring_public_donations", "3062391.12"),
        ("legacies", "623318.55"),
        ("other_public_donations", "393406.16"),
    ],
    "other_income": [("companies", "210708.77"), ("other_public_donations", "26697.89")],
}
# 2021's expenses by activity (published shares), filled account by account in layout order.
ACTIVITY_SHARES_2021 = [
    ("communication_awareness_fundraising", 34),
    ("case_handling", 24),
    ("prevention_and_training", 15),
    ("general_costs", 13),
    ("hotline_116000", 7),
    ("volunteer_network_and_posters", 4),
    ("expertise_lobbying", 3),
]


def _line_key(key: str) -> str:
    return "remuneration_due" if key == "holiday_pay" else key


def _expense_splits(shown: dict[str, str]) -> dict[str, list[tuple[str, Decimal]]]:
    """Each expense account's amount split over the activities so that the activities' totals
    are their published shares of the expenses total (the last one takes the cents left)."""
    keys = [line.key for line in accounts.EXPENSES.lines if line.key in shown]
    total = sum((D(shown[k]) for k in keys), D("0"))
    targets = [(a, (total * pct / 100).quantize(D("0.01"))) for a, pct in ACTIVITY_SHARES_2021]
    targets[-1] = (targets[-1][0], total - sum(t for _a, t in targets[:-1]))
    splits: dict[str, list[tuple[str, Decimal]]] = {}
    index, left = 0, targets[0][1]
    for key in keys:
        rest = D(shown[key])
        while rest > 0:
            take = min(rest, left)
            splits.setdefault(key, []).append((targets[index][0], take))
            rest -= take
            left -= take
            if left == 0 and index + 1 < len(targets):
                index += 1
                left = targets[index][1]
    return splits


def csv_text(year: int) -> str:
    """The trial balance of a demo year as the CSV an accountant would export."""
    shown = YEARS[year]
    income = INCOME_SPLITS_2021 if year == 2021 else {}
    expenses = _expense_splits(shown) if year == 2021 else {}
    rows = ["code;label;amount;year;analytic"]
    with translation.override("en"):
        for key, value in shown.items():
            line = accounts.LINES[_line_key(key)]
            amount = D(value)
            signed_codes = SIGNED_CODES.get(key)
            code = signed_codes[0 if amount >= 0 else 1] if signed_codes else CODES[key]
            label = "Holiday pay provision" if key == "holiday_pay" else str(line.label)
            parts: list[tuple[str, Decimal]] = [("", amount)]
            if key in income:
                parts = [(a, D(v)) for a, v in income[key]]
            elif key in expenses:
                parts = expenses[key]
            for analytic, part in parts:
                signed = part * line.sign
                rows.append(f"{code};{label};{signed:.2f};{year};{analytic}")
    return "\n".join(rows) + "\n"


def load_accounts(out: Callable[..., object] = lambda *_: None) -> bool:
    """Import the four demo years unless each year's current trial balance is already this
    one (same file): True when something was imported."""
    loaded = False
    for year in sorted(YEARS):
        content = csv_text(year).encode()
        current = accounts.current_balance(year)
        if current is not None and current.sha256 == hashlib.sha256(content).hexdigest():
            continue
        accounts.trial_balance_import(
            actor=None, filename=f"trial-balance-{year}.csv", content=content
        )
        out(f"Accounts: trial balance {year} imported.")
        loaded = True
    return loaded
