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

# Exact counts behind the published 2025 shares (the report gives rounded percentages):
# victims are described by (how many, girls among them, age buckets as (count, youngest, oldest)).
# Sextortion's content/financial split is not published: 130/303 (70% financial) is chosen so
# that boys are, as the report says, the largest group of victims of sexting, sextortion and
# grooming together (429 boys, 408 girls).
EXPLOITATION_2025: dict[str, dict[str, Any]] = {
    # 61% under 16 (92), 3 under 13, 9 boys; 58% in an institution (88), 88% with runaway
    # episodes (133), 25 reports through the age-check tool.
    "child_prostitution": {
        "girls": 142,
        "ages": [(3, 12, 12), (89, 13, 15), (59, 16, 17)],
        "in_institution": 88,
        "ran_away": 133,
        "age_check_tool": 25,
        "teen_pimp": 91,
    },
    # girls 74% (219); 45% aged 13 or younger (133), 21% 12 or younger (62); mean 14.
    "sexting_without_consent": {
        "girls": 219,
        "ages": [(62, 11, 12), (71, 13, 13), (163, 14, 17)],
        "deepnude": 41,
        "expose_group": 58,
    },
    # content: girls 65% (85 of 130), 61% aged 14 or younger (79), mean 14;
    # financial: boys 92% (279 of 303), mean 15.
    "sextortion:content": {"girls": 85, "ages": [(79, 12, 14), (51, 15, 17)]},
    "sextortion:financial": {"girls": 24, "ages": [(303, 14, 16)]},
    # girls 74% (80), mean 13.
    "grooming": {"girls": 80, "ages": [(108, 11, 15)], "meeting_happened": 14, "planned": 22},
}
# 2021 (the 2021 report): 37 of 57 prostitution cases with a teen pimp, 2 about boys; grooming
# girls 75% (32 of 43 = 74.4%: 75% of 43 is not a whole number); sextortion 60% financial (55);
# sexting girls 85% (110).
EXPLOITATION_2021: dict[str, Any] = {
    "child_prostitution": {"girls": 55, "teen_pimp": 37},
    "grooming": {"girls": 32},
    "sextortion:financial": 55,
    "sexting_without_consent": {"girls": 110},
}
PLATFORMS = ["Instagram", "Snapchat", "TikTok", "WhatsApp", "Telegram", "Discord", "Roblox"]

# --- the line -------------------------------------------------------------------------------------

# Calls to 116 000 (free + international line) per year and how many of them at night (23-07 h).
# Published: 2021 (16,916) and 2025 (20,831, 2,626 at night); the other years are invented.
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
