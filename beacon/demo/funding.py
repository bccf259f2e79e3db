"""The demo's donors, gifts and tax certificates (deterministic: seeded), sized as the annual
reports say (shared/reference/published-figures.json, "funding"):

- 26,508 donors qualify for a 2021 certificate and 36,525 for 2025 (their deductible gifts of the
  year, `cleaning.deductible_gifts_q`, total at least 40.00 EUR), and the certificates of both
  years are issued (final: both years are over);
- 43 organisations gave in 2021, their yearly totals spread over the partner tiers (one
  platinum, gold, silver, bronze and smaller supporters), mostly in kind;
- the year's money gifts (legacies included, refunded ones not) add up to the accounts' "gifts in
  money" line of the demo's trial balance to the cent (2021: 4,079,115.83, of which 623,318.55
  legacies and 3,062,391.12 through mandates, the split of the 2021 report's shares; 2025:
  5,680,505.13), the gifts in kind to "gifts in kind" (728,909.91; 788,564.13);
- the certificate rule is visibly exercised: donors at 39.99 and at exactly 40.00, gifts in kind
  and legacies that do not count, refunded gifts, gifts on 31 December and 1 January (and a card
  payment at 23:30 UTC on 31 December that falls on 1 January in Brussels).

Most money comes through mandates (monthly, quarterly or yearly), as in the reports, so recurring
givers are most of the qualifying donors. Only 2021 and 2025 have their full year of gifts; the
year-boundary cases put a few gifts on 31 December 2020 and 2024 and on 1 January 2022 and 2026.

Everything is invented: names from the demo's lists of given names and made-up surnames, invented
streets at real Belgian postcodes, e-mails at example.org, IBANs and national register numbers
built with valid check digits. Donors, mandates and gifts are written in bulk in one transaction
with the issuing; the load's audit record, written last, marks it complete, so a second run finds
it and changes nothing. Structured references come from `cleaning.new_structured_reference`
(random, not seeded: the one thing that differs between two loads of an empty database).
"""

import random
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import islice
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from beacon.core.audit import audit
from beacon.core.models import AuditAction, AuditRecord
from beacon.demo import plan
from beacon.demo.rows import insert_rows
from beacon.funding import cleaning
from beacon.funding.models import (
    Donor,
    DonorAccount,
    DonorKind,
    Frequency,
    Gift,
    GiftMethod,
    GiftNature,
    Mandate,
)

SEED = 28_171
LOAD_OBJECT_TYPE, LOAD_OBJECT_ID = "demo.funding", "2021-2025"
YEARS = (2021, 2025)
QUALIFYING = {2021: 26_508, 2025: 36_525}
MINIMUM = 4000  # cents; the settings' TAX_CERTIFICATE_MINIMUM_EUR (checked at load)

# The accounts' lines, in cents (beacon.demo.accounts: gifts in money, gifts in kind).
MONEY = {2021: 407_911_583, 2025: 568_050_513}
IN_KIND = {2021: 72_890_991, 2025: 78_856_413}
LEGACIES = {2021: 62_331_855, 2025: 71_248_000}
LEGACY_COUNT = {2021: 7, 2025: 9}
RECURRING = {2021: 306_239_112, 2025: 441_000_000}
# One-off donors who qualify, and small donors who do not (the rest of the qualifying donors
# give through mandates).
ONE_OFF = {2021: 3_500, 2025: 5_000}
SMALL = {2021: 2_500, 2025: 3_000}
# Mandate donors of 2021 still giving in 2025; one-off donors of 2021 giving again in 2025.
CONTINUING_MANDATES, ONE_OFF_AGAIN = 15_000, 1_200
FREQUENCIES = [(Frequency.MONTHLY, 0.25), (Frequency.QUARTERLY, 0.30), (Frequency.YEARLY, 0.45)]
STEPS: dict[str, int] = {Frequency.MONTHLY: 1, Frequency.QUARTERLY: 3, Frequency.YEARLY: 12}
MONTHLY_AMOUNTS = [500, 750, 1000, 1000, 1250, 1500, 1500, 2000, 2500, 3000, 5000]
QUARTERLY_AMOUNTS = [1500, 2000, 2500, 3000, 3000, 4000, 5000, 7500]
LANGUAGES = [("nl", 0.55), ("fr", 0.38), ("de", 0.02), ("en", 0.05)]
BANK_CODES = ["001", "063", "068", "083", "103", "143", "310", "363", "645", "732", "750", "973"]

