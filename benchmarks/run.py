"""Benchmark the matching engine on synthetic cohorts and print a Markdown table.

    python -m benchmarks.run [--sizes S,M,L] [--with-reference-hr-on-M] [--seed N]

Runs without Django (only matching.engine is imported). The table also goes to
benchmarks/results.md. See benchmarks/README.md for what each row means.
"""

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np
import scipy
from scipy.optimize import linear_sum_assignment

from benchmarks.synthetic import SIZES, Cohort, cohort
from matching.engine.assign import assign
from matching.engine.metrics import assignment_metrics, price_of_stability
from matching.engine.scoring import People, Weights, reference_score, score
from matching.engine.topk import top_k, top_k_row

T = TypeVar("T")
HERE = Path(__file__).resolve().parent
TOP = 10
REPEATS = 3
LATENCY_RUNS = 200
# Pairs the plain-Python reference scores per size: ~0.5 s of loops, enough for a rate.
REFERENCE_PAIRS = 40_000
# Assignment targets in seconds, (optimal, stable), as the issue sets them for M and L.
ASSIGN_LIMITS = {"M": (0.5, 0.5), "L": (5.0, 10.0)}
# The targets apply to L, the size they were set for; the others are for comparison.
TARGET_SIZE = "L"


@dataclass
class Row:
    size: str
    metric: str
    value: str
    target: str = ""
    ok: bool | None = None
    correctness: bool = False  # a miss here fails the run; a slow timing only shows "NO"

    def cells(self) -> list[str]:
        ok = "" if self.ok is None else ("yes" if self.ok else "**NO**")
        return [self.size, self.metric, self.value, self.target, ok]


def best_of(repeats: int, run: Callable[[], T]) -> tuple[float, T]:
    """Fastest wall time of several runs (at least one), and the last result."""
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    return best, result


def peak_memory_mib() -> float:
    # ru_maxrss is in KiB on Linux (bytes on macOS).
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (1 << 20) if sys.platform == "darwin" else rss / 1024


