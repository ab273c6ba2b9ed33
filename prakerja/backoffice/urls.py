from django.urls import include, path

from prakerja.backoffice import views

urlpatterns = [
    path("", views.home, name="backoffice_home"),
    path("complaints/", include("prakerja.complaints.desk_urls")),
    path("stats/", include("prakerja.stats.urls")),
]
