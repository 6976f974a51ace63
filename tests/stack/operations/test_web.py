from pathlib import Path

from tests.support.stack import MakeStack


def test_the_built_ui_is_served_with_a_single_page_fallback(make_stack: MakeStack, tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>relaychat ui</title>")
    (tmp_path / "assets" / "app.js").write_text("console.log('ui')")
    client = make_stack(web_dist=str(tmp_path)).start_api().client()

    assert "relaychat ui" in client.get("/").text
    assert "relaychat ui" in client.get("/c/some-conversation").text  # a route of the UI
    assert client.get("/assets/app.js").text == "console.log('ui')"
    assert "root:" not in client.get("/..%2f..%2fetc/passwd").text
    missing_api = client.get("/api/nothing-here")
    assert missing_api.status_code == 404
    assert missing_api.json()["detail"] == "Not found"


def test_root_explains_an_unbuilt_web_ui(make_stack: MakeStack, tmp_path: Path) -> None:
    client = make_stack(web_dist=str(tmp_path / "absent")).start_api().client()
    response = client.get("/")
    assert response.status_code == 200
    assert "web UI has not been built" in response.text