def sample_rows(c: Cohort, rng: np.random.Generator) -> tuple[np.ndarray, People, np.ndarray]:
    """A random subset of mentees, their People, and the blocked pairs among them."""
    n, m = len(c.mentees), len(c.mentors)
    k = min(n, max(1, REFERENCE_PAIRS // m))
    rows = np.sort(rng.choice(n, size=k, replace=False))
    position = np.full(n, -1)
    position[rows] = np.arange(k)
    blocked = c.blocked[position[c.blocked[:, 0]] >= 0]
    return rows, c.mentees.take(rows), np.stack([position[blocked[:, 0]], blocked[:, 1]], 1)


def exact_optimum(scores: np.ndarray, allowed: np.ndarray, caps: np.ndarray) -> np.ndarray:
    """Exact "most mentees, then most score" via the capacity-expanded assignment problem."""
    n = scores.shape[0]
    slots = np.repeat(np.arange(len(caps)), caps)
    # A bonus above any possible total makes coverage come first, score second.
    bonus = float(n + 1)
    weight = np.where(allowed[:, slots], scores[:, slots].astype(np.float64) + bonus, 0.0)
    rows, cols = linear_sum_assignment(weight, maximize=True)
    result = np.full(n, -1)
    used = allowed[rows, slots[cols]]
    result[rows[used]] = slots[cols[used]]
    return result


def preference_lists(
    scores: np.ndarray, allowed: np.ndarray, caps: np.ndarray
) -> tuple[list[list[int]], list[list[int]]]:
    """Strict preference lists as our stable mode sees them (ties: lower index first)."""
    usable = allowed & (caps > 0)[None, :]
    mentee_prefs = []
    for i in range(scores.shape[0]):
        cols = np.flatnonzero(usable[i])
        mentee_prefs.append(cols[np.lexsort((cols, -scores[i, cols]))].tolist())
    mentor_prefs = []
    for j in range(scores.shape[1]):
        rows = np.flatnonzero(usable[:, j])
        mentor_prefs.append(rows[np.lexsort((rows, -scores[rows, j]))].tolist())
    return mentee_prefs, mentor_prefs


def hr_reference(scores: np.ndarray, allowed: np.ndarray, caps: np.ndarray) -> dict:
    """The PyPI package's resident-optimal matching, solved in a clean subprocess."""
    mentee_prefs, mentor_prefs = preference_lists(scores, allowed, caps)
    request = {
        "mentee_prefs": mentee_prefs,
        "mentor_prefs": mentor_prefs,
        "capacities": caps.tolist(),
    }
    # -P and a neutral cwd keep the project (and its `matching` app) off sys.path.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    with tempfile.TemporaryDirectory() as neutral:
        done = subprocess.run(
            [sys.executable, "-P", str(HERE / "hr_reference.py")],
            input=json.dumps(request),
            capture_output=True,
            text=True,
            cwd=neutral,
            env=env,
            check=False,
        )
    if done.returncode != 0:
        raise RuntimeError(f"hr_reference failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout)


def bench_size(size: str, seed: int, with_hr: bool) -> list[Row]:
    c = cohort(size, seed)
    n, m = len(c.mentees), len(c.mentors)
    weights = Weights()
    label = f"{size} ({n:,}×{m:,})"
    is_target = size == TARGET_SIZE
    rows: list[Row] = []

    def add(
        metric: str,
        value: str,
        target: str = "",
        ok: bool | None = None,
        correctness: bool = False,
    ) -> None:
        rows.append(Row(label, metric, value, target, ok, correctness))

    def run_score() -> tuple[np.ndarray, np.ndarray]:
        return score(
            c.mentees,
            c.mentors,
            weights,
            free_places=c.free_places,
            blocked=c.blocked,
            block_same_organisation=True,
        )

    score_s, (scores, allowed) = best_of(REPEATS, run_score)
    topk_s, _ = best_of(REPEATS, lambda: top_k(scores, TOP, allowed))
    add("score(), all mentees", f"{score_s * 1e3:.1f} ms")
    add(f"top_k({TOP}), all mentees", f"{topk_s * 1e3:.1f} ms")
    both = score_s + topk_s
    add(
        f"score + top-{TOP}, all mentees",
        f"{both * 1e3:.1f} ms",
        "≤ 500 ms" if is_target else "",
        both <= 0.5 if is_target else None,
    )

    rng = np.random.default_rng([seed, n, m])
    sample, sample_people, sample_blocked = sample_rows(c, rng)
    started = time.perf_counter()
    ref_scores, ref_allowed = reference_score(
        sample_people,
        c.mentors,
        weights,
        free_places=c.free_places,
        blocked=sample_blocked,
        block_same_organisation=True,
    )
    ref_s = (time.perf_counter() - started) * n / len(sample)
    diff = float(np.abs(ref_scores - scores[sample]).max())
    mask_mismatches = int((ref_allowed != allowed[sample]).sum())
    add(
        "reference_score(), all mentees (from a row sample)",
        f"{ref_s:.1f} s ({len(sample)} rows timed)",
    )
    add(
        "speed-up of score() over reference",
        f"{ref_s / score_s:,.0f}×",
        "≥ 50×" if is_target else "",
        ref_s / score_s >= 50 if is_target else None,
    )
    add("max abs(score − reference) on the sample", f"{diff:.1e}", "≤ 1e-6", diff <= 1e-6, True)
    add(
        "allowed-mask mismatches on the sample",
        str(mask_mismatches),
        "0",
        mask_mismatches == 0,
        True,
    )

    # One mentee's suggestions on demand: their People row is built before the clock runs
    # (the app reads it from the database), then score one row and pick the top 10.
    singles = []
    for i in np.linspace(0, n - 1, min(n, LATENCY_RUNS)).astype(int):
        mine = c.blocked[c.blocked[:, 0] == i]
        singles.append((c.mentees.take([i]), np.stack([mine[:, 0] * 0, mine[:, 1]], 1)))
    timings = []
    for k in range(LATENCY_RUNS):
        person, blocked = singles[k % len(singles)]
        started = time.perf_counter()
        row, ok = score(
            person,
            c.mentors,
            weights,
            free_places=c.free_places,
            blocked=blocked,
            block_same_organisation=True,
        )
        top_k_row(row[0], TOP, ok[0])
        timings.append(time.perf_counter() - started)
    latency = statistics.median(timings)
    add(
        f"one mentee: score row + top_k_row, median of {LATENCY_RUNS}",
        f"{latency * 1e3:.2f} ms",
        "≤ 2 ms" if is_target else "",
        latency <= 0.002 if is_target else None,
    )

    caps = c.free_places
    optimal_s, optimal = best_of(1, lambda: assign(scores, caps, mode="optimal", allowed=allowed))
    opt = assignment_metrics(optimal, scores, caps, allowed=allowed)
    limit = ASSIGN_LIMITS.get(size)
    add(
        "assign(optimal): time",
        f"{optimal_s * 1e3:.0f} ms",
        f"≤ {limit[0] * 1e3:,.0f} ms" if limit else "",
        optimal_s <= limit[0] if limit else None,
    )
    places_allow = int(np.minimum(caps, n).sum()) >= n
    add(
        "assign(optimal): coverage",
        f"{opt['coverage']:.4f}",
        "1.0000 when places allow" if places_allow else "",
        opt["coverage"] == 1.0 if places_allow else None,
    )
    add("assign(optimal): total score", f"{opt['total_score']:.2f}")
    if size in ("S", "M"):
        exact_s, exact = best_of(1, lambda: exact_optimum(scores, allowed, caps))
        ex = assignment_metrics(exact, scores, caps, allowed=allowed)
        ratio = opt["total_score"] / ex["total_score"] if ex["total_score"] else 1.0
        add(
            "assign(optimal) vs exact (linear_sum_assignment)",
            f"{ratio:.6f} of total, coverage {opt['coverage']:.4f} vs {ex['coverage']:.4f}, "
            f"exact took {exact_s * 1e3:.0f} ms",
            "≥ 0.995, same coverage",
            ratio >= 0.995 and opt["matched"] == ex["matched"],
            True,
        )

    stable_s, stable = best_of(1, lambda: assign(scores, caps, mode="stable", allowed=allowed))
    st = assignment_metrics(stable, scores, caps, allowed=allowed)
    add(
        "assign(stable): time",
        f"{stable_s * 1e3:.0f} ms",
        f"≤ {limit[1] * 1e3:,.0f} ms" if limit else "",
        stable_s <= limit[1] if limit else None,
    )
    add(
        "assign(stable): blocking pairs",
        str(st["blocking_pairs"]),
        "0",
        st["blocking_pairs"] == 0,
        True,
    )
    add(
        "assign(stable): coverage, price of stability",
        f"{st['coverage']:.4f}, {price_of_stability(st['total_score'], opt['total_score']):.4f}",
    )

    if size == "S" or (size == "M" and with_hr):
        hr = hr_reference(scores, allowed, caps)
        same = bool(np.array_equal(np.asarray(hr["assignment"]), stable))
        add("PyPI matching HospitalResident: time", f"{hr['seconds'] * 1e3:,.0f} ms")
        add(
            "PyPI matching: same stable matching as ours",
            "yes" if same else "no",
            "yes",
            same,
            True,
        )

    memory = peak_memory_mib()
    add(
        "peak memory of the process (ru_maxrss)",
        f"{memory:,.0f} MiB",
        "≤ 1,024 MiB" if is_target else "",
        memory <= 1024 if is_target else None,
    )
    return rows


def markdown(rows: list[Row]) -> str:
    header = ["size", "metric", "value", "target", "ok?"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row.cells()) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="S,M,L", help="comma-separated, of S, M, L")
    parser.add_argument(
        "--with-reference-hr-on-M",
        dest="hr_on_m",
        action="store_true",
        help="also run the PyPI `matching` package on M (over a minute)",
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    sizes = [s.strip().upper() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown size(s) {', '.join(unknown)}; choose from {', '.join(SIZES)}")

    rows: list[Row] = []
    for size in sizes:
        print(f"benchmarking {size} ...", file=sys.stderr, flush=True)
        rows += bench_size(size, args.seed, args.hr_on_m)
    table = markdown(rows)
    command = " ".join(["python -m benchmarks.run", *(argv if argv is not None else sys.argv[1:])])
    machine = (
        f"{os.cpu_count()} CPUs ({platform.machine()}), Python {platform.python_version()}, "
        f"NumPy {np.__version__}, SciPy {scipy.__version__}"
    )
    (HERE / "results.md").write_text(
        f"# Benchmark results\n\n`{command}` (seed {args.seed}) on {machine}.\n\n{table}"
    )
    print(table)
    missed = [row for row in rows if row.ok is False]
    for row in missed:
        print(
            f"missed: {row.size} {row.metric} = {row.value} (target {row.target})", file=sys.stderr
        )
    return 1 if any(row.correctness for row in missed) else 0


if __name__ == "__main__":
    sys.exit(main())
