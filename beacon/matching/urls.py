from django.urls import include, path

from beacon.matching import views

app_name = "matching"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/confirm/", views.item_confirm, name="item_confirm"),
    path("items/<int:pk>/reject/", views.item_reject, name="item_reject"),
    path("items/<int:pk>/preview/", views.preview, name="preview"),
    path("scans/", views.batches, name="batches"),
    path("scans/<int:pk>/", views.batch_detail, name="batch"),
    path("exposure/", views.exposure, name="exposure"),
    path("hotline/<int:item_id>/hash/", views.hotline_hash, name="hotline_hash"),
    path("banks/", include("beacon.matching.urls_banks")),
]
