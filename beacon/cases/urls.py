from django.urls import path

from beacon.cases import views

app_name = "cases"
urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.case_new, name="new"),
    path("<int:pk>/", views.case_detail, name="detail"),
    path("<int:pk>/edit/", views.case_edit, name="edit"),
    path("<int:pk>/assess/", views.case_assess, name="assess"),
    path("<int:pk>/note/", views.case_note, name="note"),
    path("<int:pk>/close/", views.case_close, name="close"),
    path("<int:pk>/reopen/", views.case_reopen, name="reopen"),
]
