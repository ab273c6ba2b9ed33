from tests.cards.conftest import announced_wave, card, issue, queued, watched  # noqa: F401
from tests.partners.conftest import card_number, listing, make_listing, platform, provider, ready_card  # noqa: F401
