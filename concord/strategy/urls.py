from django.urls import path

from . import views as v

urlpatterns = [
    path("", v.index, name="strategy-index"),
    path("new/", v.edit, name="strategy-new"),
    path("experiments/new/", v.experiment_new, name="strategy-experiment-new"),
    path("experiments/<int:pk>/", v.experiment, name="strategy-experiment"),
    path("experiments/<int:pk>/promote/<int:arm>/", v.promote, name="strategy-promote"),
    path("experiments/<int:pk>/end/", v.end, name="strategy-experiment-end"),
    path("s/<slug:code>/", v.detail, name="strategy-detail"),
    path("s/<slug:code>/edit/", v.edit, name="strategy-edit"),
    path("s/<slug:code>/rollback/<int:version>/", v.rollback, name="strategy-rollback"),
    path("s/<slug:code>/live/", v.make_live, name="strategy-live"),
]
