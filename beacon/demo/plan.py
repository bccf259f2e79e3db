"""How many demo cases of what kind, per year: the shape the published annual reports describe.

These numbers are the *input* of the synthetic generator (how many records to invent), in the way
a real organisation's history would be its input; the figures are then computed from the records
by beacon.figures, never read from here.
"""

from typing import Any

YEARS = range(2019, 2026)

# New cases per category per year (the shape of the 2021 and 2025 annual reports).
NEW_CASES: dict[str, dict[int, int]] = {
    "runaway": {2019: 816, 2020: 719, 2021: 867, 2022: 1138, 2023: 1394, 2024: 1808, 2025: 2147},
    "family_context": {2025: 249},
    "abduction_outside_family": {2025: 3},
    "undefined_and_other": {
        2019: 104,
        2020: 79,
        2021: 74,
        2022: 96,
        2023: 103,
        2024: 132,
        2025: 69,
    },
    "unaccompanied_minor": {
        2019: 113,
        2020: 99,
        2021: 98,
        2022: 136,
        2023: 332,
        2024: 321,
        2025: 359,
    },
    # 2022-2024: only the sum of the two legacy categories is known (162, 193, 217); the split
    # follows the earlier years' proportion (about 93% / 7%).
    "legacy_international_parental_abduction": {
        2019: 216,
        2020: 155,
        2021: 139,
        2022: 151,
        2023: 180,
        2024: 202,
    },
    "legacy_abduction_by_third_party": {2019: 12, 2020: 10, 2021: 10, 2022: 11, 2023: 13, 2024: 15},
}

# Cases assessed worrying per year (published for 2019-2021; about 18% after).
WORRYING: dict[int, int] = {
    2019: 215,
    2020: 205,
    2021: 222,
    2022: 276,
    2023: 364,
    2024: 446,
    2025: 509,
}

# Repeat episodes within a year: (category, year) -> (distinct children, children with >1 episode).
REPEATS: dict[tuple[str, int], tuple[int, int]] = {
    ("runaway", 2025): (1514, 349),
    ("unaccompanied_minor", 2025): (274, 42),
}
# Other years: about 1.3 runaway reports per child, a fifth of the children running more than once.
DEFAULT_REPEAT_RATIO = {"runaway": (1.30, 0.20), "unaccompanied_minor": (1.25, 0.14)}

SUBKINDS_2025 = {
    "family_context": {
        "international_parental_abduction": 112,
        "other_family_disappearance": 48,
        "preventive": 89,
    },
    "abduction_outside_family": {"attempted": 3},
    "undefined_and_other": {"young_adult": 63, "lost_child": 6},
}
# Reports per age band at disappearance, where a report publishes the bands' shares: (reports,
# youngest, oldest), ages on the local day last seen. Each child stays in one band over all its
# episodes of the year, so the bands count reports exactly.
# Runaways 2025: 1,267 of 2,147 aged 13-15 (59.0% -> 59%); under 13 (not published) about 6%.
# Runaways 2021: of 867, 87 under 13 (10.0%), 459 aged 13-15 (52.9% -> 53%), 321 aged 16-17
# (37.0%). Unaccompanied minors 2025: of 359, 14 under 13 and 144 under 16 (40.1% -> 40%).
AGE_BANDS: dict[tuple[str, int], list[tuple[int, int, int]]] = {
    ("runaway", 2025): [(129, 10, 12), (1267, 13, 15), (751, 16, 17)],
    ("runaway", 2021): [(87, 10, 12), (459, 13, 15), (321, 16, 17)],
    ("unaccompanied_minor", 2025): [(14, 11, 12), (130, 13, 15), (215, 16, 17)],
}

# Undefined 2025 outcomes: 53 found safe or returned, 9 young adults left voluntarily,
# 6 found deceased, 1 still missing.
UNDEFINED_OUTCOMES_2025 = (
    ["found_safe"] * 30
    + ["returned"] * 23
    + ["left_voluntarily"] * 9
    + ["found_deceased"] * 6
    + [""]
)

# Found-after distribution for runaways (hours): >half within 48 h, 75.5% within a week, ~9% > a month.
RUNAWAY_FOUND_AFTER = [
    ((2, 48), 0.52),
    ((48, 168), 0.235),
    ((168, 720), 0.155),
    ((720, 2400), 0.09),
]

UM_ORIGINS = (
    ["MA"] * 30
    + ["DZ"] * 20
    + ["ET"] * 15
    + ["ER"] * 12
    + ["AF"] * 10
    + ["SY", "GN", "SO", "TN", "PK"] * 3
)
ABDUCTION_COUNTRIES = [
    "MA",
    "FR",
    "NL",
    "TR",
    "DZ",
    "ES",
    "DE",
    "RO",
    "PL",
    "CD",
    "IT",
    "GB",
    "US",
    "IN",
]

