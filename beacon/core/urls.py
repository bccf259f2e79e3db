from django.urls import path

from beacon.core import outbox_views, views

app_name = "core"
urlpatterns = [
    path("language/", views.set_language, name="set_language"),
    path("audit/", views.audit_list, name="audit"),
    path("outbox/", outbox_views.outbox_list, name="outbox"),
    path("outbox/<int:pk>/resend/", outbox_views.outbox_resend_view, name="outbox_resend"),
]
