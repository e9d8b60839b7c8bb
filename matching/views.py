from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from allauth.core import ratelimit

from accounts.http import AuthenticatedHttpRequest
from core.forms import model_choice_field, submit_form
from matching import cards, languages, selectors, services
from matching.forms import (
    AcceptingForm,
    DeclineForm,
    DirectoryFilterForm,
    EndMentorshipForm,
    FeedbackForm,
    IntroductionForm,
    JoinCohortForm,
    MessageForm,
    MovePreferenceForm,
    PreferenceForm,
    RequestForm,
)
from matching.models import MAX_PREFERENCES, Enrollment, IntroductionStatus, JoinMode, Role
from matching.services import preferences, suggestions

# --- Directory --------------------------------------------------------------


@login_required
def directory(request: AuthenticatedHttpRequest) -> HttpResponse:
    cohort_ids, spoken = selectors.directory_viewer(request.user)
    pool = selectors.directory_pool(cohort_ids)
    form = DirectoryFilterForm(
        request.GET or None,
        cohort_ids=cohort_ids,
        skill_choices=pool.skill_choices(),
        language_choices=pool.language_names,
    )
    filters = form.filters() if request.GET else DirectoryFilterForm.DEFAULTS
    ids, fits = selectors.directory_ids(
        user=request.user, filters=filters, pool=pool, spoken=spoken
    )
    # The page of ids becomes the page of cards the template draws.
    page: Page[Any] = Paginator(ids, selectors.DIRECTORY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = cards.directory_cards(
        request.user, list(page.object_list), fits, pool, spoken=spoken
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "matching/directory.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "is_mentee": bool(cohort_ids),
            "several_cohorts": len(cohort_ids) > 1,
            "speaks_nothing_listed": not spoken,
        },
    )


@login_required
def mentor_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    mentor = selectors.mentor_for(request.user, pk)
    # The dashboard lists the last few mentors this person looked at.
    seen = [p for p in request.session.get(selectors.RECENTLY_VIEWED_KEY, []) if p != mentor.pk]
    request.session[selectors.RECENTLY_VIEWED_KEY] = [mentor.pk, *seen][:5]
    return _mentor_page(request, mentor, RequestForm())


def _mentor_page(request: AuthenticatedHttpRequest, mentor: Any, form: RequestForm) -> HttpResponse:
    replies = selectors.typical_response_days([mentor.user_id])
    choice = selectors.open_choice_for(request.user, mentor)
    between = languages.fit_between(request.user, mentor.user)
    return render(
        request,
        "matching/mentor_detail.html",
        {
            "mentor": mentor,
            "profile": mentor.user.profile,
            "form": form,
            "open_request": selectors.open_request_between(request.user, mentor),
            "response_phrase": selectors.response_phrase(replies.get(mentor.user_id)),
            # During the cohort's preference window: the mentee's enrollment there, and
            # this mentor's place in their choices (None if not listed).
            "chooser": choice[0] if choice else None,
            "my_choice": choice[1] if choice else None,
            "language_fit": between,
            # The request would be refused: say why instead of offering the form.
            "language_blocks": between.is_mismatch
            and not mentor.cohort.allow_requests_without_shared_language,
        },
    )


