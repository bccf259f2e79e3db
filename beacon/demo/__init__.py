"""The synthetic demo organisation: staff of every role and missing-child cases 2019-2025,
with the files opened in 2016-2018 that 2019-2021 still handled."""
