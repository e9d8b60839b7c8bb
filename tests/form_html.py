"""Reading a rendered form the way a screen reader would: a field, its label, the help and
errors it names, and what is shown as its value."""

import html
import re

FIELD = r'<(?:input|select|textarea)\b[^>]*\bid="{id}"[^>]*>'


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def field_tag(page: str, field_id: str) -> str:
    """The field's opening tag, after checking that a label names it and that every
    element its ``aria-describedby`` points to is on the page."""
    match = re.search(FIELD.format(id=field_id), page)
    assert match, f"no field with id {field_id}"
    tag = match.group(0)
    for described in described_by(tag):
        assert f'id="{described}"' in page, f"{field_id} points to a missing {described}"
    return tag


def described_by(tag: str) -> list[str]:
    match = re.search(r'aria-describedby="([^"]*)"', tag)
    return match.group(1).split() if match else []


def label_of(page: str, field_id: str) -> str:
    match = re.search(rf'<label\b[^>]*\bfor="{field_id}"[^>]*>(.*?)</label>', page, re.S)
    assert match, f"no label for {field_id}"
    return _text(match.group(1)).rstrip("*").rstrip()  # a required field's asterisk


def help_of(page: str, field_id: str) -> str:
    """The help text under the field, which the field names as describing it."""
    assert f"{field_id}_helptext" in described_by(field_tag(page, field_id))
    match = re.search(rf'<div id="{field_id}_helptext"[^>]*>(.*?)</div>', page, re.S)
    assert match, f"no help text for {field_id}"
    return _text(match.group(1))


def _wrapper(page: str, field_id: str) -> str:
    """The block that holds the field, its label, errors and help, up to the next one."""
    start = page.index(f'id="div_{field_id}"')
    end = page.find('id="div_', start + 1)
    return page[start : end if end != -1 else len(page)]


def error_of(page: str, field_id: str) -> str:
    """The error shown with the field (inside its block), which marks the field invalid."""
    tag = field_tag(page, field_id)
    assert "is-invalid" in tag and 'aria-invalid="true"' in tag, tag
    assert f"{field_id}_error" in described_by(tag)
    match = re.search(
        rf'<div id="{field_id}_error" class="invalid-feedback">(.*?)</div>',
        _wrapper(page, field_id),
        re.S,
    )
    assert match, f"no error next to {field_id}"
    return _text(match.group(1))


def has_error(page: str, field_id: str) -> bool:
    return "is-invalid" in field_tag(page, field_id)


def value_of(page: str, field_id: str) -> str:
    """What the field shows: an input's value, a textarea's text, a select's chosen
    options (comma-separated labels)."""
    tag = field_tag(page, field_id)
    if tag.startswith("<textarea"):
        match = re.search(FIELD.format(id=field_id) + r"(.*?)</textarea>", page, re.S)
        return html.unescape(match.group(1)).strip()
    if tag.startswith("<select"):
        match = re.search(FIELD.format(id=field_id) + r"(.*?)</select>", page, re.S)
        chosen = re.findall(r"<option\b[^>]*\bselected\b[^>]*>(.*?)</option>", match.group(1))
        return ", ".join(html.unescape(c) for c in chosen)
    if 'type="checkbox"' in tag:
        return "on" if re.search(r"\schecked\b", tag) else ""
    match = re.search(r'\bvalue="([^"]*)"', tag)
    return html.unescape(match.group(1)) if match else ""


def options_of(page: str, field_id: str) -> list[str]:
    """The labels of a select's options, in order."""
    field_tag(page, field_id)
    match = re.search(FIELD.format(id=field_id) + r"(.*?)</select>", page, re.S)
    assert match, f"{field_id} is not a select"
    return [html.unescape(o) for o in re.findall(r"<option\b[^>]*>(.*?)</option>", match.group(1))]
