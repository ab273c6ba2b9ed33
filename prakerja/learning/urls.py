from django.urls import path

from prakerja.learning import views

urlpatterns = [
    path("", views.history, name="training_history"),
    path("<uuid:payment_id>/review/", views.review, name="training_review"),
    path("complaint/", views.complaint_placeholder, name="complaint_placeholder"),
]
