"""`manage.py seed_demo`: a realistic, reproducible community to demo and test against."""

from argparse import ArgumentParser
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError

from profiles.demo import (
    ADMIN_EMAIL,
    DEFAULT_BOTH,
    DEFAULT_MENTEES,
    DEFAULT_MENTORS,
    DEFAULT_PASSWORD,
    Role,
    SeedResult,
    VocabularyMissing,
    demo_email,
    plan_community,
    seed_community,
)

ROLE_LABELS = {
    Role.ADMIN: "programme admin",
    Role.MENTOR: "mentors",
    Role.BOTH: "mentors who also want a mentor",
    Role.MENTEE: "mentees",
}


class Command(BaseCommand):
    help = (
        "Create a deterministic demo community: one programme admin, mentors, mentees and a "
        "few people who are both, all onboarded and sharing one password. Safe to run again: "
        "existing addresses are left untouched."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"Password for every new demo account (default: {DEFAULT_PASSWORD}).",
        )
        parser.add_argument("--mentors", type=int, default=DEFAULT_MENTORS)
        parser.add_argument("--mentees", type=int, default=DEFAULT_MENTEES)
        parser.add_argument(
            "--both",
            type=int,
            default=DEFAULT_BOTH,
            help="People who mentor and also want a mentor.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = {role: options[role] for role in ("mentors", "mentees", "both")}
        for option, value in counts.items():
            if value < 0:
                raise CommandError(f"--{option} cannot be negative.")
        password: str = options["password"]
        if not password:
            raise CommandError("--password cannot be empty.")

        people = plan_community(**counts)
        try:
            # Hashing is deliberately slow, so it happens once and every account shares it.
            result = seed_community(people=people, password_hash=make_password(password))
        except VocabularyMissing as exc:
            raise CommandError(f"{exc} Run `manage.py migrate` first.") from exc
        self._report(result, password=password, counts=counts)

    def _report(self, result: SeedResult, *, password: str, counts: dict[str, int]) -> None:
        created, existing = result.created.total(), result.existing.total()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo community ready: {created} created, {existing} already there."
            )
        )
        for role, label in ROLE_LABELS.items():
            self.stdout.write(
                f"  {label}: {result.created[role]} created, {result.existing[role]} existing"
            )
        self.stdout.write(f'\nEvery demo account shares the password "{password}".')
        if existing:
            self.stdout.write(
                "Accounts that already existed were left as they were, password included."
            )
        examples = [("admin", ADMIN_EMAIL)]
        for role, option in ((Role.MENTOR, "mentors"), (Role.MENTEE, "mentees")):
            if counts[option]:
                examples.append((role.value, demo_email(role, 1)))
        if counts["both"]:
            examples.append(("both", demo_email(Role.BOTH, 1)))
        self.stdout.write("Log in as, for example:")
        for label, email in examples:
            self.stdout.write(f"  {label:<7} {email}")
