from django.urls import path

from . import views

M = "<slug:code>/<str:month>/"
urlpatterns = [
    path("", views.index, name="statements"),
    path(M, views.statement_page, name="statement-page"),
    path(M + "download.<str:fmt>", views.download, name="statement-download"),
    path(M + "approve/", views.approve, name="statement-approve"),
    path(M + "query/", views.query, name="statement-query"),
    path(M + "close/", views.close, name="statement-close"),
    path(M + "remit/", views.remit, name="statement-remit"),
    path(M + "reconcile/", views.reconcile, name="statement-reconcile"),
    path(M + "differences/<int:item>/resolve/", views.resolve, name="statement-resolve"),
]
