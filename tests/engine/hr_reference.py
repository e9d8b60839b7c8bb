"""Resident-optimal hospital/resident matchings from the PyPI `matching` package.

Our Django app is also called `matching` and shadows the package inside the project, so
the tests run this file as a separate process with ``python -P`` (no script directory or
working directory on sys.path). It reads a JSON list of instances from stdin::

    [{"resident_prefs": {"r0": ["h1", "h0"], ...},
      "hospital_prefs": {"h0": ["r0", ...], ...},
      "capacities": {"h0": 2, ...}}, ...]

and writes a JSON list with one ``{resident: hospital}`` mapping per instance (unmatched
residents are left out). Exit status 3 means the package could not be imported.
"""

from __future__ import annotations

import json
import sys
from typing import Any

try:
    from matching.games import HospitalResident
except ImportError as exc:  # the app shadowed the package, or it is not installed
    print(f"cannot import the PyPI `matching` package: {exc}", file=sys.stderr)
    sys.exit(3)


def solve(instance: dict[str, Any]) -> dict[str, str]:
    capacities = {h: int(c) for h, c in instance["capacities"].items() if int(c) > 0}
    # The library trips over players with nothing to rank or no places; they can never be
    # matched anyway, so they are left out before building the game.
    residents = {
        r: [h for h in prefs if h in capacities] for r, prefs in instance["resident_prefs"].items()
    }
    residents = {r: prefs for r, prefs in residents.items() if prefs}
    hospitals = {
        h: [r for r in prefs if r in residents]
        for h, prefs in instance["hospital_prefs"].items()
        if h in capacities
    }
    hospitals = {h: prefs for h, prefs in hospitals.items() if prefs}
    residents = {r: [h for h in prefs if h in hospitals] for r, prefs in residents.items()}
    residents = {r: prefs for r, prefs in residents.items() if prefs}
    hospitals = {h: [r for r in prefs if r in residents] for h, prefs in hospitals.items()}
    if not residents:
        return {}
    game = HospitalResident.create_from_dictionaries(
        residents, hospitals, {h: capacities[h] for h in hospitals}
    )
    matching = game.solve(optimal="resident")
    return {
        resident.name: hospital.name
        for hospital, matched in matching.items()
        for resident in matched
    }


def main() -> None:
    instances = json.load(sys.stdin)
    json.dump([solve(instance) for instance in instances], sys.stdout)


if __name__ == "__main__":
    main()
