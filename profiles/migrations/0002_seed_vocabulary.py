from django.db import migrations


def seed(apps, schema_editor):
    from profiles.vocabulary import LANGUAGES, SKILLS

    Language = apps.get_model("profiles", "Language")
    Skill = apps.get_model("profiles", "Skill")
    for code, name in LANGUAGES:
        Language.objects.get_or_create(code=code, defaults={"name": name})
    for category, names in SKILLS.items():
        for name in names:
            if not Skill.objects.filter(name__iexact=name).exists():
                Skill.objects.create(name=name, category=category, is_curated=True)


class Migration(migrations.Migration):
    dependencies = [("profiles", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
