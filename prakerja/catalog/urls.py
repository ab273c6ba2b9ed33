from django.urls import path

from prakerja.catalog import views

urlpatterns = [
    path("", views.search, name="training_search"),
    path("courses/<str:code>/", views.course, name="course_detail"),
]
