"""The network's staff pages, under /network/."""

from django.urls import path

from beacon.network import views

app_name = "network"

urlpatterns = [
    path("", views.home, name="home"),
    path("volunteers/", views.volunteer_list, name="volunteers"),
    path("volunteers/new/", views.volunteer_new, name="volunteer_new"),
    path("volunteers/<int:pk>/", views.volunteer_detail, name="volunteer"),
    path("volunteers/<int:pk>/edit/", views.volunteer_edit, name="volunteer_edit"),
    path(
        "volunteers/<int:pk>/deactivate/",
        views.volunteer_deactivate,
        name="volunteer_deactivate",
    ),
    path("partners/", views.partner_list, name="partners"),
    path("partners/new/", views.partner_new, name="partner_new"),
    path("partners/<int:pk>/", views.partner_edit, name="partner"),
    path("followers/", views.follower_list, name="followers"),
    path("followers/subscribe/", views.follower_subscribe, name="follower_subscribe"),
    path("followers/import/", views.follower_import, name="follower_import"),
    path(
        "followers/<int:pk>/unsubscribe/",
        views.follower_unsubscribe,
        name="follower_unsubscribe",
    ),
]
