import carebridge.integrations.models
from django.db import migrations, models

# The channels' default scopes when scopes came (integrations.models.DEFAULT_SCOPES then): every
# existing key keeps what its channel's keys are given by default, nothing more.
DEFAULTS = {
    "window": ["read", "book", "cancel-own", "check-in"],
    "kiosk": ["read", "book", "cancel-own", "check-in"],
    "phone": ["read", "book", "cancel-own"],
    "referral": ["read", "book", "cancel-own"],
    "wechat": ["read"],
}


def give_default_scopes(apps, schema_editor):
    ApiClient = apps.get_model("integrations", "ApiClient")
    for channel, scopes in DEFAULTS.items():
        ApiClient.objects.filter(channel=channel).update(scopes=scopes)


class Migration(migrations.Migration):
    dependencies = [
        ("integrations", "0002_alter_apiclient_key_hash"),
    ]

    operations = [
        migrations.AddField(
            model_name="apiclient",
            name="scopes",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="新建时留空则取该渠道的默认权限",
                validators=[carebridge.integrations.models.validate_scopes],
                verbose_name="权限",
            ),
        ),
        migrations.RunPython(give_default_scopes, migrations.RunPython.noop),
    ]