# Organisations of 2021 by tier: (tier, how many, lowest and highest total in cents). The
# platinum partner's gift in kind takes what the others leave of the year's gifts in kind.
ORGANISATIONS_2021 = [
    ("gold", 3, 5_600_000, 9_000_000),
    ("silver", 5, 2_700_000, 4_600_000),
    ("bronze", 15, 600_000, 2_000_000),
    ("supporter", 19, 30_000, 380_000),
]
ORGANISATIONS_NEW_2025, ORGANISATIONS_STOPPED_2021 = 5, 5
PLATINUM_FLOOR = 12_500_000

# Real Belgian postcodes and their municipalities; the streets are invented.
FLANDERS = [
    ("2000", "Antwerpen"),
    ("2100", "Deurne"),
    ("2200", "Herentals"),
    ("2300", "Turnhout"),
    ("2500", "Lier"),
    ("2800", "Mechelen"),
    ("3000", "Leuven"),
    ("3200", "Aarschot"),
    ("3500", "Hasselt"),
    ("3600", "Genk"),
    ("3800", "Sint-Truiden"),
    ("1500", "Halle"),
    ("1700", "Dilbeek"),
    ("1800", "Vilvoorde"),
    ("8000", "Brugge"),
    ("8400", "Oostende"),
    ("8500", "Kortrijk"),
    ("8800", "Roeselare"),
    ("8900", "Ieper"),
    ("9000", "Gent"),
    ("9100", "Sint-Niklaas"),
    ("9200", "Dendermonde"),
    ("9300", "Aalst"),
    ("9700", "Oudenaarde"),
]
WALLONIA = [
    ("1300", "Wavre"),
    ("1348", "Ottignies-Louvain-la-Neuve"),
    ("1400", "Nivelles"),
    ("1410", "Waterloo"),
    ("4000", "Liège"),
    ("4500", "Huy"),
    ("4800", "Verviers"),
    ("5000", "Namur"),
    ("5500", "Dinant"),
    ("6000", "Charleroi"),
    ("6600", "Bastogne"),
    ("6700", "Arlon"),
    ("6900", "Marche-en-Famenne"),
    ("7000", "Mons"),
    ("7100", "La Louvière"),
    ("7500", "Tournai"),
    ("7700", "Mouscron"),
]
BRUSSELS = [
    ("1000", "Brussel", "Bruxelles"),
    ("1030", "Schaarbeek", "Schaerbeek"),
    ("1050", "Elsene", "Ixelles"),
    ("1060", "Sint-Gillis", "Saint-Gilles"),
    ("1070", "Anderlecht", "Anderlecht"),
    ("1080", "Sint-Jans-Molenbeek", "Molenbeek-Saint-Jean"),
    ("1150", "Sint-Pieters-Woluwe", "Woluwe-Saint-Pierre"),
    ("1180", "Ukkel", "Uccle"),
    ("1190", "Vorst", "Forest"),
    ("1200", "Sint-Lambrechts-Woluwe", "Woluwe-Saint-Lambert"),
]
EAST_CANTONS = [
    ("4700", "Eupen"),
    ("4720", "Kelmis"),
    ("4750", "Bütgenbach"),
    ("4760", "Büllingen"),
    ("4780", "Sankt Vith"),
]
STREET_WORDS = ["Linden", "Beuken", "Molen", "Kastanje", "Esdoorn", "Heide", "Vlinder", "Zwaluw"]
STREET_KINDS_NL = ["straat", "laan", "dreef", "weg"]
STREETS_FR = [
    "Rue des Tilleuls",
    "Rue du Moulin",
    "Avenue des Érables",
    "Rue des Hirondelles",
    "Chemin des Bruyères",
    "Rue des Châtaigniers",
    "Avenue des Papillons",
]
STREETS_DE = ["Lindenweg", "Mühlenstraße", "Ahornstraße", "Heideweg", "Schwalbenweg"]
SECTORS = [
    "Logistics",
    "Print",
    "Media",
    "Consulting",
    "Insurance",
    "Foods",
    "Energy",
    "Software",
    "Retail",
    "Construction",
]
LEGAL_FORMS = {"nl": ["NV", "BV", "CV"], "fr": ["SA", "SRL", "SC"]}
IN_KIND_GIFTS = [
    "Printing of posters",
    "Advertising space",
    "Air time",
    "IT equipment",
    "Pro bono legal advice",
    "Office furniture",
    "Translation services",
]
CAMPAIGNS = ["Spring appeal", "Year-end appeal", "Website", "Run for missing children", ""]


