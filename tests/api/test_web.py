import httpx


def test_root_explains_an_unbuilt_web_ui(client: httpx.Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert "web UI has not been built" in response.text


def test_unknown_api_paths_stay_json_404s(client: httpx.Client) -> None:
    response = client.get("/api/nothing-here")
    assert response.status_code == 404
    assert response.json()["detail"] == "Not found"
