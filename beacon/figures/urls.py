from django.urls import path

from beacon.figures import views, views_export, views_glance, views_report

app_name = "figures"
urlpatterns = [
    path("", views_glance.glance, name="glance"),
    path("records/<str:key>/", views_glance.records, name="records"),
    path("report/", views_report.report_latest, name="report_latest"),
    path("report/<int:year>/", views_report.report, name="report"),
    path("export/", views_export.export, name="export"),
    path("hotline/", views.hotline, name="hotline"),
]
