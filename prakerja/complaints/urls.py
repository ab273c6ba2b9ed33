"""The participant's side of the complaints desk (CMP-1, CMP-2). Names are used by services.py."""

from django.urls import path

from prakerja.complaints import views

urlpatterns = [
    path("", views.complaint_form, name="complaint_form"),
    path("confirm/<uuid:public_id>/", views.complaint_confirm, name="complaint_confirm"),
    path("tickets/", views.ticket_list, name="complaint_list"),
    path("tickets/<uuid:public_id>/", views.ticket_detail, name="complaint_ticket"),
    path("evidence/<uuid:public_id>/", views.evidence_download, name="complaint_evidence"),
    path("t/<str:token>/", views.ticket_by_link, name="complaint_ticket_link"),
    path("t/<str:token>/evidence/<uuid:public_id>/", views.link_evidence_download, name="complaint_link_evidence"),
]
