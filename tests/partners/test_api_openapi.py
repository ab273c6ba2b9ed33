"""The OpenAPI description says what the API answers, and its docs page works offline under our CSP."""

import json
import re

from tests.partners.conftest import BASE

PATHS = {f"{BASE}/payments": {"post"}, f"{BASE}/payments/{{payment_id}}/confirm": {"post"},
         f"{BASE}/payments/{{payment_id}}/cancel": {"post"}, f"{BASE}/payments/{{payment_id}}": {"get"},
         f"{BASE}/redemptions/status": {"post"}, f"{BASE}/redemptions/commit": {"post"},
         f"{BASE}/completions": {"post"}}


def schema(client) -> dict:
    response = client.get(f"{BASE}/openapi.json")
    assert response.status_code == 200
    return response.json()


def resolve(spec: dict, node: dict) -> dict:
    while "$ref" in node:
        node = spec["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def response_schema(spec, path, method, status) -> dict:
    content = spec["paths"][path][method]["responses"][str(status)]["content"]["application/json"]["schema"]
    return resolve(spec, content)


def test_the_platform_and_provider_endpoints_are_described(client, db):
    spec = schema(client)
    assert {path: set(ops) for path, ops in spec["paths"].items()} == PATHS


def test_the_three_signing_headers_are_required_together(client, db):
    spec = schema(client)
    schemes = spec["components"]["securitySchemes"]
    assert {scheme["name"] for scheme in schemes.values()} == {"X-Client-Code", "X-Timestamp", "X-Signature"}
    for operations in spec["paths"].values():
        for operation in operations.values():
            assert operation["security"] == [dict.fromkeys(schemes, [])]


def test_every_post_declares_the_idempotency_key(client, db):
    spec = schema(client)
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            headers = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "header"}
            if method == "post":
                key = headers["Idempotency-Key"]
                assert key["required"] and key["schema"]["maxLength"] == 64, path


def test_error_bodies_are_declared_with_their_extra_fields(client, db):
    spec = schema(client)
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status in operation["responses"]:
                if int(status) >= 400:
                    body = response_schema(spec, path, method, status)
                    assert "error" in body["properties"], (path, status)
            invalid = resolve(spec, response_schema(spec, path, method, 422)["properties"]["error"])
            assert "fields" in invalid["required"], path
    otp = resolve(spec, response_schema(spec, f"{BASE}/payments/{{payment_id}}/confirm", "post", 400)[
        "properties"]["error"])
    assert "attempts_left" in otp["required"]


def test_the_contracts_statuses_are_declared(client, db):
    spec = schema(client)

    def statuses(path, method):
        return {int(s) for s in spec["paths"][path][method]["responses"]}

    assert {201, 401, 403, 404, 409, 422} <= statuses(f"{BASE}/payments", "post")
    assert {200, 400, 401, 404, 409, 410, 422} <= statuses(f"{BASE}/payments/{{payment_id}}/confirm", "post")
    assert {200, 401, 404, 409, 422} <= statuses(f"{BASE}/payments/{{payment_id}}/cancel", "post")
    assert {200, 401, 404, 422} <= statuses(f"{BASE}/payments/{{payment_id}}", "get")
    state = response_schema(spec, f"{BASE}/payments/{{payment_id}}", "get", 200)
    assert set(state["properties"]["status"]["enum"]) == {"otp_sent", "paid", "failed", "cancelled", "expired"}


def test_the_docs_page_works_offline_under_the_sites_csp(client, db):
    response = client.get(f"{BASE}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert urls and all(url.startswith("/") for url in urls), urls  # nothing from a CDN
    assert "http://" not in html and "https://" not in html
    # No inline script the policy would block: only the JSON settings block.
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline == [' id="swagger-settings" type="application/json"']
    # What swagger-ui-init.js does with it: JSON.parse of the element's text (no HTML entities there).
    settings_text = re.search(r'<script id="swagger-settings" type="application/json">(.*?)</script>', html).group(1)
    assert json.loads(settings_text)["url"] == "/api/partner/v1/openapi.json"
    for url in urls:
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert b"".join(asset.streaming_content) if asset.streaming else asset.content


def test_only_the_bundled_assets_are_served(client, db):
    assert client.get(f"{BASE}/docs/assets/swagger-ui.css")["Content-Type"].startswith("text/css")
    assert client.get(f"{BASE}/docs/assets/..%2F__init__.py").status_code == 404
    assert client.get(f"{BASE}/docs/assets/redoc.standalone.js").status_code == 404
