from django.urls import path

from prakerja.cards import operators

# Included at operators/cards/.
urlpatterns = [
    path("revoked/", operators.revoked, name="cards_operators_revoked"),
    path("revoked/supplementary/", operators.supplementary_create, name="cards_operators_supplementary"),
]
