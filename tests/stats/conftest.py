from tests.cards.conftest import announced_wave, card, cards, issue, queued  # noqa: F401
from tests.partners.conftest import listing, make_listing, platform, provider  # noqa: F401
