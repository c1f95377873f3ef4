"""The page at `/`, in a real browser (Debian's chromium, driven by Playwright),
against the real server: find a voice, hear it, blend two, fix a pronunciation.

Screenshots of each screen are kept in test-output/page/ (KOKORO_TEST_OUTPUT) for review.
"""

import json
import os
import shutil
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from support.server import free_port, run_server

pytestmark = pytest.mark.slow

playwright = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip("no chromium: apt-get install chromium", allow_module_level=True)

KEY = "open-sesame"
KEPT_KEY = f"localStorage.setItem('kokoro-key', '{KEY}')"
DESKTOP: dict[str, Any] = {"viewport": {"width": 1366, "height": 900}}
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
}
SIZES = {"desktop": DESKTOP, "phone": PHONE}
OUTPUT = Path(os.environ.get("KOKORO_TEST_OUTPUT", Path(__file__).parents[2] / "test-output"))


@pytest.fixture(scope="module")
def lexicon(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("lexicon") / "names.json"
    path.write_text('{"Kokoro": "/kˈOkəɹO/"}', encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def site(data_dir: Path, lexicon: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    args = ["--http-uri", f"http://127.0.0.1:{port}", "--http-api-key", KEY]
    with run_server(data_dir, tmp_path_factory.mktemp("logs"), *args, "--lexicon", str(lexicon)):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required"],
        )
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def page(browser: Any, site: str) -> Iterator[Any]:
    """The page as a new user finds it: asked for the key once, then ready."""
    page = browser.new_page(**DESKTOP)
    page.goto(site)
    page.wait_for_selector("#key-form:not([hidden])")
    assert "asks for its API key" in page.inner_text("#message")
    shot(page, "00-key")
    page.fill("#key", KEY)
    page.click("#key-form button")
    page.wait_for_selector("body[data-ready=yes]")
    yield page
    page.close()


@contextmanager
def visitor(browser: Any, *scripts: str, **options: Any) -> Iterator[Any]:
    """A new visitor's page, not yet opened, with `scripts` run before the page's own;
    at a desktop's size unless `options` say otherwise."""
    context = browser.new_context(**(options or DESKTOP))
    for script in scripts:
        context.add_init_script(script)
    try:
        yield context.new_page()
    finally:
        context.close()


def shot(page: Any, name: str) -> None:
    (OUTPUT / "page").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / "page" / f"{name}.png"), full_page=True)


def heard(page: Any, click: str) -> float:
    """Seconds of audio the page received and decoded after `click`."""
    page.evaluate("document.getElementById('player').removeAttribute('data-seconds')")
    page.click(click)
    page.wait_for_selector("#player[data-seconds]", timeout=120_000)
    # Decoded by the browser's own media pipeline, not just counted by our script.
    page.wait_for_function("document.getElementById('player').duration > 0")
    decoded = page.evaluate("document.getElementById('player').duration")
    assert decoded == pytest.approx(float(page.get_attribute("#player", "data-seconds")), abs=0.05)
    return float(decoded)


