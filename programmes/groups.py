"""The "Programme admin" group: what a cohort's admins may do in the admin.

Which cohorts they may do it to is the Cohort.admins link, enforced by every admin page
(matching.admin_scoping). The group is kept in step after every migrate, so a new model's
permissions reach existing programme admins without a manual step.
"""

from typing import Any

PROGRAMME_ADMIN_GROUP = "Programme admin"

# app label -> model -> permission codename prefixes (plus custom codenames).
PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "matching": {
        "cohort": ("view", "change"),
        "enrollment": ("view", "add", "change"),
        "mentorshiprequest": ("view",),
        "mentorship": ("view",),
        "introduction": ("view",),
        "matchweights": ("view", "add"),
        "suggestion": ("view",),
        "preference": ("view",),
        "matchrun": ("view", "add", "change", "publish"),
        "auditentry": ("view",),
    },
    "goals": {
        "goal": ("view",),
        "meeting": ("view",),
        "obstacle": ("view",),
        "fitcheck": ("view",),
    },
    "programmes": {
        "importbatch": ("view", "add"),
        "invitation": ("view", "add", "change"),
        "surveyresponse": ("view",),
    },
}


def sync_programme_admin_group(**kwargs: Any) -> None:
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name=PROGRAMME_ADMIN_GROUP)
    wanted = []
    for app_label, models in PERMISSIONS.items():
        for model, actions in models.items():
            codenames = [f"{action}_{model}" for action in actions]
            wanted += list(
                Permission.objects.filter(
                    content_type__app_label=app_label,
                    content_type__model=model,
                    codename__in=codenames,
                )
            )
    group.permissions.set(wanted)
