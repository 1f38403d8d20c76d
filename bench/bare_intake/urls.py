from django.urls import path

from bench.bare_intake import views

urlpatterns = [
    path("bare/", views.bare_report, name="bare_report"),
]
