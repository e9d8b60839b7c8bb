from django.urls import path

from profiles import views

app_name = "profiles"

urlpatterns = [
    path("onboarding/", views.onboarding_start, name="onboarding-start"),
    path("onboarding/role/", views.onboarding_role, name="onboarding-role"),
    path("onboarding/about/", views.onboarding_about, name="onboarding-about"),
    path("onboarding/skills/", views.onboarding_skills, name="onboarding-skills"),
    path("profile/", views.profile_detail, name="detail"),
    path("profile/edit/", views.profile_edit, name="edit"),
    path("profile/role/", views.profile_role, name="role"),
    path("profile/skills/", views.profile_skills, name="skills"),
    path("profile/emails/", views.email_settings, name="email-settings"),
]
