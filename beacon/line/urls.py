from django.urls import path  # noqa: F401

app_name = "line"
urlpatterns: list = []
