"""Audit events become HMACs under the audit key (core/audit.py). Events written before keep their plain SHA-256
hashes and ``key_id`` empty; each chain that ends in such events gets a keyed ``audit.seal`` event, whose HMAC covers
the last old hash, so that rewriting the old events needs the key from now on."""
from django.db import migrations, models


def seal(apps, schema_editor):
    from concord.core import audit, clock

    AuditEvent = apps.get_model("core", "AuditEvent")
    AuditHead = apps.get_model("core", "AuditHead")
    for head in AuditHead.objects.filter(seq__gt=0).order_by("id"):
        event = AuditEvent(chain=head.id, seq=head.seq + 1, at=clock.now(), actor=None, actor_label="system",
                           action="audit.seal", object_type="", object_id="", changes={"unkeyed_events": head.seq},
                           request_id="migrate", prev_hash=head.hash, key_id=audit.current_key().id)
        event.hash = audit.compute_hash(event)
        event.save(force_insert=True)
        AuditHead.objects.filter(id=head.id).update(seq=event.seq, hash=event.hash)


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0003_audit_chains"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="key_id",
            field=models.CharField(blank=True, default="", max_length=16),
        ),
        migrations.RunPython(seal, migrations.RunPython.noop),
    ]