@login_required
@require_POST
def send_request(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    mentor = selectors.mentor_for(request.user, pk)
    form = RequestForm(request.POST)
    if done := submit_form(
        request,
        form,
        lambda: services.send_request(
            mentee=request.user, mentor_enrollment=mentor, **form.cleaned_data
        ),
        success=gettext("Your request is on its way to %(name)s.")
        % {"name": mentor.user.get_full_name()},
    ):
        return done
    return _mentor_page(request, mentor, form)


# --- Requests ---------------------------------------------------------------


@login_required
def request_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = {
        **selectors.requests_for(request.user),
        "closed_shown": selectors.CLOSED_REQUESTS_SHOWN,
    }
    return render(request, "matching/requests.html", context)


def _request_page(
    request: AuthenticatedHttpRequest,
    mentorship_request: Any,
    *,
    message_form: Form | None = None,
    decline_form: Form | None = None,
    status: int = 200,
) -> HttpResponse:
    is_mentor = mentorship_request.side_of(request.user) == Role.MENTOR
    return render(
        request,
        "matching/request_detail.html",
        {
            "req": mentorship_request,
            "is_mentor": is_mentor,
            "other": (
                mentorship_request.mentee_enrollment.user
                if is_mentor
                else mentorship_request.mentor_enrollment.user
            ),
            "thread": mentorship_request.messages.select_related("author__profile"),
            "message_form": message_form or MessageForm(),
            "decline_form": decline_form or DeclineForm(),
            "mentorship": getattr(mentorship_request, "mentorship", None),
        },
        status=status,
    )


@login_required
def request_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    mentorship_request = selectors.request_for(request.user, pk)
    if request.method == "POST":
        form = MessageForm(request.POST)
        if done := submit_form(
            request,
            form,
            lambda: services.post_request_message(
                request=mentorship_request, author=request.user, body=form.cleaned_data["body"]
            ),
            success=gettext("Message sent."),
            then=mentorship_request,
        ):
            return done
        return _request_page(request, mentorship_request, message_form=form)
    return _request_page(request, mentorship_request)


@login_required
@require_POST
def accept_request(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    mentorship_request = selectors.request_for(request.user, pk)
    try:
        mentorship = services.accept_request(request=mentorship_request, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(mentorship_request)
    messages.success(request, gettext("You accepted. We've introduced you both by email."))
    return redirect(mentorship)


@login_required
@require_POST
def decline_request(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    mentorship_request = selectors.request_for(request.user, pk)
    form = DeclineForm(request.POST)
    if done := submit_form(
        request,
        form,
        lambda: services.decline_request(
            request=mentorship_request, by=request.user, **form.cleaned_data
        ),
        success=gettext("You declined the request. We've let them know, kindly."),
        level=messages.INFO,
        then="matching:requests",
    ):
        return done
    return _request_page(request, mentorship_request, decline_form=form)


@login_required
@require_POST
def withdraw_request(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    mentorship_request = selectors.request_for(request.user, pk)
    try:
        services.withdraw_request(request=mentorship_request, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(mentorship_request)
    messages.info(request, gettext("Your request is withdrawn."))
    return redirect("matching:requests")


# --- Mentorships ------------------------------------------------------------


def _mentorship_page(
    request: AuthenticatedHttpRequest, mentorship: Any, **forms: Form
) -> HttpResponse:
    user = request.user
    is_mentor = mentorship.side_of(user) == Role.MENTOR
    # Only the two people write messages (post_mentorship_message checks), and
    # mentorship_for() has read both already with their profiles.
    authors = {person.pk: person for person in (mentorship.mentee, mentorship.mentor)}
    thread = list(mentorship.messages.all())
    for message in thread:
        if message.author_id in authors:
            message.author = authors[message.author_id]
    context = {
        "mentorship": mentorship,
        "is_mentor": is_mentor,
        "me": user,
        "other": mentorship.other_side(user),
        "thread": thread,
        "earlier": selectors.conversation_before(mentorship),
        "goals": mentorship.goals.only("mentorship", "title", "status", "target_date"),
        "introductions": mentorship.introductions.select_related("contact__profile").only(
            "mentorship",
            "status",
            "contact__email",
            "contact__profile__user_id",
            "contact__profile__display_name",
        ),
        # Feedback is asked for, and shown, only once the mentorship has ended.
        "my_feedback": None
        if mentorship.is_active
        else mentorship.feedback.filter(author=user).first(),
        "message_form": forms.get("message_form") or MessageForm(),
        "end_form": forms.get("end_form") or EndMentorshipForm(),
        "feedback_form": forms.get("feedback_form") or FeedbackForm(),
        "intro_form": forms.get("intro_form") or IntroductionForm(),
    }
    return render(request, "matching/mentorship_detail.html", context)


@login_required
def mentorship_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    mentorship = selectors.mentorship_for(request.user, pk)
    if request.method == "POST":
        form = MessageForm(request.POST)
        if done := submit_form(
            request,
            form,
            lambda: services.post_mentorship_message(
                mentorship=mentorship, author=request.user, body=form.cleaned_data["body"]
            ),
            then=mentorship,
        ):
            return done
        return _mentorship_page(request, mentorship, message_form=form)
    return _mentorship_page(request, mentorship)


def _mentorship_action(
    request: AuthenticatedHttpRequest,
    pk: int,
    *,
    form_class: type[Form],
    form_name: str,
    service: Callable[..., Any],
    success: str,
) -> HttpResponse:
    """POST a form about one mentorship to one service; on failure, show the page again."""
    mentorship = selectors.mentorship_for(request.user, pk)
    form = form_class(request.POST)
    if done := submit_form(
        request,
        form,
        lambda: service(mentorship=mentorship, by=request.user, **form.cleaned_data),
        success=success,
        then=mentorship,
    ):
        return done
    return _mentorship_page(request, mentorship, **{form_name: form})


@login_required
@require_POST
def end_mentorship(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _mentorship_action(
        request,
        pk,
        form_class=EndMentorshipForm,
        form_name="end_form",
        service=services.end_mentorship,
        success=gettext("The mentorship has ended. Please leave a short feedback."),
    )


@login_required
@require_POST
def leave_feedback(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _mentorship_action(
        request,
        pk,
        form_class=FeedbackForm,
        form_name="feedback_form",
        service=services.leave_feedback,
        success=gettext("Thank you for your feedback."),
    )


@login_required
@require_POST
def introduce(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _mentorship_action(
        request,
        pk,
        form_class=IntroductionForm,
        form_name="intro_form",
        service=services.introduce,
        success=gettext("We've asked them. Once they accept, all three of you get an email."),
    )


@login_required
def introduction_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    introduction = selectors.introduction_for(request.user, pk)
    return render(
        request,
        "matching/introduction_detail.html",
        {
            "introduction": introduction,
            "is_contact": request.user.pk == introduction.contact_id,
            "mentee": introduction.mentorship.mentee,
            "mentor": introduction.mentorship.mentor,
        },
    )


@login_required
@require_POST
def answer_introduction(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    introduction = selectors.introduction_for(request.user, pk)
    accept = request.POST.get("answer") == "accept"
    try:
        answered = services.answer_introduction(
            introduction=introduction, by=request.user, accept=accept
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if answered.status == IntroductionStatus.ACCEPTED:
            messages.success(request, gettext("Done: we've introduced you all by email."))
        else:
            messages.info(request, gettext("Thanks for letting us know. Nothing was shared."))
    return redirect(introduction)


@login_required
@require_POST
def dismiss_suggestion(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    suggestion = selectors.suggestion_for(request.user, pk)
    suggestions.dismiss(suggestion=suggestion, by=request.user)
    name = suggestion.mentor_enrollment.user.get_full_name()
    messages.info(request, gettext("We won't suggest %(name)s again.") % {"name": name})
    return redirect("dashboard")


# --- Cohorts and the mentor's switch ----------------------------------------


@login_required
def cohorts(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = JoinCohortForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if _out_of_invite_code_tries(request, form):
            form.add_error(
                "invite_code", gettext("Too many tries. Wait a few minutes and try again.")
            )
            status = 429
        elif done := submit_form(
            request,
            form,
            lambda: services.join_cohort(
                user=request.user,
                cohort=form.cleaned_data["cohort"],
                role=Role(form.cleaned_data["role"]),
                invite_code=form.cleaned_data["invite_code"],
            ),
            success=lambda joined: (
                (
                    gettext("You joined %(cohort)s as mentor.")
                    if joined.role == Role.MENTOR
                    else gettext("You joined %(cohort)s as mentee.")
                )
                % {"cohort": joined.cohort.name}
            ),
            then="matching:cohorts",
        ):
            return done
    return render(
        request,
        "matching/cohorts.html",
        {"cohorts": selectors.joinable_cohorts(request.user), "form": form},
        status=status,
    )


def _out_of_invite_code_tries(request: AuthenticatedHttpRequest, form: JoinCohortForm) -> bool:
    # Invite codes are short secrets: every try at one counts, per person and per
    # client address, like failed logins, so they cannot be guessed in a loop.
    if not form.is_valid() or form.cleaned_data["cohort"].join_mode != JoinMode.INVITE:
        return False
    return not ratelimit.consume(request, action="invite_code", user=request.user)


@login_required
@require_POST
def set_accepting(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = AcceptingForm(request.POST)
    form.is_valid()
    profile = services.set_accepting(user=request.user, accepting=form.cleaned_data["accepting"])
    if profile.is_accepting_requests:
        messages.success(request, gettext("You're open to new requests."))
    else:
        messages.info(
            request,
            gettext("New requests are paused. Your current mentees are not affected."),
        )
    return redirect("dashboard")


# --- Stated preferences -----------------------------------------------------


@login_required
def choices(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    chooser = selectors.choosing_enrollment_for(request.user, pk)
    cohort = chooser.cohort
    return render(
        request,
        "matching/choices.html",
        {
            "page": selectors.preference_page(chooser),
            "cohort": cohort,
            "window": cohort.preference_window(),
            "is_mentee": chooser.role == Role.MENTEE,
            "max_choices": MAX_PREFERENCES,
            "time_zone": request.user.profile.time_zone,
        },
    )


def _change_choices(
    request: AuthenticatedHttpRequest,
    pk: int,
    form_class: type[PreferenceForm],
    change: Callable[[Enrollment, PreferenceForm], str],
    *,
    among: Callable[[Enrollment], QuerySet[Enrollment]] = selectors.choosable_for,
) -> HttpResponse:
    """POST one change to one's choices; a refusal or junk becomes a message on the page.

    The services are idempotent (an add or move sent twice changes things once), so no
    one-time token is needed."""
    chooser = selectors.choosing_enrollment_for(request.user, pk)
    form = form_class(request.POST)
    model_choice_field(form, "chosen").queryset = among(chooser)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("matching:choices", pk=chooser.pk)
    try:
        text = change(chooser, form)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, text)
    return redirect("matching:choices", pk=chooser.pk)


@login_required
@require_POST
def add_choice(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def add(chooser: Enrollment, form: PreferenceForm) -> str:
        chosen = form.cleaned_data["chosen"]
        added = preferences.add_preference(chooser=chooser, chosen=chosen, by=request.user)
        name = chosen.user.get_full_name()
        return gettext("%(name)s is your %(ordinal)s choice.") % {
            "name": name,
            "ordinal": preferences.ordinal(added.rank),
        }

    return _change_choices(request, pk, PreferenceForm, add)


@login_required
@require_POST
def move_choice(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def move(chooser: Enrollment, form: PreferenceForm) -> str:
        chosen = form.cleaned_data["chosen"]
        moved = preferences.move_preference(
            chooser=chooser, chosen=chosen, rank=form.cleaned_data["rank"], by=request.user
        )
        name = chosen.user.get_full_name()
        return gettext("%(name)s is now your %(ordinal)s choice.") % {
            "name": name,
            "ordinal": preferences.ordinal(moved.rank),
        }

    return _change_choices(request, pk, MovePreferenceForm, move, among=selectors.listed_by)


@login_required
@require_POST
def remove_choice(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def remove(chooser: Enrollment, form: PreferenceForm) -> str:
        chosen = form.cleaned_data["chosen"]
        preferences.remove_preference(chooser=chooser, chosen=chosen, by=request.user)
        return gettext("%(name)s is no longer among your choices.") % {
            "name": chosen.user.get_full_name()
        }

    # Whoever is listed, even someone who has left the programme since.
    return _change_choices(request, pk, PreferenceForm, remove, among=selectors.listed_by)
