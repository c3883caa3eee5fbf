"""The promise-reminder SMS names the promised amount and date ({promise_amount}, {promise_date}): the shipped
templates are changed where they are still as shipped (version 1, never edited); an edited one is left as it is."""
from django.db import migrations

OLD = {
    "zh-hans": "【{creditor_name}】{debtor_name}您好，感谢您约定还款。提醒您按约定日期还款，当前欠款{balance}元。"
               "如约定日期前有困难，请致电{creditor_phone}告知。案件编号{case_reference}。",
    "en": "{creditor_name}: Dear {debtor_name}, thank you for your promise to pay. A reminder to pay on the date you "
          "agreed; the balance is {balance}. If something changes, call {creditor_phone} before then. "
          "Ref {case_reference}.",
}


def _rows(apps):
    MessageTemplate = apps.get_model("outreach", "MessageTemplate")
    return MessageTemplate.objects.filter(code="promise_reminder", channel="sms", version=1)


def forward(apps, schema_editor):
    from concord.outreach.seeds import STAGE_TEMPLATES
    new = {language: body for code, channel, language, _p, _n, _s, body in STAGE_TEMPLATES
           if code == "promise_reminder" and channel == "sms"}
    for language, body in OLD.items():
        _rows(apps).filter(language=language, body=body).update(body=new[language])


def backward(apps, schema_editor):
    from concord.outreach.seeds import STAGE_TEMPLATES
    for code, channel, language, _p, _n, _s, body in STAGE_TEMPLATES:
        if code == "promise_reminder" and channel == "sms" and language in OLD:
            _rows(apps).filter(language=language, body=body).update(body=OLD[language])


class Migration(migrations.Migration):
    dependencies = [("outreach", "0003_stage_templates")]
    operations = [migrations.RunPython(forward, backward)]
