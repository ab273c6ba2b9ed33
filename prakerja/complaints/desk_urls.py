"""The complaints desk (CMP-3), under /backoffice/complaints/."""

from django.urls import path

from prakerja.complaints import desk

urlpatterns = [
    path("", desk.queue, name="desk_queue"),
    path("<uuid:public_id>/", desk.ticket, name="desk_ticket"),
    path("<uuid:public_id>/assign/", desk.assign, name="desk_assign"),
    path("<uuid:public_id>/reply/", desk.reply, name="desk_reply"),
    path("<uuid:public_id>/resolve/", desk.resolve, name="desk_resolve"),
]
