from django.urls import path

from prakerja.cards import views

urlpatterns = [
    path("number/", views.number, name="card_number"),
]
