"""The sandbox Dukcapil endpoint over HTTP: key, input, reasons, injected faults, helper pages."""

import httpx
import pytest

KEY = {"Authorization": "Bearer sandbox-dukcapil-key"}
SITI = {"nik": "3273015203950001", "kk": "3273010108160001", "name": "Siti Rahmawati", "birth_date": "1995-03-12"}


@pytest.fixture
def dukcapil(sandbox):
    sandbox.clear_faults()
    yield sandbox
    sandbox.clear_faults()


def verify(sandbox, body, headers=KEY, **kwargs):
    return httpx.post(f"{sandbox.url}/dukcapil/verify", json=body, headers=headers, **kwargs)


def test_a_known_person_matches(dukcapil):
    answer = verify(dukcapil, SITI)
    assert answer.status_code == 200 and answer.json() == {"match": True, "reasons": []}


def test_generated_residents_are_known_too(dukcapil):
    demo = {p["nik"] for p in dukcapil.people(limit=6)}
    resident = next(p for p in dukcapil.people(limit=50) if p["nik"] not in demo)
    body = {k: resident[k] for k in ("nik", "kk", "name", "birth_date")}
    assert verify(dukcapil, body).json() == {"match": True, "reasons": []}


@pytest.mark.parametrize(("change", "reasons"), [
    ({"nik": "3273015203950002"}, ["nik_not_found"]),
    ({"kk": "3273010108160009"}, ["kk_mismatch"]),
    ({"name": "Siti Rahma"}, ["name_mismatch"]),
    ({"birth_date": "1995-12-03"}, ["birth_date_mismatch"]),
    ({"kk": "3171012002120001", "name": "Dewi Lestari", "birth_date": "1990-11-23"},
     ["kk_mismatch", "name_mismatch", "birth_date_mismatch"]),
    ({"name": "SITI\trahmawati "}, []),
])
def test_each_reason(dukcapil, change, reasons):
    assert verify(dukcapil, {**SITI, **change}).json() == {"match": not reasons, "reasons": reasons}


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "sandbox-dukcapil-key"}])
def test_a_wrong_key_is_refused(dukcapil, headers):
    assert verify(dukcapil, SITI, headers=headers).status_code == 401


@pytest.mark.parametrize("body", [
    b"not json", b"[]", b"{}", b'{"nik": "3273015203950001"}',
    b'{"nik": 3273015203950001, "kk": "3273010108160001", "name": "Siti", "birth_date": "1995-03-12"}',
    b'{"nik": "3273015203950001", "kk": "3273010108160001", "name": " ", "birth_date": "1995-03-12"}',
    b'{"nik": "3273015203950001", "kk": "3273010108160001", "name": "Siti", "birth_date": "12-03-1995"}',
])
def test_bad_input_is_a_400(dukcapil, body):
    answer = httpx.post(f"{dukcapil.url}/dukcapil/verify", content=body, headers=KEY)
    assert answer.status_code == 400 and "error" in answer.json()


def test_only_posts(dukcapil):
    assert httpx.get(f"{dukcapil.url}/dukcapil/verify", headers=KEY).status_code == 405


@pytest.mark.parametrize("mode", ["500", "503", "429", "400"])
def test_injected_faults_answer_once(dukcapil, mode):
    dukcapil.fault("dukcapil", mode)
    dukcapil.fault("sms", "500")  # another system's fault is left alone
    assert dukcapil.faults("dukcapil") == [{"id": dukcapil.faults("dukcapil")[0]["id"], "target": "dukcapil",
                                            "mode": mode, "remaining": 1}]
    assert verify(dukcapil, SITI).status_code == int(mode)
    assert dukcapil.faults("dukcapil") == []
    assert [f["target"] for f in dukcapil.faults()] == ["sms"]
    assert verify(dukcapil, SITI).json() == {"match": True, "reasons": []}


def test_an_injected_timeout(dukcapil):
    dukcapil.fault("dukcapil", "timeout", delay=2)
    with pytest.raises(httpx.TimeoutException):
        verify(dukcapil, SITI, timeout=0.5)
    assert verify(dukcapil, SITI).status_code == 200


def test_a_fault_with_a_bad_count_is_refused(dukcapil):
    answer = httpx.post(f"{dukcapil.url}/control/faults", json={"target": "dukcapil", "mode": "500", "count": "x"})
    assert answer.status_code == 400


def test_people_lists_demo_identities_first(dukcapil):
    people = dukcapil.people(limit=20)
    assert len(people) == 20
    assert people[0] == {**SITI, "female": True, "district_code": "327301"}
    assert {"Budi Santoso", "Dewi Lestari"} <= {p["name"] for p in people[:6]}
    assert len({p["nik"] for p in people}) == 20
    assert len(dukcapil.people(limit=3)) == 3
    assert httpx.get(f"{dukcapil.url}/dukcapil/people.json", params={"limit": "many"}).status_code == 400


def test_the_index_page_names_the_demo_identities(dukcapil):
    page = httpx.get(f"{dukcapil.url}/").text
    assert "Demo identities" in page
    for value in SITI.values():
        assert value in page
