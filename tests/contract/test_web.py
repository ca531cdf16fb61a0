"""The web app in a real browser: Debian's Chromium, headless, driven by Playwright, against
a real `parley serve`. The microphone is Chromium's fake device playing real speech; each
screen is checked with axe-core and photographed at desktop and phone size."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import playwright.sync_api as playwright_api
import pytest
import soundfile as sf
import srt
from google.cloud import speech_v1 as speech
from playwright.sync_api import Page
from websockets.sync.client import connect

from parley.bench import live
from parley.bench.speech import RATE
from parley.evaluation.wer import word_error_rate
from tests.conftest import assert_heard, clip, dev_speech
from tests.contract.conftest import STREAM_CAPACITY, Server, heard_pcm, wait_until

CHROMIUM = os.environ.get("PARLEY_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 740}}
SPEECH_TEXT = "The early bird catches the worm, but the second mouse gets the cheese."


@pytest.fixture(scope="module")
def microphone(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, live.Track]:
    """What the fake microphone says: four clips of the tuning set with pauses, then
    silence (played once)."""
    english = [u for u in dev_speech() if u.duration > 2.5][:4]
    track = live.build_track(english, len(english), gap=1.0)
    tail = np.zeros(4 * RATE, np.float32)
    path = tmp_path_factory.mktemp("mic") / "speech.wav"
    sf.write(path, np.concatenate([track.samples, tail]), RATE, subtype="PCM_16")
    return path, track


@pytest.fixture(scope="module")
def driver() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: run scripts/install-test-deps")
    with playwright_api.sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="module")
def browser(driver: object, microphone: tuple[Path, live.Track]) -> Iterator[object]:
    args = [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={microphone[0]}%noloop",
        "--autoplay-policy=no-user-gesture-required",
    ]
    chromium = driver.chromium.launch(executable_path=CHROMIUM, args=args)  # type: ignore[attr-defined]
    yield chromium
    chromium.close()


def open_page(browser: object, server: Server, size: str = "desktop") -> Page:
    # The page's policy forbids eval; Playwright's waits evaluate their conditions with it.
    context = browser.new_context(  # type: ignore[attr-defined]
        viewport=SIZES[size], accept_downloads=True, bypass_csp=True
    )
    page: Page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors  # type: ignore[attr-defined]
    page.goto(server.http + "/")
    return page


@pytest.fixture
def page(browser: object, server: Server) -> Iterator[Page]:
    opened = open_page(browser, server)
    opened.get_by_role("tab", name="Live").wait_for()
    opened.wait_for_function("document.querySelector('#voice').options.length > 0")
    yield opened
    assert opened.errors == []  # type: ignore[attr-defined]
    opened.context.close()


def tab(page: Page, name: str) -> None:
    page.get_by_role("tab", name=name).click()
    page.locator(f"section[aria-labelledby='tab-{name.lower()}']").wait_for(state="visible")


def serious_violations(page: Page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page).response
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def photograph(page: Page, name: str) -> None:
    """Each screen at both sizes, readable: nothing wider than the window."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{name} is {width} px wide at {size} size"
        page.screenshot(path=ARTIFACTS / f"{name}-{size}.png", full_page=True)
    page.set_viewport_size(SIZES["desktop"])


def _settled(page: Page, selector: str, quiet: float = 3.0) -> float:
    """When the text at `selector` last changed, once it has not changed for `quiet` s."""
    text, changed = text_of(page, selector), time.monotonic()
    while time.monotonic() - changed < quiet:
        page.wait_for_timeout(100)
        now = text_of(page, selector)
        if now != text:
            text, changed = now, time.monotonic()
    return changed


def text_of(page: Page, selector: str) -> str:
    return str(page.locator(selector).text_content() or "")


def test_live_words_appear_then_settle(
    page: Page, microphone: tuple[Path, live.Track], client: speech.SpeechClient
) -> None:
    _, track = microphone
    assert serious_violations(page) == []
    page.get_by_role("button", name="Record").click()
    started = time.monotonic()
    # Interim words first, in their lighter style; the level meter moves.
    page.wait_for_function(
        "document.querySelector('#live-text .interim').textContent.trim().length > 0",
        timeout=30_000,
    )
    assert page.evaluate("document.querySelector('#level').value") > 0
    assert page.get_by_role("button", name="Stop").is_visible()
    photograph(page, "live")
    # All of the speech played, and its finals in: the final text stops changing.
    page.wait_for_timeout(max(0.0, track.spoken[-1].end - (time.monotonic() - started)) * 1000)
    settled = _settled(page, "#live-text .final")
    page.get_by_role("button", name="Stop").click()
    page.wait_for_function("document.querySelector('#live-status').textContent === 'Done'")
    heard = text_of(page, "#live-text .final")
    whole = heard_pcm(client, track.pcm, RATE)
    live_score = word_error_rate([track.reference], [heard])
    file_score = word_error_rate([track.reference], [whole])
    print(f"page: the last final {settled - started - track.spoken[-1].end:.2f} s after speech")
    print(f"page WER {live_score.wer:.3f}, the same audio as a file {file_score.wer:.3f}")
    assert live_score.errors <= 1.15 * file_score.errors + 1, f"{heard!r} against {whole!r}"


