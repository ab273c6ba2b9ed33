from django.urls import path

from prakerja.selection import views

# Included under /waves/ beside prakerja.waves.urls: a wave's results live at its own address.
urlpatterns = [
    path("<uuid:public_id>/results/", views.results, name="selection_results"),
    path("<uuid:public_id>/results.csv", views.results_csv, name="selection_results_csv"),
    path("<uuid:public_id>/draw.csv", views.draw_csv, name="selection_draw_csv"),
    path("<uuid:public_id>/report/", views.report, name="selection_report"),
    path("<uuid:public_id>/report/run/", views.report_run, name="selection_report_run"),
    path("<uuid:public_id>/report/publish/", views.report_publish, name="selection_report_publish"),
]
