# An include's language takes every tag validation takes (up to 64 characters, not 35).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('pronunciations', '0007_layers_disabled_rules'),
    ]

    operations = [
        migrations.AlterField(
            model_name='include',
            name='language',
            field=models.CharField(blank=True, default='', max_length=64),
        ),
    ]
