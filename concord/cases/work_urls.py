from django.urls import path

from . import work_views as v

urlpatterns = [
    path("work/", v.my_work, name="my-work"),
    path("work/next/", v.next_case, name="work-next"),
    path("work/team/", v.team, name="work-team"),
    path("work/scripts/", v.script_list, name="work-scripts"),
    path("work/scripts/<int:pk>/", v.script_edit, name="work-script-edit"),
    path("work/tasks/<int:pk>/complete/", v.task_complete, name="work-task-complete"),
    path("work/recordings/<int:pk>/", v.recording_play, name="work-recording"),
    path("cases/<int:pk>/claim/", v.claim, name="case-claim"),
    path("cases/<int:pk>/release/", v.release, name="case-release"),
    path("cases/<int:pk>/call/", v.call_start, name="case-call"),
    path("cases/<int:pk>/call/log/", v.call_log, name="case-call-log"),
    path("cases/<int:pk>/promises/", v.promise_add, name="case-promise"),
    path("cases/<int:pk>/tasks/", v.task_add, name="case-task"),
    path("cases/<int:pk>/notes/", v.note_add, name="case-note"),
]
