from django.urls import path

from . import views

app_name = "legal"
urlpatterns = [
    path("", views.legal_list, name="list"),
    path("review/", views.review_list, name="review"),
    path("case/<int:case_pk>/enter/", views.enter, name="enter"),
    path("case/<int:case_pk>/acknowledgements/", views.acknowledge, name="acknowledge"),
    path("<int:pk>/stages/", views.start_stage, name="stage"),
    path("stages/<int:pk>/complete/", views.complete_stage, name="complete"),
    path("<int:pk>/costs/", views.add_cost, name="cost"),
    path("<int:pk>/documents/", views.upload, name="upload"),
    path("<int:pk>/close/", views.close, name="close"),
    path("documents/<int:pk>/", views.download, name="document"),
]
