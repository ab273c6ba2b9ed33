from django.urls import path

from prakerja.waves import views

urlpatterns = [
    path("", views.public_list, name="waves_public"),
    path("history/", views.history, name="waves_history"),
    path("rejoin/", views.rejoin, name="waves_rejoin"),
    path("counts/", views.counts, name="waves_counts"),
    path("<uuid:public_id>/join/", views.join, name="waves_join"),
    path("<uuid:public_id>/counts/", views.counts, name="waves_counts_wave"),
]
