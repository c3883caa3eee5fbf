from django.urls import path

from . import case_views as c
from . import views as v

urlpatterns = [
    path("cases/<int:pk>/", c.case_detail, name="case-detail"),
    path("cases/<int:pk>/reveal/", c.reveal, name="case-reveal"),
    path("cases/<int:pk>/contacts/", c.add_contact, name="case-add-contact"),
    path("cases/<int:pk>/profile/", c.add_profile, name="case-add-profile"),
    path("cases/<int:pk>/assets/", c.add_asset, name="case-add-asset"),
    path("cases/<int:pk>/payments/", c.record_payment, name="case-record-payment"),
    path("cases/<int:pk>/assign/", c.assign, name="case-assign"),
    path("cases/<int:pk>/claim/", c.claim, name="case-claim"),
    path("cases/<int:pk>/release/", c.release, name="case-release"),
    path("cases/<int:pk>/call/", c.call_start, name="case-call"),
    path("cases/<int:pk>/call/log/", c.call_log, name="case-call-log"),
    path("cases/<int:pk>/promises/", c.promise_add, name="case-promise"),
    path("cases/<int:pk>/tasks/", c.task_add, name="case-task"),
    path("cases/<int:pk>/notes/", c.note_add, name="case-note"),
    path("home/", v.home, name="home"),
    path("work/", v.my_work, name="my-work"),
    path("work/next/", v.next_case, name="work-next"),
    path("work/team/", v.team, name="work-team"),
    path("work/scripts/", v.script_list, name="work-scripts"),
    path("work/scripts/<int:pk>/", v.script_edit, name="work-script-edit"),
    path("work/tasks/<int:pk>/complete/", v.task_complete, name="work-task-complete"),
    path("work/recordings/<int:pk>/", v.recording_play, name="work-recording"),
]