def _ascii(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def _euro(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


def fit(floors: list[int], weights: list[int], target: int) -> list[int]:
    """Amounts (cents) that sum to `target` exactly: each its floor plus its weight's share of
    what the floors leave (the cents left over go one by one to the first ones)."""
    spare = target - sum(floors)
    total_weight = sum(weights)
    if spare < 0 or not total_weight:
        raise ValueError(f"cannot fit {target} over floors summing {sum(floors)}")
    values = [
        low + weight * spare // total_weight for low, weight in zip(floors, weights, strict=True)
    ]
    left = target - sum(values)
    for i in range(left):
        values[i] += 1
    return values


@dataclass
class PlannedGift:
    donor: int
    day: date
    cents: int
    method: str = GiftMethod.TRANSFER
    nature: str = GiftNature.MONEY
    mandate: int | None = None
    campaign: str = ""
    legacy: bool = False
    description: str = ""
    refunded_on: date | None = None
    refund_reason: str = ""
    at: datetime | None = None


@dataclass
class PlannedMandate:
    donor: int
    reference: str
    cents: int
    frequency: str
    starts_on: date
    ends_on: date | None = None
    days: dict[int, list[date]] = field(default_factory=dict)


@dataclass
class PlannedDonor:
    kind: str
    first_name: str
    last_name: str
    language: str
    street: str
    postcode: str
    city: str
    email: str
    company_number: str = ""
    contact_consent: bool = False
    contact_consent_at: datetime | None = None
    national_number: str = ""
    created_on: date = date(2020, 1, 1)
    ibans: list[str] = field(default_factory=list)


class FundingDemo:
    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.zone = ZoneInfo(settings.TIME_ZONE)
        self.donors: list[PlannedDonor] = []
        self.mandates: list[PlannedMandate] = []
        self.gifts: list[PlannedGift] = []

    # --- donors ---------------------------------------------------------------------------------

    def _language(self) -> str:
        roll, total = self.rng.random(), 0.0
        for language, share in LANGUAGES:
            total += share
            if roll < total:
                return language
        return "nl"

    def _address(self, language: str) -> tuple[str, str, str]:
        rng = self.rng
        number = rng.randint(1, 180)
        if language == "de":
            postcode, city = rng.choice(EAST_CANTONS)
            return f"{rng.choice(STREETS_DE)} {number}", postcode, city
        brussels = {"nl": 0.12, "fr": 0.22, "en": 0.7}[language]
        if rng.random() < brussels:
            postcode, city_nl, city_fr = rng.choice(BRUSSELS)
            if language == "nl" or (language == "en" and rng.random() < 0.4):
                word = rng.choice(STREET_WORDS) + rng.choice(STREET_KINDS_NL)
                return f"{word} {number}", postcode, city_nl
            return f"{rng.choice(STREETS_FR)} {number}", postcode, city_fr
        if language == "fr":
            postcode, city = rng.choice(WALLONIA)
            return f"{rng.choice(STREETS_FR)} {number}", postcode, city
        postcode, city = rng.choice(FLANDERS)
        word = rng.choice(STREET_WORDS) + rng.choice(STREET_KINDS_NL)
        return f"{word} {number}", postcode, city

    def _iban(self) -> str:
        account = self.rng.choice(BANK_CODES) + f"{self.rng.randrange(10**7):07d}"
        bban = account + f"{int(account) % 97 or 97:02d}"
        # ISO 13616 check digits: the BBAN, then "BE00" as digits (B=11, E=14), mod 97
        # (stdnum's general routine costs a second over 44,000 accounts).
        return f"BE{98 - int(bban + '111400') % 97:02d}{bban}"

    def _national_number(self, female: bool) -> str:
        rng = self.rng
        born = date(1935, 1, 1) + timedelta(days=rng.randrange(70 * 365))
        serial = rng.randrange(1, 499) * 2 - (0 if female else 1)  # odd men, even women
        first9 = f"{born:%y%m%d}{serial:03d}"
        base = int(("2" if born.year >= 2000 else "") + first9)
        return first9 + f"{97 - base % 97:02d}"

    def _consent(self, share: float) -> tuple[bool, datetime | None]:
        if self.rng.random() >= share:
            return False, None
        day = date(2019, 1, 1) + timedelta(days=self.rng.randrange(6 * 365))
        return True, datetime(day.year, day.month, day.day, 10, 0, tzinfo=self.zone)

    def person(self, *, since: date, account: float = 0.5, national_number: float = 0.35) -> int:
        rng = self.rng
        female = rng.random() < 0.55
        first = rng.choice(plan.GIVEN_FEMALE if female else plan.GIVEN_MALE)
        last = rng.choice(plan.SURNAME_STARTS) + rng.choice(plan.SURNAME_ENDS)
        language = self._language()
        street, postcode, city = self._address(language)
        index = len(self.donors)
        email = ""
        if rng.random() < 0.65:
            email = f"{_ascii(first)}.{_ascii(last)}.{index}@example.org"
        consent, consent_at = self._consent(0.45)
        self.donors.append(
            PlannedDonor(
                kind=DonorKind.PERSON,
                first_name=first,
                last_name=last,
                language=language,
                street=street,
                postcode=postcode,
                city=city,
                email=email,
                contact_consent=consent,
                contact_consent_at=consent_at,
                national_number=(
                    self._national_number(female) if rng.random() < national_number else ""
                ),
                created_on=since - timedelta(days=rng.randrange(1, 90)),
                ibans=[self._iban()] if rng.random() < account else [],
            )
        )
        return index

    def organisation(self, *, since: date) -> int:
        rng = self.rng
        language = "fr" if rng.random() < 0.4 else "nl"
        name = rng.choice(plan.SURNAME_STARTS) + rng.choice(plan.SURNAME_ENDS)
        name = f"{name} {rng.choice(SECTORS)} {rng.choice(LEGAL_FORMS[language])}"
        street, postcode, city = self._address(language)
        first8 = f"0{rng.randrange(2 * 10**6, 10**7):07d}"
        index = len(self.donors)
        consent, consent_at = self._consent(0.8)
        self.donors.append(
            PlannedDonor(
                kind=DonorKind.ORGANISATION,
                first_name="",
                last_name=name,
                language=language,
                street=street,
                postcode=postcode,
                city=city,
                email=f"partners{index}@{_ascii(name)[:20]}.example.org",
                company_number=first8 + f"{97 - int(first8) % 97:02d}",
                contact_consent=consent,
                contact_consent_at=consent_at,
                created_on=since - timedelta(days=rng.randrange(30, 400)),
                ibans=[self._iban()],
            )
        )
        return index

    # --- gifts ----------------------------------------------------------------------------------

    def day_in(self, year: int) -> date:
        if self.rng.random() < 0.25:  # the year-end appeal
            return date(year, 12, self.rng.randint(1, 31))
        return date(year, 1, 1) + timedelta(days=self.rng.randrange(365))

    def gift(self, donor: int, day: date, cents: int, **extra) -> PlannedGift:
        if "method" not in extra:
            roll = self.rng.random()
            extra["method"] = (
                GiftMethod.TRANSFER
                if roll < 0.55
                else GiftMethod.CARD
                if roll < 0.9
                else GiftMethod.CASH
                if roll < 0.95
                else GiftMethod.OTHER
            )
        if extra["method"] == GiftMethod.CARD and "at" not in extra:
            extra["at"] = datetime(
                day.year, day.month, day.day, self.rng.randint(7, 22), 0, tzinfo=self.zone
            )
        if "campaign" not in extra:
            extra["campaign"] = self.rng.choice(CAMPAIGNS)
        planned = PlannedGift(donor=donor, day=day, cents=cents, **extra)
        self.gifts.append(planned)
        return planned

    def mandate(self, donor: int, year: int, *, new: bool) -> PlannedMandate:
        """A mandate giving in `year`: started years before, or (`new`) during the year early
        enough to give at least the minimum."""
        rng = self.rng
        roll, total, frequency = rng.random(), 0.0, Frequency.YEARLY
        for choice, share in FREQUENCIES:
            total += share
            if roll < total:
                frequency = choice
                break
        if frequency == Frequency.MONTHLY:
            cents = rng.choice(MONTHLY_AMOUNTS)
            step = 1
        elif frequency == Frequency.QUARTERLY:
            cents = rng.choice(QUARTERLY_AMOUNTS)
            step = 3
        else:
            cents, step = 0, 12  # yearly amounts are fitted to the year's total later
        per_year = 12 // step
        latest = 1
        if frequency != Frequency.YEARLY:
            gifts_needed = -(-MINIMUM // cents)
            latest = 1 + max(0, per_year - gifts_needed) * step
        day = rng.randint(1, 28)
        if new:
            starts_on = date(year, rng.randint(1, min(latest, 9)), day)
        else:
            # 2021's older mandates from 2015 on; 2025's new ones since 2022 (they gave
            # nothing in 2021).
            back = rng.randint(1, 6) if year == 2021 else rng.randint(1, 3)
            starts_on = date(year - back, rng.randint(1, 12), day)
        planned = PlannedMandate(
            donor=donor,
            reference=f"DEMO-MND-{len(self.mandates) + 1:07d}",
            cents=cents,
            frequency=frequency,
            starts_on=starts_on,
        )
        self.mandates.append(planned)
        self.mandate_year(len(self.mandates) - 1, year)
        return planned

    def mandate_year(self, index: int, year: int) -> None:
        planned = self.mandates[index]
        step = STEPS[planned.frequency]
        start = planned.starts_on
        first_month = start.month if start.year == year else (start.month - 1) % step + 1
        days = [date(year, month, start.day) for month in range(first_month, 13, step)]
        planned.days[year] = days
        method = (
            GiftMethod.TRANSFER
            if planned.frequency == Frequency.YEARLY
            else GiftMethod.DIRECT_DEBIT
        )
        for day in days:
            self.gift(planned.donor, day, planned.cents, method=method, mandate=index, campaign="")

    # --- the plan -------------------------------------------------------------------------------

    def edge_cases(self, year: int) -> None:
        """Donors that show the rule at work (a few dozen each)."""
        since = date(year, 1, 1)
        dec31_before, jan1 = date(year - 1, 12, 31), date(year, 1, 1)
        dec31, jan1_after = date(year, 12, 31), date(year + 1, 1, 1)
        for i in range(60):  # 39.99: just under the minimum
            donor = self.person(since=since)
            parts = [[3999], [2000, 1999], [1500, 1500, 999]][i % 3]
            for cents in parts:
                self.gift(donor, self.day_in(year), cents)
        for i in range(60):  # exactly 40.00
            donor = self.person(since=since)
            for cents in [[4000], [2000, 2000]][i % 2]:
                self.gift(donor, self.day_in(year), cents)
        for _ in range(20):  # 25.00 in money and a gift in kind, which does not count
            donor = self.person(since=since)
            self.gift(donor, self.day_in(year), 2500)
            self.gift(
                donor,
                self.day_in(year),
                self.rng.randrange(5000, 30000, 500),
                method=GiftMethod.IN_KIND,
                nature=GiftNature.IN_KIND,
                description="Toys and books for the children's corner",
            )
        for refunded in (True, False):  # a refunded 50.00 leaves 30.00; a refunded 100 leaves 45
            for _ in range(30):
                donor = self.person(since=since)
                day = self.day_in(year)
                self.gift(
                    donor,
                    day,
                    5000 if refunded else 10000,
                    refunded_on=min(day + timedelta(days=12), date(year + 1, 1, 15)),
                    refund_reason="Given twice by mistake",
                )
                self.gift(donor, self.day_in(year), 3000 if refunded else 4500)
        for _ in range(20):  # 25 on 31 December before + 25 on 1 January: 25 in each year
            donor = self.person(since=dec31_before)
            self.gift(donor, dec31_before, 2500)
            self.gift(donor, jan1, 2500)
        for _ in range(20):  # 20 on 1 January + 20 on 31 December: 40 in the year
            donor = self.person(since=since)
            self.gift(donor, jan1, 2000)
            self.gift(donor, dec31, 2000)
        for _ in range(20):  # 35 on 31 December + 10 on 1 January after: 35 in the year
            donor = self.person(since=since)
            self.gift(donor, dec31, 3500)
            self.gift(donor, jan1_after, 1000)
        for _ in range(10):  # paid by card at 23:30 UTC on 31 December: 1 January in Brussels
            donor = self.person(since=dec31_before)
            at = datetime(year - 1, 12, 31, 23, 30, tzinfo=UTC)
            day = cleaning.local_day(at)
            self.gift(donor, day, 5000, method=GiftMethod.CARD, at=at, campaign="Year-end appeal")

    def legacies(self, year: int) -> None:
        """Legacies (money, not deductible): most from people who gave nothing else that year;
        two had given 100.00 earlier in the year, which qualifies on its own."""
        count = LEGACY_COUNT[year]
        weights = [self.rng.randint(1, 10) for _ in range(count)]
        amounts = fit([1_000_000] * count, weights, LEGACIES[year])
        for i, cents in enumerate(amounts):
            donor = self.person(since=date(year - 3, 1, 1), account=0.0, national_number=0.8)
            if i < 2:
                self.gift(donor, date(year, 2, 14), 10000, method=GiftMethod.TRANSFER)
            self.gift(
                donor,
                date(year, self.rng.randint(3, 11), self.rng.randint(1, 28)),
                cents,
                method=GiftMethod.TRANSFER,
                legacy=True,
                campaign="",
                description="Legacy (notary's transfer)",
            )

    def organisations(self) -> int:
        """The partners: 2021's 43 (each tier), 38 of them again in 2025 with 5 new ones, one
        whose only 2021 gift was refunded (it does not count as supporting in 2021), and one
        that never gave. Returns the platinum partner (its gift in kind is fitted last)."""
        rng = self.rng
        supporters: list[tuple[int, int]] = []  # (donor, total cents) of 2021
        platinum = self.organisation(since=date(2021, 1, 1))
        for _tier, count, low, high in ORGANISATIONS_2021:
            for _ in range(count):
                donor = self.organisation(since=date(2021, 1, 1))
                supporters.append((donor, rng.randint(low // 100, high // 100) * 100))
        stopped = {donor for donor, _total in rng.sample(supporters, ORGANISATIONS_STOPPED_2021)}
        refunded_only = self.organisation(since=date(2021, 1, 1))
        self.organisation(since=date(2024, 1, 1))  # registered, no gift yet
        self.gift(
            refunded_only,
            date(2021, 6, 3),
            150000,
            method=GiftMethod.TRANSFER,
            campaign="Corporate partnership",
            refunded_on=date(2021, 6, 20),
            refund_reason="Paid to the wrong organisation",
        )
        per_year = {2021: supporters, 2025: []}
        for donor, total in supporters:
            if donor not in stopped:
                per_year[2025].append((donor, total * rng.randint(95, 125) // 100))
        for _ in range(ORGANISATIONS_NEW_2025):
            per_year[2025].append(
                (self.organisation(since=date(2023, 1, 1)), rng.randint(3_000, 20_000) * 100)
            )
        per_year[2025].append((refunded_only, 250_000))
        for year, rows in per_year.items():
            for donor, total in rows:
                # Small supporters and a third of bronze partners give money; the others give
                # in kind, two gold partners a quarter in money.
                roll = rng.random()
                if total < 500_000 or (total < 2_500_000 and roll < 0.3):
                    money, kind = total, 0
                elif total >= 5_000_000 and roll < 0.5:
                    money = total // 4
                    kind = total - money
                else:
                    money, kind = 0, total
                if money:
                    self.gift(
                        donor,
                        self.day_in(year),
                        money,
                        method=GiftMethod.TRANSFER,
                        campaign="Corporate partnership",
                    )
                if kind:
                    self.gift(
                        donor,
                        self.day_in(year),
                        kind,
                        method=GiftMethod.IN_KIND,
                        nature=GiftNature.IN_KIND,
                        campaign="Corporate partnership",
                        description=rng.choice(IN_KIND_GIFTS),
                    )
        return platinum

    def build(self) -> None:
        rng = self.rng
        # Organisations first: their money is part of each year's one-off total.
        platinum = self.organisations()
        for year in YEARS:
            self.edge_cases(year)
            self.legacies(year)
        # One-off donors: one gift (fitted later) and sometimes a small second one.
        one_off: dict[int, list[PlannedGift]] = {2021: [], 2025: []}
        one_off_2021_donors: list[int] = []
        for year in YEARS:
            again = rng.sample(one_off_2021_donors, ONE_OFF_AGAIN) if year == 2025 else []
            for i in range(ONE_OFF[year]):
                donor = again[i] if i < len(again) else self.person(since=date(year, 1, 1))
                if year == 2021:
                    one_off_2021_donors.append(donor)
                if rng.random() < 0.2:
                    self.gift(donor, self.day_in(year), rng.choice([1000, 1500, 2000]))
                # At the minimum until fitted (fitting only adds to it).
                one_off[year].append(self.gift(donor, self.day_in(year), MINIMUM))
            for _ in range(SMALL[year]):
                donor = self.person(since=date(year, 1, 1), account=0.2, national_number=0.05)
                parts = [rng.choice([500, 1000, 1000, 1500, 2000, 2500, 3000, 3500])]
                if rng.random() < 0.25:
                    parts.append(rng.choice([500, 1000]))
                for cents in parts:
                    self.gift(donor, self.day_in(year), cents)
        # In kind: the platinum partner's gift takes what the others leave.
        for year in YEARS:
            others = sum(
                g.cents
                for g in self.gifts
                if g.nature == GiftNature.IN_KIND and g.day.year == year and g.refunded_on is None
            )
            left = IN_KIND[year] - others
            if left < PLATINUM_FLOOR:
                raise ValueError(f"{year}: the platinum partner would give only {left}")
            self.gift(
                platinum,
                date(year, 11, 20),
                left,
                method=GiftMethod.IN_KIND,
                nature=GiftNature.IN_KIND,
                campaign="Corporate partnership",
                description="Advertising space and air time",
            )
        # Mandates: the qualifying donors the others leave.
        qualifying_so_far = self.qualifying()
        continuing: list[int] = []
        for year in YEARS:
            needed = QUALIFYING[year] - qualifying_so_far[year]
            if year == 2025:
                for index in continuing:
                    self.mandate_year(index, 2025)
                needed -= len(continuing)
            for _ in range(needed):
                donor = self.person(since=date(year - 6, 1, 1), account=1.0, national_number=0.5)
                self.mandate(donor, year, new=rng.random() < 0.12)
                if year == 2021:
                    continuing.append(len(self.mandates) - 1)
            if year == 2021:
                stopping = set(
                    rng.sample(range(len(continuing)), len(continuing) - CONTINUING_MANDATES)
                )
                for position in stopping:
                    planned = self.mandates[continuing[position]]
                    planned.ends_on = date(rng.randint(2022, 2024), rng.randint(1, 12), 28)
                continuing = [m for i, m in enumerate(continuing) if i not in stopping]
        self.fit_amounts(one_off)

    def fit_amounts(self, one_off: dict[int, list[PlannedGift]]) -> None:
        """Yearly mandates' gifts and one-off gifts are fitted so that the year's mandate gifts
        and its money gifts add up to the accounts (every fitted gift stays at or over the
        minimum, so who qualifies does not change)."""
        rng = self.rng
        for year in YEARS:
            yearly = [
                g
                for g in self.gifts
                if g.mandate is not None
                and g.day.year == year
                and self.mandates[g.mandate].frequency == Frequency.YEARLY
            ]
            yearly_ids = {id(g) for g in yearly}
            fixed = sum(
                g.cents
                for g in self.gifts
                if g.mandate is not None and g.day.year == year and id(g) not in yearly_ids
            )
            amounts = fit(
                [MINIMUM] * len(yearly),
                [rng.choice([2, 4, 6, 8, 10, 16, 24, 40]) for _ in yearly],
                RECURRING[year] - fixed,
            )
            for g, cents in zip(yearly, amounts, strict=True):
                g.cents = cents
                if g.mandate is not None:
                    self.mandates[g.mandate].cents = cents
            fitted = {id(g) for g in one_off[year]}
            other = sum(
                g.cents
                for g in self.gifts
                if g.day.year == year
                and g.nature == GiftNature.MONEY
                and g.refunded_on is None
                and id(g) not in fitted
            )
            amounts = fit(
                [MINIMUM] * len(one_off[year]),
                [rng.choice([1, 1, 2, 2, 3, 4, 6, 10]) for _ in one_off[year]],
                MONEY[year] - other,
            )
            for g, cents in zip(one_off[year], amounts, strict=True):
                g.cents = cents

    def qualifying(self) -> dict[int, int]:
        """Donors per year whose deductible gifts reach the minimum, by the same rule as the
        certificates (money, not legacy, not refunded, in the year)."""
        totals: dict[tuple[int, int], int] = defaultdict(int)
        for g in self.gifts:
            if g.nature == GiftNature.MONEY and not g.legacy and g.refunded_on is None:
                totals[(g.donor, g.day.year)] += g.cents
        counts: dict[int, int] = defaultdict(int)
        for (_donor, year), cents in totals.items():
            if cents >= MINIMUM:
                counts[year] += 1
        return counts

    # --- writing --------------------------------------------------------------------------------

    def write(self) -> None:
        taken: set[str] = set(Donor.objects.values_list("structured_reference", flat=True))

        def is_taken(reference: str) -> bool:
            return reference in taken

        references = []
        for _ in self.donors:
            reference = cleaning.new_structured_reference(is_taken)
            taken.add(reference)
            references.append(reference)
        rows = []
        for planned, reference in zip(self.donors, references, strict=True):
            encrypted, hint = (
                cleaning.encrypt_national_number(planned.national_number)
                if planned.national_number
                else (None, "")
            )
            created = planned.created_on
            rows.append(
                (
                    planned.kind,
                    planned.first_name,
                    planned.last_name,
                    planned.company_number,
                    planned.street,
                    planned.postcode,
                    planned.city,
                    "BE",
                    planned.email,
                    planned.language,
                    planned.contact_consent,
                    planned.contact_consent_at,
                    encrypted,
                    hint,
                    reference,
                    datetime(created.year, created.month, created.day, 9, 0, tzinfo=self.zone),
                )
            )
        insert_rows(
            Donor,
            [
                "kind",
                "first_name",
                "last_name",
                "company_number",
                "street",
                "postcode",
                "city",
                "country",
                "email",
                "language",
                "contact_consent",
                "contact_consent_at",
                "national_number_encrypted",
                "national_number_hint",
                "structured_reference",
                "created_at",
            ],
            rows,
        )
        ids = dict(Donor.objects.values_list("structured_reference", "id"))
        donor_ids = [ids[reference] for reference in references]
        insert_rows(
            DonorAccount,
            ["donor", "iban"],
            (
                (donor_ids[i], iban)
                for i, planned in enumerate(self.donors)
                for iban in planned.ibans
            ),
        )
        insert_rows(
            Mandate,
            ["donor", "reference", "amount", "frequency", "starts_on", "ends_on"],
            (
                (
                    donor_ids[m.donor],
                    m.reference,
                    _euro(m.cents),
                    m.frequency,
                    m.starts_on,
                    m.ends_on,
                )
                for m in self.mandates
            ),
        )
        mandate_ids = dict(
            Mandate.objects.filter(reference__startswith="DEMO-MND-").values_list("reference", "id")
        )
        mandates = [mandate_ids[m.reference] for m in self.mandates]
        ops = connection.ops
        now = ops.adapt_datetimefield_value(timezone.now())
        _insert_ready(
            Gift,
            [
                "donor",
                "received_on",
                "received_at",
                "amount",
                "method",
                "nature",
                "mandate",
                "campaign",
                "legacy",
                "description",
                "refunded_on",
                "refund_reason",
                "created_at",
                "version",
            ],
            (
                (
                    donor_ids[g.donor],
                    g.day,
                    None if g.at is None else ops.adapt_datetimefield_value(g.at),
                    _euro(g.cents),
                    g.method,
                    g.nature,
                    None if g.mandate is None else mandates[g.mandate],
                    g.campaign,
                    g.legacy,
                    g.description,
                    g.refunded_on,
                    g.refund_reason,
                    now,
                    1,
                )
                for g in self.gifts
            ),
        )


def _insert_ready(model: type[models.Model], names: list[str], rows: Iterable[tuple]) -> None:
    """Like `rows.insert_rows` for the demo's 260,000 gifts, whose values are already what the
    driver takes (days, Decimals with two places, ints, text; datetimes adapted by the caller):
    preparing each amount through the field costs more than inserting the row. Every column
    is given (no defaults)."""
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = []
    for name in names:
        field = model._meta.get_field(name)
        assert isinstance(field, models.Field), f"{name} is not a column"
        quoted.append(connection.ops.quote_name(str(field.column)))
    columns = ", ".join(quoted)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and hasattr(cursor.cursor, "copy"):  # psycopg 3
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        placeholders = ", ".join(["%s"] * len(names))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608
        iterator = iter(rows)
        while chunk := list(islice(iterator, 5000)):
            cursor.executemany(sql, chunk)


def already_loaded() -> bool:
    return AuditRecord.objects.filter(
        object_type=LOAD_OBJECT_TYPE, object_id=LOAD_OBJECT_ID
    ).exists()


def load_funding(out: Callable[..., object] = lambda *_: None) -> bool:
    """Load the demo's donors, gifts and certificates unless already loaded (False then)."""
    if already_loaded():
        return False
    minimum = Decimal(settings.TAX_CERTIFICATE_MINIMUM_EUR)
    if minimum != _euro(MINIMUM):
        raise ValueError(f"the demo is sized for a minimum of 40.00 EUR, not {minimum}")
    from beacon.funding.certificates import issue_certificates

    started = time.monotonic()
    demo = FundingDemo()
    demo.build()
    counts = demo.qualifying()
    for year in YEARS:
        if counts[year] != QUALIFYING[year]:
            raise AssertionError(f"{year}: {counts[year]} qualifying, not {QUALIFYING[year]}")
    built = time.monotonic()
    with transaction.atomic():
        demo.write()
        written = time.monotonic()
        for year in YEARS:
            issue_certificates(actor=None, year=year, draft=False)
        audit(
            actor=None,
            action=AuditAction.CREATE,
            object_type=LOAD_OBJECT_TYPE,
            object_id=LOAD_OBJECT_ID,
        )
    done = time.monotonic()
    out(
        f"Funding: {len(demo.donors)} donors, {len(demo.gifts)} gifts, certificates for 2021 "
        f"and 2025 issued ({done - started:.1f} s: planned in {built - started:.1f}, written in "
        f"{written - built:.1f}, issued in {done - written:.1f})."
    )
    return True
