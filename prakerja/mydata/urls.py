from django.urls import path

from prakerja.mydata import views

urlpatterns = [
    path("", views.page, name="mydata"),
    path("download/<str:fmt>/", views.download, name="mydata_download"),
    path("accesses/", views.accesses, name="mydata_accesses"),
    path("correction/", views.correction, name="mydata_correction"),
]
