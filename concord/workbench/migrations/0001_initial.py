"""The workbench's models, moved from the cases app with their tables (``cases_promise``, ``cases_task``,
``cases_callrecording``, ``cases_script``): state only, nothing in the database changes."""

import django.db.models.deletion
from decimal import Decimal
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('cases', '0007_workbench_models_moved'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CallRecording',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('path', models.CharField(blank=True, max_length=300, verbose_name='文件')),
                        ('content_type', models.CharField(blank=True, max_length=60, verbose_name='文件类型')),
                        ('size', models.PositiveIntegerField(default=0, verbose_name='大小（字节）')),
                        ('reference', models.CharField(blank=True, max_length=120, verbose_name='话单/录音编号')),
                        ('retain_until', models.DateField(verbose_name='保存至')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('activity', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='recording', to='cases.activity', verbose_name='催记')),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='recordings', to='cases.case', verbose_name='案件')),
                    ],
                    options={
                        'verbose_name': '通话录音',
                        'verbose_name_plural': '通话录音',
                        'db_table': 'cases_callrecording',
                    },
                ),
                migrations.CreateModel(
                    name='Promise',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('amount', models.DecimalField(decimal_places=2, max_digits=14, verbose_name='承诺金额')),
                        ('due_date', models.DateField(db_index=True, verbose_name='承诺还款日期')),
                        ('grace_days', models.PositiveSmallIntegerField(default=1, verbose_name='宽限天数')),
                        ('status', models.CharField(choices=[('pending', '待履行'), ('kept', '已履行'), ('partial', '部分履行'), ('broken', '已违约'), ('superseded', '已被新承诺取代')], db_index=True, default='pending', max_length=12, verbose_name='状态')),
                        ('paid_amount', models.DecimalField(decimal_places=2, default=Decimal('0'), max_digits=14, verbose_name='已还金额')),
                        ('made_at', models.DateTimeField(verbose_name='承诺时间')),
                        ('resolved_at', models.DateTimeField(blank=True, null=True, verbose_name='结果时间')),
                        ('note', models.CharField(blank=True, max_length=200, verbose_name='备注')),
                        ('activity', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='cases.activity', verbose_name='催记')),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='promises', to='cases.case', verbose_name='案件')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='登记人')),
                    ],
                    options={
                        'verbose_name': '承诺还款',
                        'verbose_name_plural': '承诺还款',
                        'db_table': 'cases_promise',
                        'ordering': ['-made_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='Script',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('topic', models.CharField(choices=[('hardship', '经济困难'), ('anger', '情绪激动'), ('dispute', '对债务有异议'), ('third_party', '第三方接听')], max_length=20, unique=True, verbose_name='场景')),
                        ('title_zh', models.CharField(max_length=100, verbose_name='标题（中文）')),
                        ('title_en', models.CharField(max_length=100, verbose_name='标题（英文）')),
                        ('body_zh', models.TextField(verbose_name='话术（中文）')),
                        ('body_en', models.TextField(verbose_name='话术（英文）')),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('updated_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='修改人')),
                    ],
                    options={
                        'verbose_name': '沟通话术',
                        'verbose_name_plural': '沟通话术',
                        'db_table': 'cases_script',
                        'ordering': ['topic'],
                    },
                ),
                migrations.CreateModel(
                    name='Task',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('follow_up', '跟进'), ('callback', '约定回电'), ('promise_reminder', '承诺还款提醒'), ('verify_payment', '核实已还款')], default='follow_up', max_length=20, verbose_name='类型')),
                        ('title', models.CharField(max_length=200, verbose_name='事项')),
                        ('due_at', models.DateTimeField(db_index=True, verbose_name='到期时间')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('done_at', models.DateTimeField(blank=True, db_index=True, null=True, verbose_name='完成时间')),
                        ('result', models.CharField(blank=True, max_length=200, verbose_name='处理结果')),
                        ('assigned_to', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='work_tasks', to=settings.AUTH_USER_MODEL, verbose_name='负责人')),
                        ('case', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='tasks', to='cases.case', verbose_name='案件')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='创建人')),
                        ('done_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='完成人')),
                        ('promise', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='tasks', to='workbench.promise', verbose_name='承诺还款')),
                    ],
                    options={
                        'verbose_name': '跟进任务',
                        'verbose_name_plural': '跟进任务',
                        'db_table': 'cases_task',
                        'ordering': ['due_at', 'id'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('promise__isnull', False)), fields=('promise', 'kind'), name='task_one_per_promise_kind')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
