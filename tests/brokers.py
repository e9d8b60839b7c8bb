"""Where the suite's Celery app sends tasks: run in-process, or published to a broker."""

import contextlib
import os
from collections.abc import Iterator
from typing import Any

from mentorship.celery import app as celery_app

# Celery reads its configuration from Django's settings under the CELERY_ namespace,
# and in some releases the namespaced name wins over the plain one: set both.
_NAMES = {
    "broker_url": "CELERY_BROKER_URL",
    "task_always_eager": "CELERY_TASK_ALWAYS_EAGER",
    "task_default_queue": "CELERY_TASK_DEFAULT_QUEUE",
}


def configure(**values: Any) -> None:
    celery_app.conf.update({**values, **{_NAMES[name]: v for name, v in values.items()}})
    # Both pools keep connections to the broker they were made for.
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@contextlib.contextmanager
def celery_broker(url: str) -> Iterator[None]:
    """Publish tasks to ``url`` instead of running them in-process."""
    saved = {name: celery_app.conf[name] for name in _NAMES}
    # Celery reads the CELERY_BROKER_URL environment variable (set in CI) before its
    # configuration, so the variable has to change too.
    saved_env = os.environ.get("CELERY_BROKER_URL")
    os.environ["CELERY_BROKER_URL"] = url
    configure(broker_url=url, task_always_eager=False)
    assert celery_app.conf.broker_url == url and not celery_app.conf.task_always_eager
    try:
        yield
    finally:
        if saved_env is None:
            del os.environ["CELERY_BROKER_URL"]
        else:
            os.environ["CELERY_BROKER_URL"] = saved_env
        configure(**saved)
