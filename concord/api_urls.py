from django.urls import path
from rest_framework.routers import DefaultRouter

urlpatterns = []
