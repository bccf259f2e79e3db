"""The civil hotline's staff pages (analysts, team leads, case managers), under /hotline/."""

from django.urls import path

from beacon.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("urls/<int:pk>/", views.item_detail, name="item"),
    path("urls/<int:pk>/assess/", views.item_assess, name="assess"),
    path("urls/<int:pk>/second-opinion/", views.item_second_opinion, name="second_opinion"),
    path("urls/<int:pk>/confirm/", views.item_confirm, name="confirm"),
    path("urls/<int:pk>/notices/<int:notice_id>/reply/", views.notice_reply, name="reply"),
    path("workload/", views.workload, name="workload"),
    path("referrals/", views.referral_list, name="referrals"),
    path("referrals/<int:pk>/link/", views.referral_link, name="referral_link"),
]
