"""The demo storefront's own records: its orders (the platform's side of a purchase)."""

import secrets

from django.db import models


def new_token() -> str:
    return secrets.token_hex(16)


class ShopOrder(models.Model):
    """One checkout at the demo shop: what the shopper asked for and what the partner API answered.

    ``token`` is the order's address in URLs (never the sequential id) and the
    root of its Idempotency-Keys; ``number`` is the ``platform_order_id`` sent
    to Prakerja. Only the card's last four digits are kept, as a shop should.
    """

    token = models.CharField(max_length=32, unique=True, default=new_token)
    number = models.CharField(max_length=64, unique=True)
    shopper = models.CharField(max_length=64, db_index=True)  # platform_user_id
    listing_code = models.CharField(max_length=32)
    title = models.CharField(max_length=200)
    buyer_name = models.CharField(max_length=200)
    buyer_email = models.CharField(max_length=254)
    buyer_phone = models.CharField(max_length=20)
    card_last4 = models.CharField(max_length=4)
    # new | refused (POST /payments said no) | otp_sent | paid | failed | cancelled | expired
    status = models.CharField(max_length=12, default="new")
    payment_id = models.CharField(max_length=36, blank=True)
    amount = models.PositiveIntegerField(null=True, blank=True)
    otp_expires_at = models.DateTimeField(null=True, blank=True)
    voucher_code = models.CharField(max_length=64, blank=True)
    refunded_amount = models.PositiveIntegerField(null=True, blank=True)
    error_code = models.CharField(max_length=64, blank=True)
    error_message = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.number
