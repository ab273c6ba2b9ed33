from django.urls import path

from prakerja.catalog import operators

# Included at operators/partners/.
urlpatterns = [
    path("", operators.partners, name="catalog_operators_partners"),
    path("listings/", operators.listings, name="catalog_operators_listings"),
    path("listings/<uuid:public_id>/approve/", operators.listing_approve_view,
         name="catalog_operators_listing_approve"),
    path("listings/<uuid:public_id>/reject/", operators.listing_reject_view,
         name="catalog_operators_listing_reject"),
]
