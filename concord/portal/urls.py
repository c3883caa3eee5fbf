from django.urls import path

from . import views

urlpatterns = [
    path("", views.signin, name="portal-signin"),
    path("code/", views.code, name="portal-code"),
    path("in/<str:token>/", views.link, name="portal-link"),
    path("signout/", views.signout, name="portal-signout"),
    path("home/", views.home, name="portal-home"),
    path("debt/<int:case_id>/", views.debt, name="portal-debt"),
    path("debt/<int:case_id>/letter/<int:message_id>.pdf", views.letter_pdf, name="portal-letter"),
    path("debt/<int:case_id>/pay/", views.pay, name="portal-pay"),
    path("debt/<int:case_id>/plan/", views.plan, name="portal-plan"),
    path("debt/<int:case_id>/plan/<int:arrangement_id>/", views.plan_done, name="portal-plan-done"),
    path("debt/<int:case_id>/plan/<int:arrangement_id>.pdf", views.plan_pdf, name="portal-plan-pdf"),
    path("debt/<int:case_id>/promise/", views.promise, name="portal-promise"),
    path("debt/<int:case_id>/issue/", views.issue, name="portal-issue"),
    path("order/<str:out_trade_no>/", views.order, name="portal-order"),
    path("preferences/", views.preferences, name="portal-preferences"),
    path("notify/<str:provider>/", views.notify, name="portal-notify"),
    path("sandbox/pay/", views.sandbox_pay, name="portal-sandbox"),
]
