from django.urls import path

from beacon.line import views

app_name = "line"
urlpatterns = [
    path("", views.board, name="board"),
    path("calls/new/", views.call_new, name="new"),
    path("calls/new/cases/", views.case_search, name="case_search"),
    path("calls/new/now/", views.now, name="now"),
    path("calls/<int:pk>/end/", views.call_end, name="end"),
    path("calls/<int:pk>/callback-done/", views.callback_done, name="callback_done"),
    path("calls/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
]
