from django.db import migrations


def create_default_cohort(apps, schema_editor):
    Cohort = apps.get_model("matching", "Cohort")
    if not Cohort.objects.filter(is_default=True).exists():
        Cohort.objects.get_or_create(
            slug="community",
            defaults={
                "name": "Community",
                "description": (
                    "Everyone on the site: find a mentor or mentor others, any time."
                ),
                "is_default": True,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("matching", "0001_initial")]

    operations = [migrations.RunPython(create_default_cohort, migrations.RunPython.noop)]
