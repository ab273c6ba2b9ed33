from django.urls import path

from prakerja.retention import views

urlpatterns = [path("delete/", views.delete_account, name="retention_delete")]
