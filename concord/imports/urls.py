from django.urls import path

from . import views

urlpatterns = [
    path("", views.batch_list, name="import-list"),
    path("<int:pk>/", views.batch_detail, name="import-detail"),
    path("<int:pk>/map/", views.map_columns, name="import-map"),
    path("<int:pk>/progress/", views.progress, name="import-progress"),
    path("<int:pk>/rerun/", views.rerun, name="import-rerun"),
    path("<int:pk>/download/<str:which>/", views.download, name="import-download"),
]
