from django.urls import path

from prakerja.induction import views

# Included at card/videos/ (prakerja/urls.py).
urlpatterns = [
    path("", views.video_list, name="induction_list"),
    path("<slug:slug>/", views.video_page, name="induction_video"),
    path("<slug:slug>/progress", views.progress, name="induction_progress"),
    path("<slug:slug>/video.mp4", views.video_file, name="induction_video_file"),
    path("<slug:slug>/captions.vtt", views.captions_file, name="induction_captions_file"),
]
