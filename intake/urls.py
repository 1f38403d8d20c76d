from django.urls import path

from intake import views

app_name = "intake"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("report/", views.report, name="report"),
    path("talk/", views.talk, name="talk"),
    path("received/", views.received_confirm, name="received_confirm"),
    path("status/", views.status_sign_in, name="status"),
    path("status/case/", views.status_case, name="status_case"),
    path("status/case/message/", views.status_message, name="status_message"),
    path("status/case/add/", views.status_add, name="status_add"),
    path("status/case/withdraw/", views.status_withdraw, name="status_withdraw"),
    path("status/case/new-code/", views.status_new_code, name="status_new_code"),
    path("status/leave/", views.status_leave, name="status_leave"),
]
