"""Resident-optimal stable matching by the PyPI `matching` package, as an outside yardstick.

Run by benchmarks/run.py as ``python -P hr_reference.py`` from a directory outside the
project: our Django app is also called `matching` and would shadow the package.
Reads JSON from stdin:

    {"mentee_prefs": [[mentor, ...], ...],   # each mentee's allowed mentors, best first
     "mentor_prefs": [[mentee, ...], ...],   # each mentor's proposers, best first
     "capacities": [int, ...]}

and writes {"assignment": [mentor or -1 per mentee], "seconds": float} to stdout.
"""

import json
import sys
import threading
import time
import warnings


def solve(request: dict) -> dict:
    from matching.games import HospitalResident

    resident_prefs = {i: prefs for i, prefs in enumerate(request["mentee_prefs"]) if prefs}
    # The package names players by their keys; offset mentors so the names never collide.
    offset = len(request["mentee_prefs"])
    hospital_prefs = {offset + j: prefs for j, prefs in enumerate(request["mentor_prefs"]) if prefs}
    resident_prefs = {i: [offset + j for j in prefs] for i, prefs in resident_prefs.items()}
    capacities = {
        offset + j: c for j, c in enumerate(request["capacities"]) if request["mentor_prefs"][j]
    }

    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        game = HospitalResident.create_from_dictionaries(resident_prefs, hospital_prefs, capacities)
        matching = game.solve(optimal="resident")
    seconds = time.perf_counter() - started

    assignment = [-1] * offset
    for hospital, residents in matching.items():
        for resident in residents:
            assignment[resident.name] = hospital.name - offset
    return {"assignment": assignment, "seconds": seconds}


def main() -> None:
    request = json.load(sys.stdin)
    result: dict = {}

    def run() -> None:
        result.update(solve(request))

    # The package deep-copies its linked player objects recursively: at 2,000 mentees
    # that needs a deep Python recursion and, for it, a big C stack in a fresh thread.
    sys.setrecursionlimit(1_000_000)
    threading.stack_size(1 << 30)
    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    if not result:
        sys.exit("hr_reference: the solver failed (see the traceback above).")
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