def test_the_tabs_work_from_the_keyboard(page: Page) -> None:
    page.get_by_role("tab", name="Live").focus()
    page.keyboard.press("ArrowRight")
    assert page.get_by_role("tab", name="Files").get_attribute("aria-selected") == "true"
    assert page.evaluate("document.activeElement.id") == "tab-files"
    assert page.locator("#files").is_visible()
    page.keyboard.press("End")
    assert page.evaluate("document.activeElement.id") == "tab-history"
    page.keyboard.press("Home")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # language, model, then the record button
    assert page.evaluate("document.activeElement.id") == "record"


def test_a_file_is_transcribed_and_its_words_play_the_audio(page: Page) -> None:
    recording = clip("arctic_a0007")
    tab(page, "Files")
    page.locator("#file").set_input_files(recording.path)
    page.get_by_label("Phrase hints (one per line)").fill("superlative")
    page.get_by_role("button", name="Transcribe").click()
    page.wait_for_function("document.querySelector('#file-status').textContent === 'Done'")
    assert page.evaluate("document.querySelector('#progress').value") == 100
    words = page.locator("#file-text button.word")
    assert_heard(" ".join(words.all_text_contents()), recording.reference, 0.15)
    assert page.locator("#file-text .stamp").count() >= 1
    assert serious_violations(page) == []
    photograph(page, "files")

    # A word plays the audio from where it is said, and is highlighted as it is.
    word = words.nth(4)
    start = float(word.get_attribute("data-start") or "nan")
    assert start > 0.5
    word.click()
    page.wait_for_function("!document.querySelector('#file-audio').paused")
    position = page.evaluate("document.querySelector('#file-audio').currentTime")
    assert abs(position - start) <= 0.3
    page.wait_for_selector("#file-text button.word.current")
    page.evaluate("document.querySelector('#file-audio').pause()")

    with page.expect_download() as caught:
        page.get_by_role("button", name="SRT").click()
    subtitles = list(srt.parse(Path(caught.value.path()).read_text()))
    assert_heard(" ".join(s.content for s in subtitles), recording.reference, 0.15)
    with page.expect_download() as caught:
        page.get_by_role("button", name="JSON").click()
    assert json.loads(Path(caught.value.path()).read_text())["results"]


@pytest.mark.parametrize("audio_format", ["wav", "mp3"])
def test_speech_plays_and_lasts_as_long_as_the_text(
    page: Page, server: Server, client: speech.SpeechClient, audio_format: str
) -> None:
    tab(page, "Speak")
    page.get_by_label("Text to speak").fill(SPEECH_TEXT)
    page.get_by_label("Format").select_option(audio_format)
    page.get_by_role("button", name="Speak").click()
    page.wait_for_function("document.querySelector('#speak-status').textContent === 'Done'")
    page.wait_for_function("isFinite(document.querySelector('#speak-audio').duration)")
    duration = page.evaluate("document.querySelector('#speak-audio').duration")
    stored = httpx.get(f"{server.http}/v1/syntheses", params={"pageSize": 1}).json()
    record = stored["syntheses"][0]
    assert record["text"] == SPEECH_TEXT
    # The element holds all of the speech: as long as the server says it made.
    assert abs(duration - record["duration"]) <= 0.15
    assert 2.5 < duration < 8
    with page.expect_download() as caught:
        page.get_by_role("link", name="Download").click()
    samples, rate = sf.read(io.BytesIO(Path(caught.value.path()).read_bytes()), dtype="float32")
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
    assert_heard(heard_pcm(client, pcm, rate), SPEECH_TEXT)
    assert serious_violations(page) == []
    photograph(page, "speak")


def test_speech_plays_before_it_is_all_made(page: Page) -> None:
    """Five sentences: the first is heard while the last is still being synthesized."""
    tab(page, "Speak")
    page.get_by_label("Text to speak").fill(" ".join([SPEECH_TEXT] * 5))
    page.get_by_role("button", name="Speak").click()
    page.wait_for_function("document.querySelector('#speak-status').textContent === 'Done'")
    timing = page.evaluate("({...document.querySelector('#speak-audio').dataset})")
    first, made = int(timing["firstSoundMs"]), int(timing["madeMs"])
    print(f"page: first sound after {first} ms, all made after {made} ms")
    assert first < made


