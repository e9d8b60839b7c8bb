"""``{{ form|crispy_cached }}``: crispy's own markup, rendered once per process for a form
nobody has filled in yet.

Crispy takes 0.5-2 ms a form, and the goal and meeting pages show several blank forms on
every view. A blank form's markup is a pure function of its fields (labels, help text,
choices, initial values, widget attributes), so it is rendered once for each distinct set
of those and reused; the key below holds every one of them, so two forms share markup only
when crispy would have written the same bytes. A bound form (what someone typed, with its
errors) is always rendered afresh.
"""

from collections.abc import Hashable
from typing import Any

from django import forms, template
from django.utils.functional import Promise
from django.utils.safestring import SafeString

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form

register = template.Library()

# Distinct blank forms seen by the goal and meeting pages: a handful per form class, plus
# one per obstacle (its own ids) and per goal's open milestones. Cleared when full.
MAX_ENTRIES = 1024
_rendered: dict[Hashable, SafeString] = {}

# Fields whose markup depends only on what the key reads. Anything else is rendered
# every time, so a new kind of field can never be served another form's markup.
_KNOWN_FIELDS = (
    forms.BooleanField,
    forms.CharField,
    forms.ChoiceField,
    forms.DateField,
    forms.DecimalField,
    forms.TimeField,
)


def _plain(value: Any) -> Any:
    """Lazy translations as the text they stand for: a lazy object's repr is its address."""
    if isinstance(value, list | tuple):
        return tuple(_plain(v) for v in value)
    if isinstance(value, Promise):
        return str(value)
    return value


def _field_key(form: forms.Form, name: str, field: forms.Field) -> Hashable | None:
    widget = field.widget
    # What the widget renders its options from. A model choice field's is a query (and
    # no key) unless the view set its choices as a list.
    choices = getattr(widget, "choices", None)
    if isinstance(field, forms.ModelChoiceField):
        if not isinstance(choices, list):
            return None
    elif not isinstance(field, _KNOWN_FIELDS):
        return None
    return (
        name,
        type(field),
        type(widget),
        str(field.label),
        str(field.help_text),
        field.label_suffix,
        field.required,
        field.disabled,
        field.localize,
        field.show_hidden_initial,
        repr(_plain(form.get_initial_for_field(field, name))),
        repr(sorted((k, _plain(v)) for k, v in widget.attrs.items())),
        getattr(widget, "input_type", None),
        getattr(widget, "format", None),
        None if choices is None else repr(_plain(list(choices))),
    )


def blank_form_key(form: forms.Form) -> Hashable | None:
    """Everything crispy reads from a blank form, or None when that cannot be known."""
    if form.is_bound or getattr(form, "helper", None) is not None:
        return None
    fields = []
    for name, field in form.fields.items():
        key = _field_key(form, name, field)
        if key is None:
            return None
        fields.append(key)
    return (
        type(form),
        form.prefix,
        form.auto_id,
        form.label_suffix,
        form.use_required_attribute,
        getattr(form, "error_css_class", None),
        getattr(form, "required_css_class", None),
        tuple(fields),
    )


@register.filter
def crispy_cached(form: Any) -> SafeString:
    """Same output as ``{{ form|crispy }}``."""
    key = blank_form_key(form) if isinstance(form, forms.Form) else None
    if key is None:
        return as_crispy_form(form)
    html = _rendered.get(key)
    if html is None:
        if len(_rendered) >= MAX_ENTRIES:
            _rendered.clear()
        html = _rendered[key] = as_crispy_form(form)
    return html
