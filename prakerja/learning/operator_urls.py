from django.urls import path

from prakerja.learning import operators

# Included at operators/trainings/.
urlpatterns = [
    path("completions/", operators.completions, name="operator_completions"),
    path("completions/<uuid:public_id>/", operators.completion, name="operator_completion"),
]
