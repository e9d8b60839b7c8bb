"""The survey page. No login: the personal link's token is the key, as in the email."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache

from core.forms import submit_form
from programmes.models import SurveyResponse
from programmes.services.surveys import answer_survey
from programmes.survey_forms import SurveyForm


@never_cache
def survey(request: HttpRequest, token: str) -> HttpResponse:
    response = get_object_or_404(SurveyResponse.objects.select_related("cohort"), token=token)
    if response.is_answered:
        return render(request, "programmes/survey_thanks.html", {"response": response})
    form = SurveyForm(request.POST or None, role=response.role)
    if request.method == "POST" and (
        done := submit_form(
            request,
            form,
            lambda: answer_survey(response=response, **form.cleaned_data),
            then=response.get_absolute_url(),
        )
    ):
        return done
    return render(request, "programmes/survey.html", {"form": form, "response": response})
