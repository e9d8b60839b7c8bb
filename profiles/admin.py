from typing import TYPE_CHECKING, TypedDict

from django.contrib import admin
from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.admin import ModelAdmin, SafeAutocompleteFields
from profiles.models import Language, Profile, ProfileSkill, Skill

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class _PeopleCount(TypedDict):
    people_count: int


class ProfileSkillInline(SafeAutocompleteFields, admin.TabularInline):
    model = ProfileSkill
    extra = 0
    autocomplete_fields = ["skill"]


@admin.register(Profile)
class ProfileAdmin(ModelAdmin):
    list_display = (
        "display_name",
        "user",
        "wants_mentoring",
        "wants_to_mentor",
        "mentor_capacity",
        "industry",
        "time_zone",
        "onboarded_at",
    )
    list_filter = ("wants_mentoring", "wants_to_mentor", "industry", "career_stage")
    search_fields = ("display_name", "user__email", "headline", "organisation")
    list_select_related = ("user",)
    autocomplete_fields = ["user"]
    filter_horizontal = ("languages",)
    inlines = [ProfileSkillInline]
    # "linkedin.com/in/ada" means https, as on the profile form (and Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Skill)
class SkillAdmin(ModelAdmin):
    list_display = ("name", "category", "is_curated", "people")
    list_filter = ("is_curated", "category")
    search_fields = ("name",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Skill]:
        return super().get_queryset(request).annotate(people_count=Count("profile_skills"))

    @admin.display(ordering="people_count", description=_("people"))
    def people(self, obj: "WithAnnotations[Skill, _PeopleCount]") -> int:
        return obj.people_count


@admin.register(Language)
class LanguageAdmin(ModelAdmin):
    list_display = ("name", "code")
    search_fields = ("name", "code")
