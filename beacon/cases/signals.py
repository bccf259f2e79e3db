"""Signals other apps listen to (cases imports none of them).

`case_closed` is sent inside the closing transaction, after the case is saved: a receiver's writes
commit or roll back with the closing itself. Search notices use it to withdraw every channel the
minute a child is found."""

from django.dispatch import Signal

# Sent with sender=Case, case=<Case>, actor=<user>, outcome=<str>.
case_closed = Signal()
