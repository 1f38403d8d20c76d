from django.urls import path

from cases import views

app_name = "cases"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("cases/", views.case_list, name="list"),
    path("cases/new/", views.case_register, name="register"),
    path("cases/<uuid:case_id>/", views.case_detail, name="detail"),
    path("cases/<uuid:case_id>/do/<slug:action>/", views.case_transition, name="transition"),
    path("cases/<uuid:case_id>/advisors/", views.case_assign, name="assign"),
    path("cases/<uuid:case_id>/consent/", views.case_consent, name="consent"),
    path("cases/<uuid:case_id>/convert/", views.case_convert, name="convert"),
    path("cases/<uuid:case_id>/notes/", views.note_add, name="note_add"),
    path("cases/<uuid:case_id>/messages/", views.message_send, name="message_send"),
    path("cases/<uuid:case_id>/files/", views.attachment_upload, name="attachment_upload"),
    path("cases/<uuid:case_id>/files/<uuid:attachment_id>/", views.attachment_download,
         name="attachment_download"),
]
