from django.urls import path

from prakerja.notifications import views

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read-all/", views.inbox_read_all, name="inbox_read_all"),
    path("<uuid:public_id>/read/", views.inbox_read, name="inbox_read"),
]
