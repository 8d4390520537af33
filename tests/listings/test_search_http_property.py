"""No query string makes the search pages or the search API fail with a 5xx."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

QUERY = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=60)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=QUERY, sort=st.sampled_from(["relevance", "newest", "deadline", "x"]),
       trl=st.sampled_from(["", "5", "abc", "99"]))
def test_search_never_fails(client, q, sort, trl):
    for url in ("/offers", "/api/v1/search"):
        response = client.get(url, query_string={"q": q, "sort": sort, "trl": trl, "page": "2"})
        assert response.status_code < 500, (url, q)
        if url.startswith("/api") and response.status_code == 200:
            assert "items" in response.get_json()
