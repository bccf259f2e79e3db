"""What follows an assessment: the rules by which Beacon proposes actions for the analyst to confirm.

A pure function of the assessment, the URL's platform, the organisation's country and the member
hotlines, so the rules can be read and tested in one place:

- not accessible, or not illegal -> close (the reporter is told if they asked);
- illegal and hosted in the organisation's country -> notice to the national police;
- illegal and hosted abroad in a country with an INHOPE member hotline -> notice to that hotline;
- illegal and hosted abroad where no member hotline is -> the national police, for INTERPOL;
- illegal on a platform with a trusted-flagger channel -> also a DSA Article 16 notice to it;
- an identifiable victim -> also a referral to a case manager.
"""

from dataclasses import dataclass

from beacon.reports.choices import ILLEGAL, Action

NOTICE_ACTIONS = (Action.POLICE, Action.HOTLINE, Action.POLICE_INTERPOL, Action.PLATFORM)
# One of these says where the content is hosted; only one may be chosen.
HOSTING_ACTIONS = (Action.POLICE, Action.HOTLINE, Action.POLICE_INTERPOL)


@dataclass(frozen=True)
class Situation:
    """The facts the rules look at."""

    accessible: bool
    classification: str
    hosting_country: str
    home_country: str
    hotline_countries: frozenset[str]
    platform_has_channel: bool
    identifiable_victim: bool

    @property
    def illegal(self) -> bool:
        return self.accessible and self.classification in ILLEGAL


def hosting_action(situation: Situation) -> str | None:
    """Where the hosting country sends the notice (None when the country is not known)."""
    country = situation.hosting_country.upper()
    if not country:
        return None
    if country == situation.home_country.upper():
        return Action.POLICE
    if country in situation.hotline_countries:
        return Action.HOTLINE
    return Action.POLICE_INTERPOL


def propose(situation: Situation) -> list[str]:
    """The actions Beacon proposes, in the order they are shown."""
    if not situation.illegal:
        return [Action.CLOSE]
    actions: list[str] = []
    where = hosting_action(situation)
    if where is not None:
        actions.append(where)
    if situation.platform_has_channel:
        actions.append(Action.PLATFORM)
    if situation.identifiable_victim:
        actions.append(Action.VICTIM_REFERRAL)
    return actions