GIVEN_FEMALE = [
    "Emma",
    "Olivia",
    "Louise",
    "Mila",
    "Lina",
    "Nora",
    "Elena",
    "Julie",
    "Lotte",
    "Fien",
    "Amira",
    "Sara",
    "Noor",
    "Yasmine",
    "Ines",
    "Manon",
    "Chloé",
    "Lea",
    "Camille",
    "Zoë",
    "Hanne",
    "Marie",
    "Aya",
    "Lisa",
    "Anna",
    "Jade",
    "Lou",
    "Eline",
    "Sofia",
    "Amber",
]
GIVEN_MALE = [
    "Noah",
    "Liam",
    "Arthur",
    "Louis",
    "Adam",
    "Jules",
    "Lucas",
    "Victor",
    "Finn",
    "Mohamed",
    "Rayan",
    "Milan",
    "Leon",
    "Jasper",
    "Matteo",
    "Ilyas",
    "Nathan",
    "Théo",
    "Vic",
    "Wout",
    "Senne",
    "Youssef",
    "Hugo",
    "Samuel",
    "Elias",
    "Tom",
    "Kobe",
    "Amir",
    "Lars",
    "Omar",
]
# Invented surnames (built from common Flemish/Walloon name parts; not a list of real people).
SURNAME_STARTS = [
    "Van ",
    "De ",
    "Ver",
    "Mer",
    "Lam",
    "Du",
    "Le",
    "Van der ",
    "Ben",
    "El ",
    "Cor",
    "Wil",
    "Dal",
    "Hen",
]
SURNAME_ENDS = [
    "beke",
    "mont",
    "hout",
    "velde",
    "broek",
    "bosch",
    "mans",
    "rier",
    "lemans",
    "aert",
    "hove",
    "stal",
    "moulin",
    "champ",
    "dijk",
    "kerke",
    "laan",
    "veld",
    "rode",
    "zele",
]
REGION_WEIGHTS = {
    "BE-VAN": 17,
    "BE-VOV": 14,
    "BE-VWV": 10,
    "BE-VBR": 10,
    "BE-VLI": 8,
    "BE-BRU": 13,
    "BE-WHT": 12,
    "BE-WLG": 10,
    "BE-WNA": 4,
    "BE-WBR": 3,
    "BE-WLX": 2,
}
INSTITUTIONS = [
    "Youth care centre De Brug (demo)",
    "Centre d'accueil Les Tilleuls (demo)",
    "Youth home Horizon (demo)",
    "Reception centre Nova (demo)",
]

# --- sexual exploitation (part 2) ------------------------------------------------------------------

# New exploitation cases per category per year, as published (both reports' tables).
EXPLOITATION_NEW_CASES: dict[str, dict[int, int]] = {
    "child_prostitution": {2019: 47, 2020: 66, 2021: 57, 2022: 61, 2023: 73, 2024: 94, 2025: 151},
    "sexting_without_consent": {
        2019: 98,
        2020: 135,
        2021: 129,
        2022: 151,
        2023: 175,
        2024: 227,
        2025: 296,
    },
    "sextortion": {2019: 55, 2020: 101, 2021: 91, 2022: 109, 2023: 183, 2024: 178, 2025: 433},
    "grooming": {2019: 34, 2020: 58, 2021: 43, 2022: 36, 2023: 43, 2024: 43, 2025: 108},
}

# Sextortion's content/financial split is not published. Chosen: 70% financial in 2025 (303 of
# 433), so that boys are, as the 2025 report says, for the first time the largest group of
# victims of sexting, sextortion and grooming together (2025: 429 boys, 408 girls; every earlier
# year has more girls); 60% in 2021 (55 of 91, the 2021 report's share); 60% in other years.
SEXTORTION_FINANCIAL = {2021: 55, 2025: 303}
SEXTORTION_FINANCIAL_SHARE = 0.6

