# Every call has its local hour now (0003), and every write path sets it (Call.save, the
# queryset's bulk_create / bulk_update / update): the column is required.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('line', '0003_fill_call_local_hour'),
    ]

    operations = [
        migrations.AlterField(
            model_name='call',
            name='local_hour',
            field=models.PositiveSmallIntegerField(editable=False, verbose_name='local hour started'),
        ),
    ]
