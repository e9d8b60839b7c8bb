"""Hypothesis strategies for hostile input: what a script, an old browser or an attacker
may post instead of what a form asks for.

Every value is a string or a list of strings, because that is all HTTP can carry; a list
sends the field several times (``a=1&a=2``), where a form expects one value.
"""

import os
from collections.abc import Mapping, Sequence
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

# Leaves a field out of the submission altogether.
MISSING: Any = object()

# Examples per endpoint. CI keeps the default (the whole suite in well under 90 s on
# SQLite); FUZZ_SCALE=10 makes a longer local or nightly run with the same seeds.
SCALE = float(os.environ.get("FUZZ_SCALE", "1"))


def fuzz_settings(examples: int) -> settings:
    """Reproducible settings: the same examples on every run, nothing written to disk."""
    return settings(
        max_examples=max(1, round(examples * SCALE)),
        derandomize=True,
        database=None,
        deadline=None,
        print_blob=False,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )


# Any character UTF-8 can carry. Lone surrogates cannot be encoded, so no client sends them.
ANY_CHAR = st.characters(codec="utf-8")
# What a text field accepts: Django's CharField refuses NUL (PostgreSQL cannot store it).
TEXT_CHAR = st.characters(codec="utf-8", exclude_characters="\x00")

UNICODE = [
    "\x00",
    "before\x00after",
    "\x00" * 3,
    "👩🏽‍💻🚀🏳️‍🌈",  # ZWJ sequences and modifiers: one glyph, many code points
    "مرحبا بالعالم",  # Arabic, right to left
    "שלום עולם",  # Hebrew
    "\u202eevil.exe\u202c",  # right-to-left override
    "e\u0301\u0301\u0301\u0301",  # stacked combining marks
    "Z̴̡̛a̶̢̛l̷̨̛g̸̢̛o̵̡̧",
    "\ufeffBOM",
    "zero\u200bwidth\u200djoin",
    "line\u2028paragraph\u2029",
    "\r\n\r\n",
    "\t \x0b\x0c",
    "\x1b[31mred\x1b[0m",
    "\x7f\x01\x02\x1f",
    "\uffff\ufffe\U0010ffff",
    "𝕳𝖊𝖑𝖑𝖔 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "ßẞİıǅﬃ",  # case mappings that change length
    "ｆｕｌｌｗｉｄｔｈ",
    "日本語のテキスト",
    " ",
    "",
]

INJECTION = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }}{% debug %}",
    "'; DROP TABLE goals_goal; --",
    "%s%s%s%n%x",
    "{0.__class__}",
    "../../../../etc/passwd",
    "javascript:alert(1)",
    "//evil.example/",
    "https://evil.example/next",
    "a\r\nSet-Cookie: x=1",
    "null",
    "None",
    "undefined",
    "true",
    "[]",
    "{}",
    "@",
    "a@b",
    "x" * 255 + "@example.org",
]

NUMBERS = [
    "0",
    "-0",
    "-1",
    "1",
    "5",
    "1.5",
    "1e309",
    "-1e309",
    "1e-400",
    "NaN",
    "nan",
    "Infinity",
    "-inf",
    "0x10",
    "1_000",
    " 7 ",
    "+3",
    "1,5",
    "٣",  # Arabic-Indic digit three
    "３",  # fullwidth digit three
    "²",
    str(2**31),
    str(2**63 - 1),
    str(2**63),
    str(-(2**63) - 1),
    "9" * 40,
    "9" * 5000,
]

DATES = [
    "0001-01-01",
    "0000-00-00",
    "9999-12-31",
    "10000-01-01",
    "-2025-01-01",
    "2025-02-30",
    "2025-13-01",
    "2025-1-1",
    "20250101",
    "2025-W01",
    "31/12/2025",
    "12/31/2025",
    "2025-06-15T12:00",
    "2025-06-15\x00",
    "२०२५-०१-०१",  # Devanagari digits
    "yesterday",
]

TIMES = [
    "00:00",
    "23:59",
    "24:00",
    "23:60",
    "12:30:61",
    "-1:00",
    "12:30 PM",
    "12",
    "1230",
    "noon",
    "00:00:00.9999999",
    "02:30",  # skipped or repeated where clocks change
]

# Ids that are never a valid row: out of every integer range, negative, not a number.
BAD_IDS = ["0", "-1", str(2**31), str(2**63), "9" * 30, "1.0", "1e3", "01", " 1", "one"]


