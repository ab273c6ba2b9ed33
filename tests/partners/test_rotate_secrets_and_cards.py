"""rotate_personal_data re-encrypts card numbers and partner secrets too, not only profiles."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command

from prakerja.cards.models import Card
from prakerja.partners.models import PartnerSecret
from prakerja.registry import crypto


def test_card_numbers_and_partner_secrets_survive_a_key_rotation(settings, ready_card, card_number, platform):
    old_key = settings.PERSONAL_DATA_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.PERSONAL_DATA_KEYS = [new_key, old_key]
    call_command("rotate_personal_data", stdout=open("/dev/null", "w"))
    settings.PERSONAL_DATA_KEYS = [new_key]  # the old key is gone
    card = Card.objects.get(pk=ready_card.pk)
    secret = PartnerSecret.objects.get(partner=platform)
    assert crypto.decrypt(card.number_encrypted) == card_number
    assert crypto.decrypt(secret.secret_encrypted) == "sandbox-secret"
    settings.PERSONAL_DATA_KEYS = [old_key]
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(card.number_encrypted)
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(secret.secret_encrypted)


def test_a_cached_secret_under_a_removed_key_is_read_afresh(settings, api, platform):
    from prakerja.partners.services import partner_for_signature

    assert partner_for_signature(platform.code)[1] == ["sandbox-secret"]  # cached, under the old key
    old_key = settings.PERSONAL_DATA_KEYS[0]
    new_key = Fernet.generate_key().decode()
    settings.PERSONAL_DATA_KEYS = [new_key, old_key]
    call_command("rotate_personal_data", stdout=open("/dev/null", "w"))
    settings.PERSONAL_DATA_KEYS = [new_key]
    assert partner_for_signature(platform.code)[1] == ["sandbox-secret"]
    assert api.get("/payments/00000000-0000-0000-0000-000000000000").status_code == 404  # signed, known: not 401
