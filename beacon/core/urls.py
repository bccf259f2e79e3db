from django.urls import path

from beacon.core import views

app_name = "core"
urlpatterns = [
    path("language/", views.set_language, name="set_language"),
    path("audit/", views.audit_list, name="audit"),
]
