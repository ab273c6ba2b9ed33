from django.urls import path

from prakerja.sandbox import views

urlpatterns = [
    path("", views.index),
    path("outbox", views.outbox),
    path("outbox.json", views.outbox_json),
    path("sms/send", views.sms_send),
    path("control/faults", views.faults),
]