def call(site: str, path: str, body: Any, headers: dict[str, str]) -> tuple[int, Any]:
    request = urllib.request.Request(
        site + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def phonemes(site: str, text: str) -> str:
    status, body = call(site, "/v1/phonemize", {"input": text, "language": "en_US"}, AUTH)
    assert status == 200, body
    return str(body["phonemes"])


AUTH = {"Authorization": f"Bearer {KEY}"}


def test_every_voice_is_listed_with_what_people_choose_by(page: Any) -> None:
    names = page.eval_on_selector_all("#voices li", "items => items.map(li => li.dataset.name)")
    assert set(names) == {"jf_gongitsune", "jm_kumo", "jf_nezumi", "jf_tebukuro", "jf_alpha"}
    assert page.inner_text("#voices li:first-child").count("default") == 1
    assert "grade" in page.inner_text("#voices") and "Japanese" in page.inner_text("#voices")
    assert "spoken" in page.inner_text("#health")
    # Japanese is installed here (the ja extra): no voice is said to read English.
    assert "reads English" not in page.inner_text("#voices")
    page.click("#lexicon-section summary")
    symbols = page.inner_text("#symbols")
    assert "ˈ" in symbols and "ɹ" in symbols and len(symbols) > 40
    shot(page, "01-voices")


def test_a_voice_is_heard_as_it_is_made(page: Any) -> None:
    page.select_option("#sample", index=2)  # "It is 21 degrees and sunny, ..."
    seconds = heard(page, "#voices li[data-name=jm_kumo] .hear")
    assert 2.0 < seconds < 8.0
    assert page.inner_text("#voice-name") == "jm_kumo"
    assert "first audio came after" in page.inner_text("#message")
    # Its waveform is drawn, and a line follows what plays.
    assert page.evaluate(
        """(() => { const c = document.getElementById('wave');
          const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          return data.some((value, i) => i % 4 === 3 && value > 0); })()"""
    )
    page.wait_for_function("+document.getElementById('wave').dataset.played > 0.5")
    shot(page, "02-spoken")


def test_stop_ends_the_answer_at_once(page: Any) -> None:
    page.fill("#text", " ".join(["The weather will be sunny with a light breeze."] * 4))
    page.click("#speak")
    page.wait_for_function("document.getElementById('message').textContent.includes('so far')")
    assert page.is_enabled("#stop")
    shot(page, "02-speaking")
    page.click("#stop")
    page.wait_for_selector("body[data-stopped-in]")
    # Measured in the page: from the press to the last scheduled audio ended.
    assert int(page.get_attribute("body", "data-stopped-in")) < 200
    assert page.is_disabled("#stop") and page.inner_text("#message") == "Stopped."


def test_speak_pressed_twice_plays_one_answer(page: Any) -> None:
    page.evaluate("document.getElementById('player').removeAttribute('data-seconds')")
    page.fill("#text", "The kitchen lights are on and the front door is locked.")
    page.click("#speak")
    page.wait_for_function("document.getElementById('message').textContent.includes('so far')")
    page.click("#speak")
    page.wait_for_selector("#player[data-seconds]", timeout=120_000)
    assert page.get_attribute("body", "data-most-at-once") == "1"


# The server's audio, all of it, handed to the page at a set pace: a piece of a quarter
# second at a time, each `lead` seconds before the audio before it ends for a player
# that started at the first piece (`pace` 1), or later (`pace` over 1). So the page is
# tested against a server that keeps ahead, or falls behind, on any machine.
PACED = """
const fetched = window.fetch;
window.fetch = async (url, options) => {
  const response = await fetched(url, options);
  if (!String(url).endsWith("/v1/audio/speech") || !window.pace) return response;
  const { pace, lead } = window.pace, rate = +response.headers.get("X-Sample-Rate");
  const audio = new Uint8Array(await response.arrayBuffer()), piece = rate / 4 * 2;
  let sent = 0, start = null;
  const body = new ReadableStream({ async pull(stream) {
    if (sent >= audio.length) { stream.close(); return; }
    start ??= performance.now();
    const wait = start + 1000 * (pace * sent / 2 / rate - lead) - performance.now();
    if (wait > 0) await new Promise((done) => setTimeout(done, wait));
    stream.enqueue(audio.slice(sent, sent + piece));
    sent += piece;
  } });
  return new Response(body, { status: response.status, headers: response.headers });
};
"""


@pytest.mark.parametrize(("pace", "pauses"), [(1.0, False), (1.5, True)])
def test_the_page_plays_without_a_gap_what_comes_in_time(
    browser: Any, site: str, pace: float, pauses: bool
) -> None:
    """The page's own schedule: each piece played right after the one before, and a piece
    that came after its turn counted and said."""
    with visitor(browser, KEPT_KEY, PACED) as paced:
        paced.goto(site)
        paced.wait_for_selector("body[data-ready=yes]")
        paced.evaluate(f"window.pace = {{ pace: {pace}, lead: 0.05 }}")
        paced.fill("#text", "The front door is locked. The lights are off in every room.")
        seconds = heard(paced, "#speak")
        assert seconds > 3.0
        late = float(paced.get_attribute("#player", "data-gaps"))
        said = paced.inner_text("#message")
        if pauses:
            assert late > 0 and "It paused" in said
        else:
            assert late == 0 and "paused" not in said


@pytest.mark.parametrize(
    ("format", "magic"),
    [("wav", (b"RIFF",)), ("mp3", (b"ID3", b"\xff")), ("opus", (b"OggS",))],
)
def test_the_answer_downloads_in_the_format_chosen(
    page: Any, format: str, magic: tuple[bytes, ...]
) -> None:
    voice = page.inner_text("#voice-name")
    page.select_option("#format", format)
    with page.expect_download() as download:
        page.click("#download")
    assert download.value.suggested_filename == f"{voice}.{format}"
    data = Path(download.value.path()).read_bytes()
    assert len(data) > 2000 and data.startswith(magic)


def test_nothing_to_say_is_asked_for_not_spoken(page: Any) -> None:
    page.fill("#text", "  ")
    page.click("#speak")
    assert page.inner_text("#message") == "Type something for the voice to say."
    page.fill("#text", "The living room lights are on.")


@pytest.mark.parametrize("size", SIZES)
def test_a_returning_visitor_loads_the_page_with_no_console_error(
    browser: Any, site: str, size: str
) -> None:
    errors: list[str] = []

    def console(message: Any) -> None:
        if message.type == "error":
            errors.append(message.text)

    with visitor(browser, KEPT_KEY, **SIZES[size]) as fresh:
        fresh.on("console", console)
        fresh.on("pageerror", lambda err: errors.append(str(err)))
        fresh.goto(site)
        fresh.wait_for_selector("body[data-ready=yes]")
    assert errors == []


def test_voices_are_found_by_name_language_or_gender(page: Any) -> None:
    def listed() -> list[str]:
        return list(
            page.eval_on_selector_all("#voices li", "lis => lis.map(li => li.dataset.name)")
        )

    page.fill("#find", "kumo")
    assert listed() == ["jm_kumo"]
    page.fill("#find", "male")
    assert listed() == ["jm_kumo"]  # not every "female" one
    page.fill("#find", "")
    assert len(listed()) == 5


@pytest.mark.parametrize("size", SIZES)
def test_a_page_opened_while_the_model_loads_becomes_ready_by_itself(
    browser: Any, site: str, size: str
) -> None:
    asked: list[str] = []

    def loading_twice(route: Any) -> None:
        asked.append(route.request.url)
        if len(asked) > 2:
            route.continue_()
            return
        body = {"error": {"message": "The model is still loading", "code": "starting"}}
        route.fulfill(status=503, content_type="application/json", body=json.dumps(body))

    with visitor(browser, KEPT_KEY, **SIZES[size]) as fresh:
        fresh.route("**/api/voices", loading_twice)
        fresh.goto(site)
        fresh.wait_for_function("document.getElementById('health').textContent.includes('loading')")
        if size == "phone":
            fits_a_phone(fresh, "00-loading")
        else:
            shot(fresh, "00-loading")
        assert fresh.is_disabled("#speak") and fresh.is_disabled("#save")  # nothing to press
        fresh.wait_for_selector("body[data-ready=yes]", timeout=30_000)
        assert fresh.is_enabled("#speak") and fresh.is_disabled("#stop")
        assert len(asked) == 3
        assert fresh.eval_on_selector_all("#voices li", "items => items.length") == 5


def test_a_wrong_key_is_forgotten_and_the_right_one_clears_the_error(
    browser: Any, site: str
) -> None:
    wrong = "localStorage.getItem('kokoro-key') ?? localStorage.setItem('kokoro-key', 'nope')"
    with visitor(browser, wrong) as fresh:
        fresh.goto(site)
        fresh.wait_for_selector("#key-form:not([hidden])")
        assert "not this server's API key" in fresh.inner_text("#message")
        assert fresh.evaluate("localStorage.getItem('kokoro-key')") is None
        assert fresh.get_attribute("#key", "aria-label") == "API key"
        assert fresh.is_disabled("#speak")
        fresh.fill("#key", KEY)
        fresh.click("#key-form button")
        fresh.wait_for_selector("body[data-ready=yes]")
        assert fresh.inner_text("#message") == ""


def test_every_button_says_what_it_acts_on(page: Any) -> None:
    labels = page.eval_on_selector_all(
        "#voices button, #entries button", "buttons => buttons.map(b => b.ariaLabel)"
    )
    assert len(labels) == len(set(labels)) and "Hear jm_kumo" in labels


def test_a_blend_is_built_and_heard(page: Any) -> None:
    for name in ("jf_alpha", "jm_kumo"):
        page.select_option("#blend-add", name)
        page.click("#blend-add-button")
    assert page.inner_text("#blend-spec") == "jf_alpha:0.5+jm_kumo:0.5"
    # What is in the blend is not offered again.
    assert page.eval_on_selector("#blend-add option[value=jm_kumo]", "o => o.disabled")
    assert heard(page, "#blend-hear") > 1.0
    shot(page, "03-blend")


def test_blend_sliders_move_by_arrow_keys_and_by_drag(page: Any) -> None:
    first = page.locator("#blend input[type=range]").first
    first.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # the slider keeps the focus
    assert page.evaluate("document.activeElement.ariaLabel") == "Weight of jf_alpha"
    assert page.inner_text("#blend-spec") == "jf_alpha:0.6+jm_kumo:0.5"
    box = first.bounding_box()
    page.mouse.move(box["x"] + 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=5)
    page.mouse.move(box["x"] + box["width"] + 20, box["y"] + box["height"] / 2, steps=5)
    page.mouse.up()
    assert page.inner_text("#blend-spec") == "jf_alpha:1+jm_kumo:0.5"
    assert page.inner_text("#blend .weight >> nth=0") == "67 %"


def fits_a_phone(phone: Any, screen: str) -> None:
    """Nothing on `screen` is wider than the phone, every button is touch-sized; kept as a
    screenshot."""
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), screen
    heights = phone.eval_on_selector_all(
        "button",
        "bs => bs.filter(b => b.checkVisibility()).map(b => b.getBoundingClientRect().height)",
    )
    assert heights and min(heights) >= 44, (screen, heights)
    shot(phone, f"phone-{screen}")


