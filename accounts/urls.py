from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.staff_login, name="login"),
    path("logout/", views.staff_logout, name="logout"),
    path("roles/", views.staff_roles, name="roles"),
    path("roles/<int:user_id>/<str:change>/<str:role>/", views.role_change, name="role_change"),
]
