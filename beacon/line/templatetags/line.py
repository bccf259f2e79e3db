"""Template tags that show the line on other apps' pages without those apps importing it."""

from django import template

from beacon.line.selectors import calls_of_case

register = template.Library()


@register.simple_tag(takes_context=True)
def calls_about(context, case) -> dict:
    """The calls about the case the page shows, for `line/_case_calls.html`: `calls` (empty when
    the user does not read the line) and whether the user may acknowledge a flagged tip."""
    user = context["request"].user
    return {
        "calls": calls_of_case(case=case, user=user),
        "may_acknowledge": user.has_perm(f"cases.change_{case.mission}_case"),
    }
