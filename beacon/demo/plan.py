"""How many demo cases of what kind, per year: the shape the published annual reports describe.

These numbers are the *input* of the synthetic generator (how many records to invent), in the way
a real organisation's history would be its input; the figures are then computed from the records
by beacon.figures, never read from here.
"""

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
