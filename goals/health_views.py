"""The "Is this working?" page. Only the person asked sees it: to anyone else, the
other side and programme admins included, it answers 404. Links in the email open it
with an answer chosen; nothing changes until the form is posted."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.http import AuthenticatedHttpRequest
from core.forms import submit_form
from goals.health_forms import CheckAnswerForm
from goals.models import CheckAnswer
from goals.selectors import check_for
from goals.services import health
from matching.forms import EndMentorshipForm
from matching.models import MentorshipStatus


@login_required
def check_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    check = check_for(request.user, pk)
    if request.method == "POST":
        if check.is_answered:
            messages.info(request, _("You have already answered this one. Thank you!"))
            return redirect(check)
        form = CheckAnswerForm(request.POST)
        if done := submit_form(
            request,
            form,
            lambda: health.answer_check(check=check, by=request.user, **form.cleaned_data),
            success=_("Thank you for your answer."),
        ):
            return done
    else:
        # The email's one-click links preselect an answer; an unknown one is ignored.
        chosen = request.GET.get("answer", "")
        form = CheckAnswerForm(initial={"answer": chosen} if chosen in CheckAnswer.values else None)
    mentorship = check.mentorship
    offer_ending = check.answer == CheckAnswer.POOR_FIT and mentorship.is_active
    return render(
        request,
        "goals/health/check_detail.html",
        {
            "check": check,
            "mentorship": mentorship,
            "other": mentorship.other_side(request.user),
            "is_mentee": mentorship.mentee_enrollment.user_id == request.user.pk,
            "form": form,
            "offer_ending": offer_ending,
            "end_form": EndMentorshipForm(
                initial={
                    "outcome": MentorshipStatus.ENDED_EARLY,
                    "reason": _("It wasn't a good fit for us. Thank you for your time."),
                }
            )
            if offer_ending
            else None,
        },
    )
