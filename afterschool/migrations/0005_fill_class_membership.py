"""Fill ClassMembership from each student's one class field (STYLE.md §13:
add, fill, then switch the reads). Every existing student gets one open
membership of the class it is in today; reverting deletes nothing the old
code needs."""

from django.db import migrations


def fill(apps, schema_editor):
    Student = apps.get_model("afterschool", "Student")
    ClassMembership = apps.get_model("afterschool", "ClassMembership")
    have = set(ClassMembership.objects.values_list("student_id", "school_class_id"))
    rows = [
        ClassMembership(student_id=sid, school_class_id=cid)
        for sid, cid in Student.objects.values_list("pk", "school_class_id").iterator()
        if (sid, cid) not in have
    ]
    ClassMembership.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("afterschool", "0004_class_membership"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
