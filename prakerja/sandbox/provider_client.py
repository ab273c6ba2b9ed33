"""Who the provider desk signs as: the demo training providers and their public demo credentials.

The sandbox's copy of prakerja/demo/partners.py's PROVIDERS: the sandbox
cannot import the platform's demo module (it is the outside world, without
the platform's apps), so it keeps its own list, as the demo shop keeps its
own catalogue; tests/sandbox/test_sandbox_provider_partners.py fails when
the two drift apart. The calls themselves go through the shop's signed
client (shop_client.PartnerApi), with the provider's client code and secret.
"""

from dataclasses import dataclass

from prakerja.sandbox.shop_client import PartnerApi


@dataclass(frozen=True)
class DeskProvider:
    code: str
    name: str
    prefix: str  # its course codes: "LNC-0001"

    @property
    def secret(self) -> str:
        return f"sandbox-{self.code}"  # the demo data's public secret (make run's banner prints it)


# The first is the default: the provider of the partner API guide's example (docs/partner-api.md, LNC-0001).
PROVIDERS = (
    DeskProvider("nusantara-cendekia", "LPK Nusantara Cendekia", "LNC"),
    DeskProvider("cakrawala-mandiri", "Lembaga Pelatihan Cakrawala Mandiri", "CKM"),
    DeskProvider("widya-karya", "Widya Karya Edukasi", "WKE"),
    DeskProvider("bina-terampil", "Bina Terampil Indonesia", "BTI"),
    DeskProvider("dapur-rempah", "Akademi Kuliner Dapur Rempah", "ADR"),
)


def provider_by_code(code: str | None) -> DeskProvider | None:
    return next((p for p in PROVIDERS if p.code == code), None)


def provider_by_name(name: str | None) -> DeskProvider | None:
    return next((p for p in PROVIDERS if p.name == name), None)


def provider_api(provider: DeskProvider) -> PartnerApi:
    return PartnerApi.as_partner(provider.code, provider.secret)
