"""Writes of the API app: making and revoking tokens, and people's enrollments."""

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from api.models import SECRET_PREFIX, ApiToken, hash_secret
from api.selectors import may_use_api
from matching import services as matching_services
from matching.admin_scoping import can_administer
from matching.models import Cohort, Enrollment, Role
from matching.services.suggestions import request_recompute


@transaction.atomic
def create_token(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user`` and its secret, which is never stored and never shown again."""
    if not may_use_api(user):
        raise PermissionDenied
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Say what the token is for.")})
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=secret[:12], secret_hash=hash_secret(secret)
    )
    return token, secret


@transaction.atomic
def revoke_token(*, token: ApiToken, by: User) -> ApiToken:
    """Stop a token working at once; revoking twice changes nothing."""
    if token.user_id != by.pk and not by.is_superuser:
        raise PermissionDenied
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


@transaction.atomic
def enroll_person(*, cohort: Cohort, email: str, role: str, by: User) -> Enrollment:
    """A programme admin enrolls someone who already has an account; people without
    one are invited instead (programmes.services.invitations)."""
    if not can_administer(by, cohort):
        raise PermissionDenied
    if role not in Role.values:
        raise ValidationError({"role": _("Choose mentor or mentee.")})
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        raise ValidationError(
            {"email": _("Nobody uses this email address here. Invite the person instead.")}
        )
    if Enrollment.objects.active().filter(user=user, cohort=cohort, role=role).exists():
        raise ValidationError(
            {"email": _("This person is already enrolled in this role in this programme.")}
        )
    enrollment = matching_services._enroll(user=user, cohort=cohort, role=Role(role))
    request_recompute(cohort_ids=[cohort.pk])
    return enrollment
