"""Prevention's staff pages under /prevention/."""

from django.urls import path

from beacon.prevention import views

app_name = "prevention"

urlpatterns = [
    path("", views.home, name="home"),
    path("trainings/new/", views.training_new, name="training_new"),
    path("trainings/<int:pk>/", views.training_edit, name="training"),
    path("sessions/new/", views.session_new, name="session_new"),
    path("sessions/<int:pk>/", views.session_edit, name="session"),
    path("tools/new/", views.tool_new, name="tool_new"),
]
