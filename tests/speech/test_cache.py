from dataclasses import replace
from pathlib import Path

import pytest

from wyoming_kokoro.speech.cache import AudioCache
from wyoming_kokoro.speech.g2p import G2P
from wyoming_kokoro.speech.lexicon import Lexicon
from wyoming_kokoro.speech.synthesizer import Request, Synthesizer

from .test_lexicon import write


def test_least_recently_used_goes_first_and_the_bound_holds() -> None:
    cache = AudioCache(max_bytes=10)
    cache.put("a", [b"1234"])
    cache.put("b", [b"12", b"34"])
    assert cache.get("a") == [b"1234"]  # now "b" is the oldest
    cache.put("c", [b"123456"])
    assert cache.get("b") is None
    assert cache.get("a") == [b"1234"] and cache.get("c") == [b"123456"]
    assert cache.size == 10


def test_a_zero_bound_keeps_nothing() -> None:
    cache = AudioCache(max_bytes=0)
    cache.put("a", [b"1"])
    assert cache.get("a") is None and cache.size == 0


async def test_a_repeated_answer_is_not_synthesized_again(
    synthesizer: Synthesizer, monkeypatch: pytest.MonkeyPatch
) -> None:
    cached = Synthesizer(
        synthesizer.engine,
        synthesizer.voices,
        synthesizer.g2p,
        replace(synthesizer.settings, cache_mb=10),
    )
    runs: list[str] = []
    real = cached.engine.decoding

    def counting(phonemes: str, *args: object) -> object:
        runs.append(phonemes)
        return real(phonemes, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(cached.engine, "decoding", counting)
    try:
        first = [pcm async for pcm in cached.stream(Request(text="Turned on the lights."))]
        made = len(runs)
        again = [pcm async for pcm in cached.stream(Request(text="Turned on the lights."))]
        assert again == first and len(runs) == made > 0
        # Another voice is another answer.
        [pcm async for pcm in cached.stream(Request(text="Turned on the lights.", voice="jm_kumo"))]
        assert len(runs) > made
    finally:
        cached.close()


async def test_a_lexicon_edit_is_heard_at_once(synthesizer: Synthesizer, tmp_path: Path) -> None:
    lexicon_file = tmp_path / "lexicon.json"
    write(lexicon_file, {"Kokoro": "/kˈOkəɹO/"})
    cached = Synthesizer(
        synthesizer.engine,
        synthesizer.voices,
        G2P(lexicon=Lexicon(lexicon_file)),
        replace(synthesizer.settings, cache_mb=10),
    )
    try:
        request = Request(text="Kokoro is on.")
        before = [pcm async for pcm in cached.stream(request)]
        write(lexicon_file, {"Kokoro": "/bˈɑb/"})
        after = [pcm async for pcm in cached.stream(request)]
        assert after != before
    finally:
        cached.close()