def _repeat(seed: str, length: int) -> str:
    return (seed * (length // max(len(seed), 1) + 1))[:length]


def long_text() -> SearchStrategy[str]:
    """10k to 100k characters: multi-byte, NUL and right-to-left ones included."""
    seeds = st.one_of(
        st.sampled_from(["a", "é", "😀", "\u202e", "\x00", "0", " ", "a b ", "<b>"]),
        st.text(ANY_CHAR, min_size=1, max_size=8),
    )
    return st.builds(_repeat, seeds, st.integers(min_value=10_000, max_value=100_000))


def ids(pool: Sequence[int | str] = ()) -> SearchStrategy[str]:
    """Row ids as posted: other people's objects, and ids that match nothing."""
    choices = [str(pk) for pk in pool] + BAD_IDS
    return st.sampled_from(choices)


def scalars(pool: Sequence[int | str] = ()) -> SearchStrategy[str]:
    return st.one_of(
        st.text(ANY_CHAR, max_size=40),
        st.sampled_from(UNICODE),
        st.sampled_from(INJECTION),
        st.sampled_from(NUMBERS),
        st.sampled_from(DATES),
        st.sampled_from(TIMES),
        st.integers().map(str),
        st.floats().map(str),
        long_text(),
        ids(pool),
    )


def hostile(pool: Sequence[int | str] = ()) -> SearchStrategy[str | list[str]]:
    """One hostile value, or several where the form expects one."""
    one = scalars(pool)
    return st.one_of(one, st.lists(one, min_size=2, max_size=4))


def text(min_size: int = 1, max_size: int = 200) -> SearchStrategy[str]:
    """Text a form should accept: any Unicode but NUL, within the field's limits."""
    return st.text(TEXT_CHAR, min_size=min_size, max_size=max_size).filter(
        lambda s: len(s.strip()) >= min_size
    )


# Characters that pass for text but break storage or display: NUL (PostgreSQL refuses
# it), other controls, a right-to-left override, a lone combining mark.
TAINTS = ["\x00", "\x00", "\x00", "\x01", "\x1b", "\u202e", "\u0301", "\ufeff", "\r\n"]
SHAPES = ["chaos", "one hostile", "one tainted", "one tainted"]


def _taint(value: Any, taint: str, at: int) -> Any:
    if isinstance(value, list):
        return [_taint(v, taint, at) for v in value]
    value = str(value)
    at = at % (len(value) + 1)
    return value[:at] + taint + value[at:]


@st.composite
def form_data(
    draw: st.DrawFn,
    fields: Mapping[str, SearchStrategy[Any]],
    pool: Sequence[int | str] = (),
) -> dict[str, Any]:
    """A submission built from the form's fields, in one of three shapes:

    - every field missing, good or hostile at random;
    - every field good but one hostile, so the hostile value gets past the other
      fields' checks and reaches the service and the database;
    - every field good, one with a control character slipped in (NUL above all):
      the value hand-rolled parsing lets through and PostgreSQL then refuses.

    A few fields the form does not know ride along.
    """
    bad = hostile(pool)
    names = list(fields)
    data: dict[str, Any] = dict(
        draw(st.dictionaries(st.text(ANY_CHAR, min_size=1, max_size=20), bad, max_size=3))
    )
    shape = draw(st.sampled_from(SHAPES)) if names else "chaos"
    if shape == "chaos":
        for name in names:
            data[name] = draw(st.one_of(st.just(MISSING), fields[name], bad))
        return {name: value for name, value in data.items() if value is not MISSING}
    target = draw(st.sampled_from(names))
    for name in names:
        data[name] = draw(fields[name])
    if shape == "one hostile":
        data[target] = draw(st.one_of(st.just(MISSING), bad))
    else:
        taint = draw(st.sampled_from(TAINTS))
        data[target] = _taint(data[target], taint, draw(st.integers(min_value=0)))
    return {name: value for name, value in data.items() if value is not MISSING}


def csv_files() -> SearchStrategy[bytes]:
    """What an admin might upload as a CSV: broken encodings, binaries, odd cells."""
    cell = st.one_of(
        st.sampled_from(["a@example.org", "mentor", "mentee", "Ana", "3", ""]),
        scalars(),
    )
    header = st.lists(
        st.sampled_from(["email", "role", "name", "capacity", "EMAIL", " role ", "x", ""]),
        min_size=1,
        max_size=6,
    )
    rows = st.lists(st.lists(cell, max_size=6), max_size=6)
    delimiter = st.sampled_from([",", ";", "\t"])
    quote = st.sampled_from(["", '"'])

    @st.composite
    def table(draw: st.DrawFn) -> bytes:
        sep, q = draw(delimiter), draw(quote)
        lines = [draw(header), *draw(rows)]
        body = "\n".join(sep.join(f"{q}{c}{q}" for c in line) for line in lines)
        encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "latin-1"]))
        return body.encode(encoding, errors="replace")

    edge = st.sampled_from(
        [
            b"",
            b"\xef\xbb\xbf",
            b"\n\n\n",
            b"PK\x03\x04 not really a workbook",
            b"email,role\n",
            b'email,role\n"a@example.org,mentor\n',
            b"email,role\n" + b"a@example.org,mentee\n" * 5001,
            b"email,role,name\n" + b"a@example.org,mentor," + b"x" * (1024 * 1024),
            b"email,email,role\na@example.org,b@example.org,mentor\n",
            b"\xff\xfe\x00\x00",
            b"email;role\na@example.org;MENTOR\nb@example.org;mentee;extra\n",
        ]
    )
    return st.one_of(table(), edge, st.binary(max_size=200))
