"""``{{ form.field|bs_field }}``: one form field as Bootstrap markup, written in Python.

The directory's filter form is rendered on every directory page, bound to the query
string, and the request form on every mentor page. Through crispy-forms the directory's
eight fields took longer than the twelve mentor cards beside them. The common widget
types are written here with the classes, label (with crispy's asterisk when required),
help text and error markup crispy writes, ``aria-describedby`` naming both; any other
widget still goes through crispy.
"""

from django import forms, template
from django.forms import BoundField
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field

register = template.Library()

CLASSES = {
    forms.TextInput: "textinput form-control",
    forms.Textarea: "textarea form-control",
    forms.Select: "select form-select",
    forms.SelectMultiple: "selectmultiple form-select",
    forms.CheckboxInput: "checkboxinput form-check-input",
}


def _widget_class(widget: forms.Widget) -> str | None:
    for kind in type(widget).__mro__:
        if kind in CLASSES:
            return CLASSES[kind]
    return None


@register.filter
def bs_field(field: BoundField) -> SafeString:
    css = _widget_class(field.field.widget)
    if css is None:
        return as_crispy_field(field)
    auto_id = field.auto_id
    described = []
    attrs: dict[str, str | bool] = {"class": css}
    help_html = error_html = ""
    if field.help_text:
        described.append(f"{auto_id}_helptext")
        help_html = (
            f'<div id="{auto_id}_helptext" class="form-text">{escape(field.help_text)}</div>'
        )
    if field.errors:
        attrs["class"] = f"{css} is-invalid"
        attrs["aria-invalid"] = "true"
        described.append(f"{auto_id}_error")
        error_html = (
            f'<div id="{auto_id}_error" class="invalid-feedback">'
            + "".join(
                f'<p id="error_{n}_{auto_id}"><strong>{escape(e)}</strong></p>'
                for n, e in enumerate(field.errors, start=1)
            )
            + "</div>"
        )
    if described:
        attrs["aria-describedby"] = " ".join(described)
    widget = field.as_widget(attrs=attrs)
    label: str = escape(field.label)
    if field.field.required:
        label += '<span class="asteriskField">*</span>'
    if isinstance(field.field.widget, forms.CheckboxInput):
        return mark_safe(
            f'<div class="mb-3"><div id="div_{auto_id}" class="form-check">{widget}'
            f'<label for="{auto_id}" class="form-check-label">{label}</label>'
            f"{error_html}{help_html}</div></div>"
        )
    required = " requiredField" if field.field.required else ""
    return mark_safe(
        f'<div id="div_{auto_id}" class="mb-3">'
        f'<label for="{auto_id}" class="form-label{required}">{label}</label>'
        f"{widget}{error_html}{help_html}</div>"
    )
