"""The directory's filter form renders its widgets through Django's Jinja2 renderer.

It has hundreds of <option>s, and rendering them through the template language took a
third of the page; Django ships the same widget templates for both engines. These tests
hold the two renderers to the same output, for that form and every other form of the
site (so that any of them could move too), and the form to the faster one.
"""

import importlib
import inspect
from html.parser import HTMLParser

from django import forms
from django.forms.renderers import DjangoTemplates, Jinja2

import pytest

from matching.forms import DirectoryFilterForm
from matching.models import Cohort
from profiles.models import Language, Skill

pytestmark = pytest.mark.django_db

MODULES = [
    "accounts.forms",
    "matching.forms",
    "goals.forms",
    "goals.meeting_forms",
    "goals.obstacle_forms",
    "profiles.forms",
    "programmes.survey_forms",
    "programmes.invitation_forms",
    "privacy.views",
]


def _form_classes() -> list[type[forms.BaseForm]]:
    found = []
    for name in MODULES:
        module = importlib.import_module(name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == name and issubclass(cls, forms.BaseForm):
                found.append(cls)
    return found


def _instances(cls: type[forms.BaseForm]) -> list[forms.BaseForm]:
    """The form blank and bound to nonsense (so errors and kept values render), as far
    as it can be made without the arguments its views pass."""
    made = []
    for data in (None, {name: "<b>x</b> & 'y'" for name in ("title", "body", "email", "q")}):
        try:
            made.append(cls(data) if data is not None else cls())
        except TypeError:
            return made
    return made


class _Document(HTMLParser):
    """HTML as a browser reads it: tags with their attributes, and text with entities
    decoded and runs of white space as one. The two engines' templates differ only in
    what this drops: blank lines between tags and how an apostrophe is escaped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[object] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parts.append((tag, sorted(attrs, key=lambda a: (a[0], a[1] or ""))))

    def handle_endtag(self, tag: str) -> None:
        self.parts.append(f"/{tag}")

    def handle_data(self, data: str) -> None:
        if text := " ".join(data.split()):
            self.parts.append(text)


def _html(form: forms.BaseForm, renderer: object) -> list[object]:
    form.renderer = renderer
    form.is_bound and form.is_valid()
    document = _Document()
    document.feed("\n".join(str(field) + str(field.errors) for field in form))
    return document.parts


def test_every_form_of_the_site_is_checked() -> None:
    classes = _form_classes()
    assert len(classes) >= 20
    assert sum(1 for cls in classes if _instances(cls)) >= 10


@pytest.mark.parametrize("cls", _form_classes(), ids=lambda cls: cls.__name__)
def test_both_renderers_write_the_same_widgets(cls: type[forms.BaseForm]) -> None:
    for form in _instances(cls):
        assert _html(form, Jinja2()) == _html(form, DjangoTemplates())


def test_the_directory_filter_form_uses_the_jinja2_renderer() -> None:
    form = DirectoryFilterForm(cohort_ids=[], skill_choices=[], language_choices=[])
    assert isinstance(form.renderer, Jinja2)


def test_the_directory_filter_form_with_its_options_renders_the_same() -> None:
    skills = [(s.pk, s.name) for s in Skill.objects.order_by("name")[:150]]
    languages = list(Language.objects.values_list("code", "name")[:60])
    cohort_ids = list(Cohort.objects.values_list("pk", flat=True))
    query = {"skills": [str(skills[0][0]), str(skills[3][0])], "q": "<python>", "sort": "x"}
    for data in (None, query):
        form = DirectoryFilterForm(
            data, cohort_ids=cohort_ids, skill_choices=skills, language_choices=languages
        )
        fast, plain = _html(form, Jinja2()), _html(form, DjangoTemplates())
        assert fast == plain
        assert sum(1 for part in fast if part[0] == "option") >= len(skills)
