from django.db import migrations

# A recompute after a weights change rewrites each of a cohort's suggestions in place.
# With half of each page left free, PostgreSQL writes each new version next to the old
# one (a heap-only tuple update: no new index entries) and reclaims the old one when it
# next reads the page, without waiting for vacuum. Rows written from now on leave the
# room; the first full rewrite moves the older rows onto such pages.
FILLFACTOR = 45


def leave_room(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"ALTER TABLE matching_suggestion SET (fillfactor = {FILLFACTOR})")


def fill_up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE matching_suggestion RESET (fillfactor)")


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0012_cohort_allow_requests_without_shared_language"),
    ]

    operations = [migrations.RunPython(leave_room, fill_up)]
