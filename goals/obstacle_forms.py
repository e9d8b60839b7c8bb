"""Forms for obstacles, and the per-obstacle forms the goal page shows."""

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import OnceForm
from goals.models import Obstacle, ObstacleCategory


class ObstacleForm(OnceForm):
    category = forms.ChoiceField(
        label=_("What kind of obstacle?"),
        choices=[("", _("Choose…")), *ObstacleCategory.choices],
        error_messages={"invalid_choice": _("Choose one of the kinds in the list.")},
    )
    description = forms.CharField(
        label=_("What is blocking you?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Your mentor reads this and answers with advice."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_obstacle_%s")
        super().__init__(*args, **kwargs)


class AdviceForm(OnceForm):
    advice = forms.CharField(
        label=_("Your advice"), max_length=3000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, obstacle_pk: int, **kwargs: Any) -> None:
        # Each open obstacle has its own form on the page; ids must not collide.
        self.obstacle_pk = obstacle_pk
        kwargs.setdefault("auto_id", f"id_obstacle{obstacle_pk}_%s")
        super().__init__(*args, **kwargs)


class ResolveForm(forms.Form):
    resolution = forms.CharField(
        label=_("What unblocked it? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, obstacle_pk: int, **kwargs: Any) -> None:
        self.obstacle_pk = obstacle_pk
        kwargs.setdefault("auto_id", f"id_obstacle{obstacle_pk}_%s")
        super().__init__(*args, **kwargs)


@dataclass(frozen=True)
class OpenObstacle:
    """An open obstacle with its two forms, either fresh or the one just rejected."""

    obstacle: Obstacle
    advice_form: AdviceForm
    resolve_form: ResolveForm


def open_obstacle_rows(
    obstacles: list[Obstacle],
    *,
    advice_form: forms.Form | None = None,
    resolve_form: forms.Form | None = None,
) -> list[OpenObstacle]:
    # The goal page hands over whatever form its last POST bound; only an advice or
    # resolve form for this very obstacle takes the blank one's place.
    rows = []
    for o in obstacles:
        advice = AdviceForm(obstacle_pk=o.pk, initial={"advice": o.advice})
        if isinstance(advice_form, AdviceForm) and advice_form.obstacle_pk == o.pk:
            advice = advice_form
        resolve = ResolveForm(obstacle_pk=o.pk)
        if isinstance(resolve_form, ResolveForm) and resolve_form.obstacle_pk == o.pk:
            resolve = resolve_form
        rows.append(OpenObstacle(obstacle=o, advice_form=advice, resolve_form=resolve))
    return rows
