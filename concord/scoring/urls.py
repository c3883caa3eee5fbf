from django.urls import path

from . import views

urlpatterns = [
    path("", views.registry, name="scoring-models"),
    path("<int:pk>/", views.detail, name="scoring-model"),
    path("<int:pk>/approve/", views.approve, name="scoring-approve"),
    path("<int:pk>/retire/", views.retire, name="scoring-retire"),
]
