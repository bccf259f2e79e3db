"""The staff roles, as Django groups with permissions. Roles are kept in sync after migrations.

Least privilege: a role gets only what its work needs. Hotline analysts, volunteer coordinators
and finance staff have no need to read children's case files; statistics readers see aggregated
figures only.
"""

from django.utils.translation import gettext_lazy as _

MISSING_CASE_WORK = [
    "cases.view_missing_case",
    "cases.open_missing_case",
    "cases.change_missing_case",
    "cases.assess_missing_case",
    "cases.close_missing_case",
    "people.view_person",
    "people.change_person",
]

# Exploitation case files are the most sensitive records: holding these permissions lets a user
# see that such a case exists (number, category, status); opening it (who it is about, the facts)
# needs also to be assigned to it, to lead the assignee's team, or `view_any_exploitation_case`.
EXPLOITATION_CASE_WORK = [
    "cases.view_exploitation_case",
    "cases.open_exploitation_case",
    "cases.change_exploitation_case",
    "cases.close_exploitation_case",
]

LINE_WORK = ["line.view_call", "line.add_call", "line.change_call"]

# The civil hotline's analysts see reported URLs (never a child's case file), assess them and
# confirm the notices that follow.
HOTLINE_WORK = [
    "reports.view_urlitem",
    "reports.assess_urlitem",
    "reports.view_notice",
    "reports.change_notice",
    "reports.view_hotline_figures",
]

# Image matching: analysts see banks, scans and matches, submit images and decide near matches;
# administrators also keep the banks (create, import, remove hashes).
MATCHING_WORK = [
    "matching.view_hashbank",
    "matching.view_scanitem",
    "matching.scan_images",
    "matching.review_match",
]
MATCHING_BANK_KEEPING = [
    "matching.add_hashbank",
    "matching.change_hashbank",
    "matching.add_bankimport",
    "matching.view_bankimport",
    "matching.change_bankhash",
]

# Search notices: case managers prepare, approve (never their own: four-eyes), publish and
# withdraw them, and enter their figures per network.
NOTICE_WORK = [
    "alerts.view_searchnotice",
    "alerts.add_searchnotice",
    "alerts.change_searchnotice",
    "alerts.approve_searchnotice",
    "alerts.publish_searchnotice",
    "alerts.add_channelstat",
    "network.view_municipality",
]

# The network: only volunteer coordinators read volunteers' personal data and keep the network.
NETWORK_KEEPING = [
    "network.view_volunteer",
    "network.add_volunteer",
    "network.change_volunteer",
    "network.view_partner",
    "network.add_partner",
    "network.change_partner",
    "network.view_follower",
    "network.add_follower",
    "network.change_follower",
    "network.view_municipality",
]

# Prevention: trainings, school sessions and stands (run by the network's volunteers), tools.
PREVENTION_WORK = [
    "prevention.view_training",
    "prevention.add_training",
    "prevention.change_training",
    "prevention.view_session",
    "prevention.add_session",
    "prevention.change_session",
    "prevention.view_toolhandout",
    "prevention.add_toolhandout",
]

# Funding: donors' data is read only by finance users and administrators.
FUNDING_WORK = [
    "funding.view_donor",
    "funding.add_donor",
    "funding.change_donor",
    "funding.export_donor",
    "funding.erase_donor",
    "funding.view_gift",
    "funding.add_gift",
    "funding.change_gift",
    "funding.view_bankstatement",
    "funding.add_bankstatement",
    "funding.change_statementline",
    "funding.view_sponsortier",
    "funding.change_sponsortier",
    "funding.view_taxcertificate",
    "funding.issue_certificates",
    "funding.view_accounts",
    "funding.add_trialbalance",
]

ROLES: dict[str, dict] = {
    "administrator": {
        "label": _("Administrator"),
        "permissions": [
            *MISSING_CASE_WORK,
            *EXPLOITATION_CASE_WORK,
            "cases.view_any_exploitation_case",
            *LINE_WORK,
            "people.merge_person",
            "people.unmerge_person",
            *HOTLINE_WORK,
            *MATCHING_WORK,
            *MATCHING_BANK_KEEPING,
            *NOTICE_WORK,
            "network.view_partner",
            "reports.view_analyst_workload",
            "reports.view_victimreferral",
            "reports.change_victimreferral",
            "core.view_outboxmessage",
            "core.resend_outboxmessage",
            "risk.view_riskflag",
            "risk.change_riskflag",
            "core.view_auditrecord",
            "core.add_apitoken",
            "figures.view_figures",
            *PREVENTION_WORK,
            *FUNDING_WORK,
            "auth.view_user",
            "auth.add_user",
            "auth.change_user",
        ],
    },
    "case_manager": {
        "label": _("Case manager"),
        "permissions": [
            *MISSING_CASE_WORK,
            *EXPLOITATION_CASE_WORK,
            *NOTICE_WORK,
            "line.view_call",
            "people.merge_person",
            "reports.view_victimreferral",
            "reports.change_victimreferral",
            "core.add_apitoken",
        ],
    },
    "team_lead": {
        "label": _("Team lead"),
        "permissions": [
            *MISSING_CASE_WORK,
            *EXPLOITATION_CASE_WORK,
            *NOTICE_WORK,
            "line.view_call",
            "people.merge_person",
            "risk.view_riskflag",
            "risk.change_riskflag",
            "reports.view_victimreferral",
            "reports.change_victimreferral",
            "reports.view_analyst_workload",
            "core.add_apitoken",
        ],
    },
    "first_responder": {
        "label": _("First responder (hotline)"),
        "permissions": [
            "cases.view_missing_case",
            "cases.open_missing_case",
            "cases.assess_missing_case",
            "cases.view_exploitation_case",
            "cases.open_exploitation_case",
            *LINE_WORK,
            "people.view_person",
            "core.add_apitoken",
        ],
    },
    "analyst": {
        "label": _("Analyst"),
        "permissions": [*HOTLINE_WORK, *MATCHING_WORK, "core.add_apitoken"],
    },
    "volunteer_coordinator": {
        "label": _("Volunteer coordinator"),
        "permissions": [*NETWORK_KEEPING, *PREVENTION_WORK, "core.add_apitoken"],
    },
    "finance": {"label": _("Finance"), "permissions": [*FUNDING_WORK, "core.add_apitoken"]},
    "statistics_reader": {"label": _("Statistics reader"), "permissions": ["figures.view_figures"]},
}


def sync_roles(**kwargs) -> None:
    """Create the role groups and set exactly their permissions (post_migrate handler)."""
    from django.apps import apps
    from django.contrib.auth.models import Group, Permission

    sender = kwargs.get("sender")
    if sender is not None and sender is not list(apps.get_app_configs())[-1]:
        return

    for name, role in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        wanted = []
        for dotted in role["permissions"]:
            app_label, codename = dotted.split(".", 1)
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                wanted.append(permission)
        group.permissions.set(wanted)
