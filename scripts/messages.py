"""The translation catalogues: extract the words, and compile them.

    python scripts/messages.py extract   # Django's makemessages for every language
    python scripts/messages.py compile   # .po -> .mo with polib (no gettext tools needed)
    python scripts/messages.py check     # the committed .mo files match their .po files
    python scripts/messages.py fill      # take translations from locale/<lang>/parts/*.po

Extracting needs GNU gettext's xgettext (Debian's ``gettext`` package), as Django's
makemessages does. Compiling does not: the .mo files are committed, so a fresh machine
with only Python runs the site in every language.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "locale"
# Folders that hold no words for people, or not ours.
IGNORED = [
    ".venv/*",
    "node_modules/*",
    "staticfiles/*",
    "tests/*",
    "benchmarks/*",
    "loadtest/*",
    "scripts/*",
    "*/migrations/*",
    "*/management/*",
    "matching/engine/*",
    "test-artifacts/*",
]


def catalogues() -> list[Path]:
    return sorted(LOCALE.glob("*/LC_MESSAGES/*.po"))


def extract() -> int:
    languages = sorted({path.parts[-3] for path in catalogues()}) or ["de"]
    command = [sys.executable, "manage.py", "makemessages", "--no-obsolete", "--no-location"]
    command += [f"--locale={language}" for language in languages]
    command += [f"--ignore={pattern}" for pattern in IGNORED]
    code = 0
    for domain in ("django", "djangojs"):
        extra = ["--domain", domain] + (["--extension", "js"] if domain == "djangojs" else [])
        extra += ["--extension", "html,txt,ics,py"] if domain == "django" else []
        code |= subprocess.call(command + extra, cwd=ROOT)
    return code


def _compiled(po_path: Path) -> bytes:
    import polib

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "out.mo"
        polib.pofile(str(po_path)).save_as_mofile(str(out))
        return out.read_bytes()


def compile_all() -> int:
    for po_path in catalogues():
        po_path.with_suffix(".mo").write_bytes(_compiled(po_path))
    return 0


def fill() -> int:
    """Fill each catalogue's empty entries from the partial catalogues beside it
    (``locale/<lang>/parts/*.po``), then compile. Entries no part knows stay empty."""
    import polib

    for po_path in catalogues():
        parts = sorted((po_path.parent.parent / "parts").glob("*.po"))
        known: dict[tuple[str | None, str], polib.POEntry] = {}
        for part in parts:
            for entry in polib.pofile(str(part)):
                if entry.msgstr or any(entry.msgstr_plural.values()):
                    known[(entry.msgctxt, entry.msgid)] = entry
        catalogue = polib.pofile(str(po_path))
        for entry in catalogue:
            source = known.get((entry.msgctxt, entry.msgid))
            if source is None:
                continue
            entry.msgstr = source.msgstr
            if entry.msgid_plural:
                entry.msgstr_plural = dict(source.msgstr_plural)
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        catalogue.save()
    return compile_all()


def check() -> int:
    stale = [
        po_path
        for po_path in catalogues()
        if not po_path.with_suffix(".mo").exists()
        or po_path.with_suffix(".mo").read_bytes() != _compiled(po_path)
    ]
    for po_path in stale:
        print(f"{po_path.relative_to(ROOT)}: its .mo is out of date; run `make messages`")
    return 1 if stale else 0


if __name__ == "__main__":
    os.chdir(ROOT)
    action = sys.argv[1] if len(sys.argv) > 1 else ""
    actions = {"extract": extract, "compile": compile_all, "check": check, "fill": fill}
    if action not in actions:
        print(__doc__)
        sys.exit(2)
    sys.exit(actions[action]())
