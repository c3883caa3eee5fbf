"""Record the champion's version with arm 0 of the experiments started before it was recorded at the start.

Arm 0's version was left empty (meaning "the live strategy's newest"), so after a promotion or a later save the
experiment's page showed the new champion. For each such arm the version is recovered, in this order:

1. the champion label the start's audit event names (``strategy.experiment.start``, ``changes["champion"]``, e.g.
   ``"default v3"``) — what the start itself recorded;
2. failing that, the newest version of the strategy live now that was saved at or before the experiment's start (right
   when the live strategy has not changed since).

An arm neither finds stays empty, and the page shows the current champion for it, as before. Nothing is written to the
audit trail: this only fills in what the start's own audit event already says."""
from django.db import migrations


def _by_label(Version, label):
    code, _sep, number = (label or "").rpartition(" v")
    if not code or not number.isdigit():
        return None
    return Version.objects.filter(strategy__code=code, version=int(number)).first()


def fill(apps, schema_editor):
    Arm = apps.get_model("strategy", "ExperimentArm")
    Version = apps.get_model("strategy", "StrategyVersion")
    AuditEvent = apps.get_model("core", "AuditEvent")
    for arm in Arm.objects.filter(arm=0, version__isnull=True).select_related("experiment"):
        exp = arm.experiment
        event = AuditEvent.objects.filter(action="strategy.experiment.start", object_type="strategy.experiment",
                                          object_id=str(exp.pk)).order_by("id").first()
        found = _by_label(Version, (event.changes or {}).get("champion")) if event else None
        if found is None:
            found = Version.objects.filter(strategy__live=True, created_at__lte=exp.started_at).order_by(
                "-version").first()
        if found is not None:
            arm.version = found
            arm.save(update_fields=["version"])


class Migration(migrations.Migration):
    dependencies = [("strategy", "0002_default_strategy"), ("core", "0005_merge_0004_audit_keys_0004_jobs")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
