"""Search notices follow their case: closing it withdraws them, in the same transaction."""

from django.dispatch import receiver

from beacon.cases.signals import case_closed


@receiver(case_closed, dispatch_uid="alerts.withdraw_on_case_closed")
def withdraw_on_case_closed(sender, case, actor, outcome, **kwargs) -> None:
    from beacon.alerts.services import notices_withdraw_for_case

    notices_withdraw_for_case(actor=actor, case=case, outcome=outcome)
