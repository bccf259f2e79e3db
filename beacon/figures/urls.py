from django.urls import path

from beacon.figures import views

app_name = "figures"
urlpatterns = [
    path("hotline/", views.hotline, name="hotline"),
]
