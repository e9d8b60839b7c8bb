from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Submission(models.Model):
    """A form post that created something, by the one-time token its form carried.

    A second post of the same form (a double click, a retry after a timeout, the back
    button and submit again) finds the first one's row and lands where it landed,
    instead of creating the thing twice (core.forms.submit_form).
    """

    token = models.UUIDField(_("token"), unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    redirect_to = models.CharField(_("redirect to"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")

    def __str__(self) -> str:
        return f"submission {self.token}"
