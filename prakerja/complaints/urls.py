"""The participant's side of the complaints desk (CMP-1, CMP-2). Names are used by services.py."""

from django.urls import path

from prakerja.complaints import views

urlpatterns = [
    path("", views.complaint_form, name="complaint_form"),
    path("tickets/", views.ticket_list, name="complaint_list"),
    path("tickets/<uuid:public_id>/", views.ticket_detail, name="complaint_ticket"),
    path("t/<str:token>/", views.ticket_by_link, name="complaint_ticket_link"),
]
