from django.urls import path

from beacon.risk import views

app_name = "risk"
urlpatterns = [
    path("", views.flag_list, name="list"),
    path("<int:pk>/acknowledge/", views.flag_action, {"action": "acknowledge"}, name="acknowledge"),
    path("<int:pk>/clear/", views.flag_action, {"action": "clear"}, name="clear"),
]