def test_a_busy_server_and_a_refused_microphone_are_said_plainly(
    page: Page, server: Server, driver: object
) -> None:
    url = server.http.replace("http://", "ws://") + "/v1/speech:streamingrecognize"
    config = {"encoding": "LINEAR16", "sampleRateHertz": RATE, "languageCode": "en-US"}
    with contextlib.ExitStack() as stack:
        taken = [stack.enter_context(connect(url)) for _ in range(STREAM_CAPACITY)]
        for socket in taken:
            socket.send(json.dumps({"streamingConfig": {"config": config}}))

        def streams() -> int:
            return int(httpx.get(f"{server.http}/healthz").json()["live_streams"])

        wait_until(lambda: streams() == STREAM_CAPACITY, 10)
        page.get_by_role("button", name="Record").click()
        page.locator("#notice").wait_for(state="visible")
        assert "busy" in text_of(page, "#notice")
        assert page.get_by_role("button", name="Record").is_visible()
    # A browser whose user refused the microphone.
    refusing = driver.chromium.launch(  # type: ignore[attr-defined]
        executable_path=CHROMIUM, args=["--use-fake-device-for-media-stream"]
    )
    try:
        other = open_page(refusing, server)
        other.get_by_role("button", name="Record").click()
        other.locator("#notice").wait_for(state="visible")
        assert "refused" in text_of(other, "#notice")
    finally:
        refusing.close()


def test_ssml_is_spoken(page: Page) -> None:
    tab(page, "Speak")
    page.get_by_label("SSML").check()
    page.get_by_label("Text to speak").fill('<speak>One. <break time="1s"/> Two.</speak>')
    page.get_by_role("button", name="Speak").click()
    page.wait_for_function("document.querySelector('#speak-status').textContent === 'Done'")
    page.wait_for_function("isFinite(document.querySelector('#speak-audio').duration)")
    assert page.evaluate("document.querySelector('#speak-audio').duration") > 1.5
    page.get_by_label("Text to speak").fill("<speak>unclosed")
    page.get_by_role("button", name="Speak").click()
    page.locator("#notice").wait_for(state="visible")
    assert "SSML" in text_of(page, "#notice") or "line 1" in text_of(page, "#notice")


def test_history_lists_searches_and_deletes(
    page: Page, server: Server, client: speech.SpeechClient
) -> None:
    client.recognize(  # a transcription from another API, beside the page's synthesis
        config=speech.RecognitionConfig(language_code="en-US"),
        audio=speech.RecognitionAudio(content=clip("ps_goforward").path.read_bytes()),
    )
    tab(page, "Speak")
    marker = f"Marker sentence number {time.monotonic_ns() % 100000}."
    page.get_by_label("Text to speak").fill(marker)
    page.get_by_role("button", name="Speak").click()
    page.wait_for_function("document.querySelector('#speak-status').textContent === 'Done'")
    tab(page, "History")
    records = page.locator("#history-list > li")
    records.first.wait_for()
    assert records.count() >= 2
    kinds = " ".join(records.locator("h3").all_text_contents())
    assert "Transcription" in kinds
    assert "Synthesis" in kinds
    assert serious_violations(page) == []
    photograph(page, "history")

    page.get_by_label("Search", exact=True).fill(marker)
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_function("document.querySelectorAll('#history-list > li').length === 1")
    item = records.first
    assert marker in str(item.text_content())
    item.locator("summary").click()
    assert "Inference time" in str(item.text_content())
    assert "OpenAI audio API" in str(item.text_content())  # the page speaks through it
    item.get_by_role("button", name="Play", exact=False).click()
    page.wait_for_function("document.querySelector('#history-list audio')?.duration > 0")
    item.get_by_role("button", name="Delete", exact=False).click()
    page.wait_for_function("document.querySelectorAll('#history-list > li').length === 0")
    left = httpx.get(f"{server.http}/v1/syntheses", params={"search": marker}).json()
    assert left["totalSize"] == 0


def test_keys_required_the_page_asks_for_one(
    browser: object, keyed: tuple[Server, dict[str, str]]
) -> None:
    server, keys = keyed
    page = open_page(browser, server)
    sign_in = page.get_by_role("heading", name="Sign in")
    sign_in.wait_for()
    assert not page.get_by_role("tab", name="History").is_visible()
    assert page.locator("#history-list > li").count() == 0
    assert serious_violations(page) == []
    photograph(page, "sign-in")

    page.get_by_label("API key").fill("pk_wrong_wrong")
    page.get_by_role("button", name="Sign in").click()
    page.locator("#sign-in-error").wait_for(state="visible")
    assert "refused" in text_of(page, "#sign-in-error")

    page.get_by_label("API key").fill(keys["erin"])
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("tab", name="History").wait_for()
    assert keys["erin"] not in page.url
    tab(page, "Speak")
    page.get_by_role("button", name="Speak").click()
    page.wait_for_function("document.querySelector('#speak-status').textContent === 'Done'")
    tab(page, "History")
    page.locator("#history-list > li").first.wait_for()
    assert page.errors == []  # type: ignore[attr-defined]
    page.context.close()
