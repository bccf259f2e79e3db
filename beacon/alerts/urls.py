"""The staff pages of search notices, under /notices/."""

from django.urls import path

from beacon.alerts import views

app_name = "alerts"

urlpatterns = [
    path("", views.notice_list, name="list"),
    path("new/", views.notice_new, name="new"),
    path("figures/import/", views.figures_import, name="figures_import"),
    path("municipalities/", views.municipality_options, name="municipalities"),
    path("<int:pk>/", views.notice_detail, name="detail"),
    path("<int:pk>/edit/", views.notice_edit, name="edit"),
    path("<int:pk>/photos/", views.notice_photo_add, name="photo_add"),
    path("<int:pk>/photos/<int:photo_id>/", views.notice_photo, name="photo"),
    path("<int:pk>/photos/<int:photo_id>/remove/", views.notice_photo_remove, name="photo_remove"),
    path("<int:pk>/agreement/", views.notice_agreement, name="agreement"),
    path("<int:pk>/submit/", views.notice_submit, name="submit"),
    path("<int:pk>/approve/", views.notice_approve, name="approve"),
    path("<int:pk>/return/", views.notice_return, name="return"),
    path("<int:pk>/publish/", views.notice_publish, name="publish"),
    path("<int:pk>/withdraw/", views.notice_withdraw, name="withdraw"),
    path("<int:pk>/figures/", views.notice_stat, name="stat"),
    path("<int:pk>/report/", views.notice_report, name="report"),
    path("<int:pk>/preview/<str:language>.pdf", views.notice_preview, name="preview"),
]
