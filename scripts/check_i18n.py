"""Fail when words meant for people are left out of translation.

Run from the project's root: ``python scripts/check_i18n.py``. It looks at:

- **Templates** (``templates/`` and every app's): text between HTML tags, and the
  attributes people read or hear (``title``, ``alt``, ``placeholder``, ``aria-label``,
  ``aria-description`` and a button's ``value``), that contain a letter outside
  ``{% translate %}`` and ``{% blocktranslate %}``. Emails (``.txt``) are templates too.
- **Python** in the apps: string literals in the places Django shows to people: the
  words of ``messages.*``, ``ValidationError`` and ``add_error``; the ``label``,
  ``help_text``, ``verbose_name``, ``empty_label``, ``description`` keywords and
  ``error_messages`` values; the labels of ``TextChoices`` and of ``choices`` lists;
  ``title`` and ``short_description`` on classes (admin filters); and ``placeholder``
  in widget attributes. A literal inside ``gettext``/``_`` and friends is fine.
- **The German catalogue**: an untranslated or fuzzy entry fails.

A line that must stay as it is says so with ``i18n: ignore`` (``{# i18n: ignore #}`` in a
template, ``# i18n: ignore`` in Python) and ought to say why.

Exit status 1 and one line per finding when anything is left; 0 otherwise.
"""

from __future__ import annotations

import ast
import re
import sys
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["accounts", "core", "goals", "matching", "pages", "privacy", "profiles", "programmes"]
TEMPLATE_SUFFIXES = {".html", ".txt", ".ics"}
# Where a template's words are Python's business or nobody's: the admin's
# stand-in widgets carry none.
SKIP_PARTS = {"migrations", "management", "engine"}
IGNORE = "i18n: ignore"
LETTER = re.compile(r"[^\W\d_]")
PLACEHOLDER = "\x00"
READ_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description"}
TRANSLATING_CALLS = {
    "_",
    "gettext",
    "gettext_lazy",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
    "format_lazy",
}
MESSAGE_FUNCTIONS = {"debug", "info", "success", "warning", "error", "add_message"}
PEOPLE_KEYWORDS = {
    "label",
    "help_text",
    "verbose_name",
    "verbose_name_plural",
    "empty_label",
    "description",
    "empty_value_display",
}
PEOPLE_CLASS_ATTRIBUTES = {"title", "short_description", "verbose_name", "verbose_name_plural"}


# --- Templates ---------------------------------------------------------------


def _template_text(source: str) -> str:
    """The template with every tag, variable, comment and translated passage replaced
    by a placeholder (newlines kept, so line numbers hold)."""
    from django.template.base import Lexer, TokenType

    out: list[str] = []
    depth = 0  # inside blocktranslate, comment, verbatim or a block of CSS classes
    opened: list[bool] = []  # for each open {% block %}: is it one of CSS classes?
    for token in Lexer(source).tokenize():
        raw = token.contents
        text = raw if token.token_type == TokenType.TEXT else ""
        if token.token_type == TokenType.BLOCK:
            words = raw.split()
            name = words[0] if words else ""
            if name == "block":
                # A block that fills in CSS classes ({% block body_class %}) holds none.
                opened.append(len(words) > 1 and words[1].endswith("_class"))
                depth += opened[-1]
            elif name == "endblock" and opened:
                depth -= opened.pop()
            elif name in {"blocktranslate", "blocktrans", "comment", "verbatim"}:
                depth += 1
            elif name in {"endblocktranslate", "endblocktrans", "endcomment", "endverbatim"}:
                depth -= 1
        shown = text if depth == 0 else ""
        # Keep the line count of whatever the token spanned.
        lines = _token_source(token).count("\n")
        out.append(shown if shown else PLACEHOLDER + "\n" * lines)
    return "".join(out)


def _token_source(token: object) -> str:
    from django.template.base import TokenType

    kind = token.token_type  # type: ignore[attr-defined]
    contents = token.contents  # type: ignore[attr-defined]
    if kind == TokenType.TEXT:
        return contents
    return "{?" + contents + "?}"


