from django.urls import path

from prakerja.learning import certificates

urlpatterns = [
    path("", certificates.check, name="certificate_check"),
    path("<str:number>/", certificates.detail, name="certificate_detail"),
    path("<str:number>/pdf/", certificates.pdf, name="certificate_pdf"),
]