# The exact counts behind the published shares (the reports give percentages rounded to whole
# numbers; each count below gives exactly the published rounding). Victims: girls among them,
# ages as buckets (how many, youngest, oldest), the mean age the report gives, and the facts.
EXPLOITATION_DETAILS: dict[int, dict[str, dict[str, Any]]] = {
    2025: {
        # 151 cases: 92 under 16 (60.9% -> 61%), 3 under 13, 9 boys; 88 in an institution
        # (58.3% -> 58%); 133 ran away before (88.1% -> 88%), linked to their runaway cases;
        # 25 reported through the age-check tool. Teen pimps: not published (invented: 91).
        "child_prostitution": {
            "girls": 142,
            "ages": [(3, 12, 12), (89, 13, 15), (59, 16, 17)],
            "in_institution": 88,
            "ran_away": 133,
            "age_check_tool": 25,
            "teen_pimp": 91,
        },
        # 296 cases: girls 219 (74.0%); 133 aged 13 or younger (44.9% -> 45%), 62 aged 12 or
        # younger (20.9% -> 21%); mean age 14. Deepnudes and expose groups: invented.
        "sexting_without_consent": {
            "girls": 219,
            "ages": [(62, 11, 12), (71, 13, 13), (163, 14, 17)],
            "mean_age": 14,
            "deepnude": 41,
            "expose_group": 58,
        },
        # content, 130 cases: girls 85 (65.4% -> 65%), 79 aged 14 or younger (60.8% -> 61%),
        # mean age 14; financial, 303 cases: boys 279 (92.1% -> 92%), mean age 15.
        "sextortion:content": {"girls": 85, "ages": [(79, 12, 14), (51, 15, 17)], "mean_age": 14},
        "sextortion:financial": {"girls": 24, "ages": [(303, 14, 16)], "mean_age": 15},
        # 108 cases: girls 80 (74.1% -> 74%), mean age 13. Meetings: invented.
        "grooming": {
            "girls": 80,
            "ages": [(108, 11, 15)],
            "mean_age": 13,
            "meeting_happened": 14,
            "planned": 22,
        },
    },
    # The 2021 report: 37 of 57 prostitution cases with a teen pimp, 2 about boys; sexting girls
    # 85% (110 of 129: 85.3%); grooming girls 75%, which no whole number of 43 cases gives
    # (32 = 74.4%, 33 = 76.7%): 32, the nearer. Sextortion: SEXTORTION_FINANCIAL.
    2021: {
        "child_prostitution": {"girls": 55, "teen_pimp": 37},
        "sexting_without_consent": {"girls": 110},
        "grooming": {"girls": 32},
    },
}
# Cases still open on 1 January, carried over from earlier years (the 2021 report: 62 child
# prostitution cases besides the 57 new ones): that many of the previous year's cases close only
# after it.
CARRIED_OVER = {("child_prostitution", 2021): 62}
PLATFORMS = ["Instagram", "Snapchat", "TikTok", "WhatsApp", "Telegram", "Discord", "Roblox"]

# --- the line -------------------------------------------------------------------------------------

# Calls to 116 000 (free + international line) per year and how many of them at night (23-07 h).
# Published: 2021 (16,916) and 2025 (20,831, of which 2,626 at night, 12.6%); the other years
# and their nights (12.6% of the calls) are invented.
CALLS_116000 = {
    2019: 15210,
    2020: 17480,
    2021: 16916,
    2022: 17350,
    2023: 18420,
    2024: 19560,
    2025: 20831,
}
CALLS_AT_NIGHT = {year: round(n * 0.126) for year, n in CALLS_116000.items()} | {2025: 2626}
# Contacts on the other channels per year (invented): not counted as calls to 116 000.
OTHER_CONTACTS = {"116800": 420, "chat": 900, "email": 640, "police": 180, "walk_in": 12}
# The share of them about a case of the year, and the mission of that case: a 116 800 tip about
# a missing child, the police about a disappearance, a victim writing to the case manager.
OTHER_CONTACTS_ABOUT_CASES = {
    "116800": (0.5, "missing"),
    "police": (0.6, "missing"),
    "email": (0.2, "exploitation"),
    "chat": (0.25, "exploitation"),
}
# How often callers ask about each category (relative; about as often as it has cases).
CALL_TOPIC_WEIGHTS = {
    "runaway": 40,
    "family_context": 8,
    "legacy_international_parental_abduction": 8,
    "undefined_and_other": 3,
    "unaccompanied_minor": 5,
    "child_prostitution": 3,
    "sexting_without_consent": 6,
    "sextortion": 8,
    "grooming": 3,
}

# Images the web-crawling tool (the reports' "Arachnid") analysed per year, and of them the ones
# judged abuse material where a report says (2021); the demo records them as counted batches,
# one per month, as a tool that reports totals would.
IMAGES_SCANNED: dict[int, int] = {
    2021: 51000,
    2022: 127851,
    2023: 253480,
    2024: 263187,
    2025: 731346,
}
IMAGES_JUDGED_ABUSE: dict[int, int] = {2021: 34266}