class _Words(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self.hidden = 0  # inside <script> or <style>

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self.hidden += 1
        named = dict(attrs)
        for name, value in attrs:
            readable = name in READ_ATTRIBUTES or (
                name == "value"
                and tag in {"input", "button"}
                and named.get("type") in {"submit", "button", "reset"}
            )
            if readable and value and _has_words(value):
                self.found.append((self.getpos()[0], f'{name}="{value.strip()}"'))

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self.hidden:
            self.hidden -= 1

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        if _has_words(data):
            leading = data[: len(data) - len(data.lstrip())]
            line = self.getpos()[0] + leading.count("\n")
            self.found.append((line, " ".join(data.replace(PLACEHOLDER, "…").split())))


def _has_words(text: str) -> bool:
    return bool(LETTER.search(text.replace(PLACEHOLDER, " ")))


def check_template(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    ignored = {n for n, line in enumerate(source.splitlines(), 1) if IGNORE in line}
    parser = _Words()
    parser.feed(_template_text(source))
    parser.close()
    rel = path.relative_to(ROOT)
    return [
        f"{rel}:{line}: untranslated words: {words[:80]}"
        for line, words in parser.found
        if line not in ignored
    ]


def template_files() -> list[Path]:
    folders = [ROOT / "templates", *(ROOT / app / "templates" for app in APPS)]
    return sorted(
        path
        for folder in folders
        if folder.exists()
        for path in folder.rglob("*")
        if path.suffix in TEMPLATE_SUFFIXES
    )


# --- Python ------------------------------------------------------------------


def _called_name(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _plain_words(node: ast.AST | None) -> bool:
    """A literal (or f-string, or ``"…" % x``) with letters, not wrapped in gettext."""
    if node is None:
        return False
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _has_words(node.value)
    if isinstance(node, ast.JoinedStr):
        return any(_plain_words(part) for part in node.values)
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Mod, ast.Add)):
        return _plain_words(node.left) or _plain_words(node.right)
    if isinstance(node, ast.Call) and _called_name(node) == "format":
        return isinstance(node.func, ast.Attribute) and _plain_words(node.func.value)
    return False


class _PythonWords(ast.NodeVisitor):
    def __init__(self) -> None:
        self.found: list[tuple[int, str]] = []
        self.class_bases: list[list[str]] = []

    def _flag(self, node: ast.AST, why: str) -> None:
        self.found.append((getattr(node, "lineno", 0), why))

    def visit_Call(self, node: ast.Call) -> None:
        name = _called_name(node)
        if name in TRANSLATING_CALLS:
            return  # whatever is inside is marked
        is_messages = (
            isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "messages"
            and name in MESSAGE_FUNCTIONS
        )
        if is_messages:
            words = node.args[2] if name == "add_message" and len(node.args) > 2 else None
            if name != "add_message" and len(node.args) > 1:
                words = node.args[1]
            if _plain_words(words):
                self._flag(node, f"messages.{name} with untranslated words")
        if name == "ValidationError" and node.args:
            self._check_error(node.args[0], node)
        if name == "add_error" and len(node.args) > 1:
            self._check_error(node.args[1], node)
        for keyword in node.keywords:
            if keyword.arg in PEOPLE_KEYWORDS and _plain_words(keyword.value):
                self._flag(keyword.value, f"{keyword.arg}= with untranslated words")
            if keyword.arg == "error_messages" and isinstance(keyword.value, ast.Dict):
                for value in keyword.value.values:
                    if _plain_words(value):
                        self._flag(value, "error_messages with untranslated words")
            if keyword.arg == "choices":
                self._check_choices(keyword.value)
            if keyword.arg == "attrs" and isinstance(keyword.value, ast.Dict):
                for key, value in zip(keyword.value.keys, keyword.value.values, strict=True):
                    if (
                        isinstance(key, ast.Constant)
                        and key.value in {"placeholder", "title", "aria-label"}
                        and _plain_words(value)
                    ):
                        self._flag(value, f"widget {key.value} with untranslated words")
        self.generic_visit(node)

    def _check_error(self, words: ast.AST, node: ast.AST) -> None:
        if isinstance(words, ast.Dict):
            for value in words.values:
                if _plain_words(value):
                    self._flag(value, "ValidationError with untranslated words")
        elif _plain_words(words):
            self._flag(node, "error with untranslated words")

    def _check_choices(self, node: ast.AST) -> None:
        if isinstance(node, (ast.List, ast.Tuple)):
            for item in node.elts:
                pair = isinstance(item, ast.Tuple) and len(item.elts) == 2
                if pair and _plain_words(item.elts[1]):  # type: ignore[attr-defined]
                    self._flag(item, "choice label with untranslated words")

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        bases = [getattr(base, "attr", getattr(base, "id", "")) for base in node.bases]
        is_choices = any(base in {"TextChoices", "IntegerChoices", "Choices"} for base in bases)
        for statement in node.body:
            if not isinstance(statement, ast.Assign):
                continue
            targets = [t.id for t in statement.targets if isinstance(t, ast.Name)]
            value = statement.value
            labelled = is_choices and isinstance(value, ast.Tuple) and len(value.elts) >= 2
            if labelled and _plain_words(value.elts[-1]):  # type: ignore[attr-defined]
                self._flag(statement, "choice label with untranslated words")
            if any(t in PEOPLE_CLASS_ATTRIBUTES for t in targets) and _plain_words(value):
                self._flag(statement, f"{targets[0]} with untranslated words")
        self.generic_visit(node)


def check_python(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    visitor = _PythonWords()
    visitor.visit(ast.parse(source, filename=str(path)))
    rel = path.relative_to(ROOT)
    return [
        f"{rel}:{line}: {why}"
        for line, why in visitor.found
        if not (0 < line <= len(lines) and IGNORE in lines[line - 1])
    ]


def python_files() -> list[Path]:
    return sorted(
        path
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if not SKIP_PARTS.intersection(path.relative_to(ROOT).parts)
    )


# --- The catalogue -----------------------------------------------------------


def check_catalogue(language: str = "de") -> list[str]:
    import polib

    path = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
    if not path.exists():
        return [f"{path.relative_to(ROOT)}: missing"]
    catalogue = polib.pofile(str(path))
    found = []
    for entry in catalogue.untranslated_entries():
        found.append(f"{path.relative_to(ROOT)}:{entry.linenum}: untranslated: {entry.msgid[:60]}")
    for entry in catalogue.fuzzy_entries():
        found.append(f"{path.relative_to(ROOT)}:{entry.linenum}: fuzzy: {entry.msgid[:60]}")
    return found


def main(argv: list[str]) -> int:
    import django

    sys.path.insert(0, str(ROOT))
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mentorship.settings")
    django.setup()
    only = set(argv) or {"templates", "python", "catalogue"}
    found: list[str] = []
    if "templates" in only:
        for path in template_files():
            found += check_template(path)
    if "python" in only:
        for path in python_files():
            found += check_python(path)
    if "catalogue" in only:
        found += check_catalogue()
    for line in found:
        print(line)
    if found:
        print(f"{len(found)} place(s) with words left out of translation.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