def test_every_screen_fits_a_phone_with_touch_sized_buttons(browser: Any, site: str) -> None:
    with visitor(browser, **PHONE) as phone:
        phone.goto(site)
        phone.wait_for_selector("#key-form:not([hidden])")
        fits_a_phone(phone, "00-key")
        phone.fill("#key", KEY)
        phone.click("#key-form button")
        phone.wait_for_selector("body[data-ready=yes]")
        fits_a_phone(phone, "01-voices")
        phone.fill("#text", " ".join(["The weather will be sunny with a light breeze."] * 4))
        phone.click("#speak")
        phone.wait_for_function("document.getElementById('message').textContent.includes('so far')")
        fits_a_phone(phone, "02-speaking")
        phone.click("#stop")
        phone.wait_for_selector("body[data-stopped-in]")
        assert int(phone.get_attribute("body", "data-stopped-in")) < 200
        phone.fill("#text", "The kitchen lights are on.")
        assert heard(phone, "#speak") > 0.5
        fits_a_phone(phone, "02-spoken")
        for name in ("jf_alpha", "jm_kumo"):
            phone.select_option("#blend-add", name)
            phone.click("#blend-add-button")
        fits_a_phone(phone, "03-blend")
        phone.click("#lexicon-section summary")
        phone.fill("#word", "Kokoro")
        phone.press("#word", "Enter")
        phone.wait_for_function("document.getElementById('say').value !== ''")
        fits_a_phone(phone, "04-pronunciation")


