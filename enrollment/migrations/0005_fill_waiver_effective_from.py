"""Waivers decided before the effective date existed applied from the
term's first day: record that date on them, so bills already made stay as
they were (a record of a term never changes afterwards)."""

from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    WaiverRequest = apps.get_model("enrollment", "WaiverRequest")
    Application = apps.get_model("enrollment", "Application")
    first_day = Application.objects.filter(pk=OuterRef("application_id")).values(
        "term__first_day"
    )[:1]
    WaiverRequest.objects.filter(status="approved", effective_from__isnull=True).update(
        effective_from=Subquery(first_day)
    )


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0004_waiver_effective_from")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
