from django.urls import path

from . import views

urlpatterns = [
    path("", views.batch_list, name="placement-list"),
    path("<int:pk>/", views.batch_detail, name="placement-detail"),
    path("<int:pk>/terms/", views.batch_terms, name="placement-terms"),
    path("<int:pk>/recall/", views.batch_recall, name="placement-recall"),
]
