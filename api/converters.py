"""Ids in API paths. Django's ``int`` converter matches only digits, so ``/cohorts/-1/``
or ``/cohorts/x/`` would fall through to the site's HTML 404; this one hands every path
segment to the view, which answers JSON, a 404 for an id nobody has."""

# Beyond the database's integer range a lookup overflows (a 500): such an id names nothing.
LARGEST = 2**63 - 1
NOBODY = 0


class IdConverter:
    regex = "[^/]+"

    def to_python(self, value: str) -> int:
        if not (value.isascii() and value.isdigit()):
            return NOBODY
        number = int(value)
        return number if number <= LARGEST else NOBODY

    def to_url(self, value: int) -> str:
        return str(value)
