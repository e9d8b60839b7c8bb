from celery import shared_task

from matching import services


@shared_task(name="matching.tasks.expire_requests")
def expire_requests() -> int:
    # Safe to run twice and to overlap: each request is closed under a row lock.
    return services.expire_requests()


@shared_task(name="matching.tasks.recompute_cohort_suggestions")
def recompute_cohort_suggestions(cohort_id: int, generation: int | None = None) -> str:
    # Debounced: a task whose generation was overtaken by a newer change does nothing.
    from matching.services.suggestions import run_if_latest

    return run_if_latest(cohort_id=cohort_id, generation=generation)


@shared_task(name="matching.tasks.recompute_all_suggestions")
def recompute_all_suggestions() -> int:
    """Nightly: every running cohort, whatever changed or was missed."""
    from matching.services.suggestions import active_cohort_ids, run_if_latest

    ids = active_cohort_ids()
    for cohort_id in ids:
        run_if_latest(cohort_id=cohort_id, generation=None)
    return len(ids)


@shared_task(name="matching.tasks.run_match_run")
def run_match_run(run_id: int) -> str:
    from matching.services.runs import execute_run

    return execute_run(run_id=run_id)


@shared_task(name="matching.tasks.recount_run_metrics")
def recount_run_metrics(run_id: int, generation: int) -> str:
    # Debounced like suggestions: only the newest edit's count is written.
    from matching.services.runs import recount_metrics

    return recount_metrics(run_id=run_id, generation=generation)


@shared_task(name="matching.tasks.fail_stuck_runs")
def fail_stuck_runs() -> int:
    """Match runs and suggestion recomputes whose worker will not finish them."""
    from matching.services.runs import fail_stuck_runs
    from matching.services.suggestions import fail_stuck_recomputes

    return fail_stuck_runs() + fail_stuck_recomputes()


@shared_task(name="matching.tasks.send_preference_reminders")
def send_preference_reminders() -> int:
    """Hourly: people who have chosen no one, two days before a preference window
    closes. Safe to run twice or to overlap: each email has an outbox key."""
    from matching.services.preference_reminders import send_preference_reminders

    return send_preference_reminders()
