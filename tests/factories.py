from django.contrib.auth.models import Group
from django.utils import timezone

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP

from accounts.models import User
from matching.models import Cohort, Enrollment, Mentorship, Role
from matching.services import accept_request, send_request
from profiles.models import Language, Profile, ProfileSkill, Skill, SkillKind
from profiles.services import notify_intent_changed
from programmes.groups import PROGRAMME_ADMIN_GROUP

PASSWORD = "a-long-enough-passphrase-42"
# Every staff account the factories make has an authenticator app with this secret (the
# admin asks staff for a second factor); tests.helpers.totp_code gives its current code.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
# Long enough for the request form's minimum, and plain enough to find in an email.
REQUEST_MESSAGE = (
    "Hello! I would love your help preparing my first conference talk, from the outline "
    "to the rehearsals and the hard questions at the end."
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        """A verified primary address, as allauth keeps it; pass verified=False to skip."""
        if create and extracted is not False:
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)
        if create:
            self.save()

    @factory.post_generation
    def two_factor(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        """Staff get an authenticator app, as the admin requires; two_factor=False skips."""
        if create and self.is_staff and extracted is not False:
            give_two_factor(self)


def give_two_factor(user: User) -> None:
    """Set up an authenticator app for ``user`` with the tests' known secret."""
    TOTP.activate(user, TOTP_SECRET)


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Profile
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    wants_mentoring = True
    wants_to_mentor = False
    display_name = factory.Faker("name")
    headline = "Engineer growing into leadership"
    job_title = "Software engineer"
    organisation = "Acme"
    industry = "software"
    years_experience = 5
    career_stage = "mid"
    time_zone = "Europe/Berlin"
    hours_per_month = 4
    career_goals = "Become a tech lead within two years and lead a small team well."
    target_role = "Tech lead"
    essentials_done_at = factory.LazyFunction(timezone.now)
    onboarded_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def languages(self, create: bool, extracted: list[str] | None, **kwargs: object) -> None:
        if create:
            self.languages.set(Language.objects.filter(code__in=extracted or ["en"]))

    @factory.post_generation
    def skills(self, create: bool, extracted: object, **kwargs: object) -> None:
        """Give every onboarded profile the skills its intent requires."""
        if not create:
            return
        if self.wants_to_mentor:
            ProfileSkill.objects.create(
                profile=self, skill=Skill.objects.get(name="Python"), kind=SkillKind.EXPERTISE
            )
        if self.wants_mentoring:
            ProfileSkill.objects.create(
                profile=self,
                skill=Skill.objects.get(name="Public speaking"),
                kind=SkillKind.LEARN,
            )

    @factory.post_generation
    def enrolled(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        """Enroll onboarded people in the community cohort, as onboarding does."""
        if create and self.is_onboarded and extracted is not False:
            notify_intent_changed(self)


class CohortFactory(factory.django.DjangoModelFactory):
    """A programme besides the community cohort; starts today unless told otherwise."""

    class Meta:
        model = Cohort

    name = factory.Sequence(lambda n: f"Programme {n}")
    slug = factory.Sequence(lambda n: f"programme-{n}")


class EnrollmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrollment

    cohort = factory.SubFactory(CohortFactory)
    role = Role.MENTOR


def mentorship_between(
    mentee: User | None = None, mentor: User | None = None, *, message: str = REQUEST_MESSAGE
) -> Mentorship:
    """A mentorship made the way people make one: the mentee asks in the community cohort
    and the mentor accepts. Without people, a new mentee and a new mentor."""
    mentee = mentee or ProfileFactory(wants_mentoring=True, wants_to_mentor=False).user
    mentor = mentor or ProfileFactory(wants_mentoring=False, wants_to_mentor=True).user
    request = send_request(
        mentee=mentee, mentor_enrollment=mentor.enrollments.get(role=Role.MENTOR), message=message
    )
    return accept_request(request=request, by=mentor)


def site_programme_admin(*cohorts: Cohort) -> User:
    """A programme admin of ``cohorts`` who also uses the site (onboarded, with a
    profile), to read their cohorts' goals and meetings there."""
    user = ProfileFactory(enrolled=False).user
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    give_two_factor(user)
    user.groups.add(Group.objects.get(name=PROGRAMME_ADMIN_GROUP))
    for cohort in cohorts:
        cohort.admins.add(user)
    return user


def make_programme_admin(*cohorts: Cohort, in_group: bool = True) -> User:
    """Staff, in the "Programme admin" group (unless not ``in_group``), and an admin of
    each of ``cohorts``."""
    user = UserFactory(is_staff=True)
    if in_group:
        user.groups.add(Group.objects.get(name=PROGRAMME_ADMIN_GROUP))
    for cohort in cohorts:
        cohort.admins.add(user)
    return user
