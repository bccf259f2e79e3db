"""The synthetic demo organisation: staff of every role and missing-child cases 2019-2025."""
