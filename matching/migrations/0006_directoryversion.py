from django.db import migrations, models


def create_rows(apps, schema_editor):
    # 1: the directory's mentors, 2: their activity (see matching/directory.py)
    for pk in (1, 2):
        apps.get_model("matching", "DirectoryVersion").objects.get_or_create(pk=pk)


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0005_cohort_closing_audit_log"),
    ]

    operations = [
        migrations.CreateModel(
            name="DirectoryVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(create_rows, migrations.RunPython.noop),
    ]