def test_a_pronunciation_is_heard_saved_and_kept(page: Any, site: str, lexicon: Path) -> None:
    before = phonemes(site, "Nguyen")
    page.fill("#word", "Nguyen")
    page.click("#lookup")
    page.wait_for_function("document.getElementById('phonemes').textContent !== '–'")
    assert page.inner_text("#phonemes") == before
    page.fill("#say", "win")
    assert heard(page, "#hear-say") > 0.2  # heard the new way before saving
    assert phonemes(site, "Nguyen") == before  # nothing saved yet
    page.click("#save")
    page.wait_for_selector("#entries li:has-text('Nguyen')")
    assert phonemes(site, "Nguyen") == phonemes(site, "win") != before
    assert json.loads(lexicon.read_text(encoding="utf-8"))["Nguyen"] == "win"
    shot(page, "04-pronunciation")
    page.reload()  # the key is remembered; the entry is the file's
    page.wait_for_selector("body[data-ready=yes]")
    assert "Nguyen" in page.inner_text("#entries") and "Kokoro" in page.inner_text("#entries")
    shot(page, "05-reloaded")


def test_an_empty_save_asks_before_it_removes(page: Any, lexicon: Path) -> None:
    kept = lexicon.read_text(encoding="utf-8")
    page.fill("#word", "Kokoro")
    page.fill("#say", "")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.click("#save")
    page.wait_for_function("document.getElementById('lexicon-message').textContent !== ''")
    assert page.inner_text("#lexicon-message") == "Kept Kokoro."
    assert lexicon.read_text(encoding="utf-8") == kept


def test_a_saved_word_looked_up_shows_how_it_is_saved(page: Any) -> None:
    page.fill("#word", "Kokoro")
    page.fill("#say", "")
    page.press("#word", "Enter")
    page.wait_for_function("document.getElementById('say').value !== ''")
    assert page.input_value("#say") == "/kˈOkəɹO/"
    assert page.inner_text("#lexicon-message") == "Saved as /kˈOkəɹO/."


def test_the_chosen_voice_is_kept_after_a_reload(page: Any) -> None:
    page.click("#voices li[data-name=jf_nezumi] .name")
    page.reload()
    page.wait_for_selector("body[data-ready=yes]")
    assert page.inner_text("#voice-name") == "jf_nezumi"


def test_the_lexicon_is_changed_only_with_the_key_from_the_page(site: str, lexicon: Path) -> None:
    kept = lexicon.read_text(encoding="utf-8")
    entry = {"word": "Kokoro", "say": "cocoa"}
    assert call(site, "/api/lexicon", entry, {})[0] == 401
    assert call(site, "/api/lexicon", entry, {**AUTH, "Origin": "http://evil.example"})[0] == 403
    status, body = call(site, "/api/lexicon", {"word": "x\ny", "say": "z"}, AUTH)
    assert status == 400 and "one line" in body["error"]["message"]
    status, body = call(site, "/api/lexicon", {"word": "Nguyen", "say": "/ʃ😀x/"}, AUTH)
    assert status == 400 and "no phoneme 😀" in body["error"]["message"]
    assert lexicon.read_text(encoding="utf-8") == kept
