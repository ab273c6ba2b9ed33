"""Statistics (OPS-3), under /backoffice/stats/."""

from django.urls import path

from prakerja.stats import views

urlpatterns = [
    path("", views.funnel, name="stats_home"),
    path("selection/", views.selection, name="stats_selection"),
    path("trainings/", views.trainings, name="stats_trainings"),
    path("complaints/", views.complaints, name="stats_complaints"),
    path("<slug:section>.csv", views.export_csv, name="stats_csv"),
]
