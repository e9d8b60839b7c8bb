"""`manage.py seed_load`: the load test's community, 2,000 mentors and 10,000 mentees."""

from argparse import ArgumentParser
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError

from profiles.demo import DEFAULT_PASSWORD
from profiles.models import Profile
from profiles.signals import profiles_changed


class Command(BaseCommand):
    help = (
        "Create the load test's community (loadtest/seed.py): the demo's people at scale, "
        "mentorships with goals, progress and meetings, requests and suggestions. Meant for "
        "a database of its own; does nothing on a database that is seeded already."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        # Imported here: the seeder reaches into matching and goals, which sit above
        # profiles; only this command, never the app itself, depends on them.
        from loadtest import seed

        parser.add_argument("--mentors", type=int, default=seed.DEFAULT_MENTORS)
        parser.add_argument("--mentees", type=int, default=seed.DEFAULT_MENTEES)
        parser.add_argument("--seed", type=int, default=seed.SEED)
        parser.add_argument("--password", default=DEFAULT_PASSWORD)
        parser.add_argument(
            "--no-suggestions",
            action="store_true",
            help="Skip computing suggestions (the nightly task would compute them).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from loadtest import seed

        if not options["password"]:
            raise CommandError("--password cannot be empty.")
        try:
            counts = seed.seed_load(
                mentors=options["mentors"],
                mentees=options["mentees"],
                seed=options["seed"],
                # Hashed once: every account shares it, whatever the hasher costs.
                password_hash=make_password(options["password"]),
                with_suggestions=not options["no_suggestions"],
                log=self.stdout.write,
            )
        except seed.AlreadySeeded as exc:
            self.stdout.write(f"{exc} Nothing to do.")
            return
        except seed.TooSmall as exc:
            raise CommandError(str(exc)) from exc
        # Bulk inserts send no post_save: what running sites derived from people goes.
        profiles_changed.send(sender=Profile)
        self.stdout.write(self.style.SUCCESS("Load community ready:"))
        for name, count in sorted(counts.items()):
            self.stdout.write(f"  {name}: {count:,}")
        self.stdout.write(f'Every account shares the password "{options["password"]}".')
