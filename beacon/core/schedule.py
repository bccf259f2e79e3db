"""Periodic work: each job is a function that does whatever is due now (deliver due outbox
messages, check due URLs, minimise expired reports), so running it twice, late or early is
harmless. `beacon tick` runs every job once (for cron); `beacon serve` runs `tick --loop`.

The jobs are named in settings.PERIODIC_JOBS as dotted paths, so core imports no other app.
"""

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


def run_periodic_jobs() -> dict[str, str]:
    """Run every job once; one job's failure is logged and does not stop the others."""
    results: dict[str, str] = {}
    for dotted in settings.PERIODIC_JOBS:
        try:
            outcome = import_string(dotted)()
        except Exception as exc:  # noqa: BLE001 - a job's error must not stop the others
            logger.exception("periodic job %s failed", dotted)
            results[dotted] = f"failed: {type(exc).__name__}"
        else:
            results[dotted] = "ok" if outcome is None else str(outcome)
    return results
