"""schemathesis against the partner API's own OpenAPI description: no 5xx, every answer as the schema declares.

Requests go over real HTTP to a live server, each signed as the contract
says and given a fresh Idempotency-Key by a requests auth hook, so they
reach the handlers rather than stopping at 401. Valid and invalid inputs
(positive and negative generation), a bounded number of each per operation
so the run stays well under a minute.
"""

import hashlib
import hmac
import time
import uuid
from urllib.parse import urlsplit

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from prakerja.learning.models import Payment
from tests.partners.conftest import BASE, SECRET, start_body
from tests.partners.test_api_redemptions import completion_body
from tests.partners.test_payment_flow import sent_otp

pytestmark = pytest.mark.django_db(transaction=True)
EXAMPLES = 40
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance]


PROVIDER_PATHS = (f"{BASE}/redemptions/", f"{BASE}/completions")


class Signed(requests.auth.AuthBase):
    """Sign the prepared request (its final bytes) as the partner the endpoint is for (a platform, or a provider
    for the provider endpoints); a fresh Idempotency-Key on each POST."""

    def __init__(self, platform_code: str, provider_code: str, secret: str):
        self.platform_code, self.provider_code, self.secret = platform_code, provider_code, secret

    def __call__(self, request):
        body = request.body or b""
        body = body.encode() if isinstance(body, str) else body
        timestamp = str(int(time.time()))
        path = urlsplit(request.url).path
        client_code = self.provider_code if path.startswith(PROVIDER_PATHS) else self.platform_code
        message = f"{client_code}{timestamp}{request.method}{path}".encode() + body
        request.headers.update({
            "X-Client-Code": client_code, "X-Timestamp": timestamp,
            "X-Signature": hmac.new(self.secret.encode(), message, hashlib.sha256).hexdigest()})
        if request.method == "POST":
            request.headers["Idempotency-Key"] = uuid.uuid4().hex
        return request


@pytest.fixture
def session(platform, provider):
    with requests.Session() as session:
        session.auth = Signed(platform.code, provider.code, SECRET)
        yield session


@pytest.fixture
def schema(live_server):
    return schemathesis.openapi.from_url(live_server.url + BASE + "/openapi.json")


def operations(schema):
    found = [result.ok() for result in schema.get_all_operations()]
    assert len(found) == 7
    return found


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_generated_requests_get_declared_answers_and_no_5xx(schema, session, live_server, queued, mode):
    statuses = []
    checks = CHECKS + ([negative_data_rejection] if mode == GenerationMode.NEGATIVE else [])
    for operation in operations(schema):

        @given(case=operation.as_strategy(generation_mode=mode))
        @hypothesis_settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
                             suppress_health_check=list(HealthCheck))
        def run(case):
            response = case.call(base_url=live_server.url, session=session)
            statuses.append(response.status_code)
            case.validate_response(response, checks=checks)

        run()
    # The signing worked: the requests reached the handlers (validation, lookups), not only the 401 gate.
    assert statuses.count(401) < len(statuses) // 2, sorted(set(statuses))
    assert {404, 422} & set(statuses), sorted(set(statuses))


def test_real_payments_conform_to_the_schema(schema, session, live_server, ready_card, card_number, listing,
                                             queued):
    """The paths random data cannot reach (a card that exists, an OTP that matches), checked the same way."""
    by_path = {(op.method.upper(), op.path): op for op in operations(schema)}
    start = by_path["POST", BASE + "/payments"].Case(body=start_body(card_number, listing),
                                                      media_type="application/json")
    response = start.call(base_url=live_server.url, session=session)
    start.validate_response(response, checks=CHECKS)
    payment_id = response.json()["payment_id"]
    otp = sent_otp(payment_id)
    steps = [("POST", "/confirm", {"otp": "000000" if otp != "000000" else "111111"}),
             ("POST", "/confirm", {"otp": otp}), ("GET", "", None), ("POST", "/cancel", None), ("GET", "", None)]
    for method, suffix, body in steps:
        operation = by_path[method, BASE + "/payments/{payment_id}" + suffix]
        kwargs = {"body": body, "media_type": "application/json"} if body is not None else {}
        case = operation.Case(path_parameters={"payment_id": payment_id}, **kwargs)
        response = case.call(base_url=live_server.url, session=session)
        assert response.status_code < 500
        case.validate_response(response, checks=CHECKS)


def test_real_redemptions_and_completions_conform_to_the_schema(schema, session, live_server, ready_card,
                                                               card_number, listing, queued):
    """A real redeem code through status, commit (twice: the 409) and completion, checked against the schema."""
    by_path = {(op.method.upper(), op.path): op for op in operations(schema)}
    start = by_path["POST", BASE + "/payments"].Case(body=start_body(card_number, listing),
                                                      media_type="application/json")
    payment_id = start.call(base_url=live_server.url, session=session).json()["payment_id"]
    confirm = by_path["POST", BASE + "/payments/{payment_id}/confirm"].Case(
        path_parameters={"payment_id": payment_id}, body={"otp": sent_otp(payment_id)}, media_type="application/json")
    assert confirm.call(base_url=live_server.url, session=session).status_code == 200
    code = Payment.objects.get(public_id=payment_id).redeem_code
    completion = completion_body(code)
    steps = [("/redemptions/status", {"redeem_code": code}, 200), ("/completions", completion, 409),
             ("/redemptions/commit", {"redeem_code": code}, 200), ("/redemptions/commit", {"redeem_code": code}, 409),
             ("/redemptions/status", {"redeem_code": "ZZZZZZZZZZZZ"}, 404), ("/completions", completion, 202)]
    for path, body, status in steps:
        case = by_path["POST", BASE + path].Case(body=body, media_type="application/json")
        response = case.call(base_url=live_server.url, session=session)
        assert response.status_code == status, (path, response.content)
        case.validate_response(response, checks=CHECKS)
