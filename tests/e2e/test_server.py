"""The real server, as a process, over TCP, with the real model."""

from wyoming.audio import AudioChunk, AudioStart
from wyoming.info import Describe, Info
from wyoming.tts import (
    Synthesize,
    SynthesizeChunk,
    SynthesizeStart,
    SynthesizeStop,
    SynthesizeVoice,
)

from support.server import (
    Server,
    describe_seconds_during,
    loudness,
    request,
    seconds,
    synthesize,
)

KITCHEN = "The kitchen lights are on."
LONG_TEXT = " ".join(
    [
        "Here is the weather for the whole week, day by day, in detail.",
        "Monday will be sunny with a high of twenty one degrees.",
        "Tuesday brings clouds in the morning and light rain in the afternoon.",
        "Wednesday will be windy, so secure anything loose on the balcony.",
    ]
    * 3
)


async def test_describe_lists_every_voice_with_its_languages(server: Server) -> None:
    async with server.client() as client:
        reply = await request(client, [Describe().event()], until="info")
    info = Info.from_event(reply.events[-1])
    (program,) = info.tts
    assert program.name == "kokoro"
    assert program.supports_synthesize_streaming
    assert "Kokoro-82M" in program.attribution.url
    voices = {voice.name: voice for voice in program.voices}
    assert set(voices) == {
        "jf_alpha",
        "jf_gongitsune",
        "jf_nezumi",
        "jf_tebukuro",
        "jm_kumo",
    }
    # Their own language, and the server's --language.
    assert all(voice.languages == ["ja_JP", "en_US"] for voice in voices.values())
    assert voices["jm_kumo"].description == "Kumo - Japanese, male"


async def test_synthesize_returns_real_speech(server: Server) -> None:
    async with server.client() as client:
        reply = await request(client, [Synthesize(text=KITCHEN).event()], until="audio-stop")
    assert reply.types[0] == "audio-start"
    assert set(reply.types[1:-1]) == {"audio-chunk"}
    start = AudioStart.from_event(reply.events[0])
    assert (start.rate, start.width, start.channels) == (24000, 2, 1)
    chunks = [AudioChunk.from_event(e) for e in reply.events[1:-1]]
    assert all(len(c.audio) <= 1024 * 2 for c in chunks)
    assert all((c.rate, c.width, c.channels) == (24000, 2, 1) for c in chunks)
    (audio,) = reply.groups()
    # Five words, spoken: between one and four seconds, and not silence.
    assert 1.0 < seconds(audio) < 4.0
    assert loudness(audio) > 0.02


async def test_longer_text_gives_longer_audio(server: Server) -> None:
    text = KITCHEN + " The front door is locked, and the garage door is closed."
    async with server.client() as client:
        short = await request(client, [Synthesize(text=KITCHEN).event()], until="audio-stop")
        long = await request(client, [Synthesize(text=text).event()], until="audio-stop")
    assert seconds(long.groups()[0]) > 2 * seconds(short.groups()[0])


async def test_streaming_speaks_sentence_by_sentence(server: Server) -> None:
    chunks = ["It is sunny today. The high", " is twenty degrees. Have a", " nice day!"]
    events = [
        SynthesizeStart().event(),
        *[SynthesizeChunk(text=chunk).event() for chunk in chunks],
        Synthesize(text="".join(chunks)).event(),
        SynthesizeStop().event(),
    ]
    async with server.client() as client:
        reply = await request(client, events, until="synthesize-stopped")
    assert reply.types[-1] == "synthesize-stopped"
    assert "error" not in reply.types
    groups = reply.groups()
    assert len(groups) == 3
    assert all(seconds(g) > 0.5 and loudness(g) > 0.02 for g in groups)


async def test_an_unknown_voice_speaks_with_the_default_voice_of_the_language_asked(
    server: Server,
) -> None:
    asked = Synthesize(text=KITCHEN, voice=SynthesizeVoice(name="xx_nobody", language="en_US"))
    async with server.client() as client:
        reply = await request(client, [asked.event()], until="audio-stop")
    assert reply.types[0] == "audio-start" and "error" not in reply.types
    assert loudness(reply.groups()[0]) > 0.02
    assert "Voice 'xx_nobody' is not installed: jf_gongitsune speaks" in server.log_text()


async def test_voice_and_language_from_the_request(server: Server) -> None:
    voice = SynthesizeVoice(name="jm_kumo")
    async with server.client() as client:
        male = await request(
            client, [Synthesize(text=KITCHEN, voice=voice).event()], until="audio-stop"
        )
        french = await request(
            client,
            [Synthesize(text="Bonjour", voice=SynthesizeVoice(language="fr_FR")).event()],
            until="audio-stop",
        )
    assert loudness(male.groups()[0]) > 0.02
    assert seconds(french.groups()[0]) > 0.3


async def test_japanese_and_mandarin_requests(server: Server) -> None:
    async with server.client() as client:
        japanese = await request(
            client,
            [Synthesize(text="今日は晴れです。", voice=SynthesizeVoice(language="ja_JP")).event()],
            until="audio-stop",
        )
        mandarin = await request(
            client,
            [Synthesize(text="今天天气很好。", voice=SynthesizeVoice(language="zh_CN")).event()],
            until="audio-stop",
        )
    assert seconds(japanese.groups()[0]) > 0.8 and loudness(japanese.groups()[0]) > 0.02
    assert seconds(mandarin.groups()[0]) > 0.8 and loudness(mandarin.groups()[0]) > 0.02


async def test_a_word_of_5000_letters_is_spoken(server: Server) -> None:
    word = "abcdefghij" * 500
    async with server.client() as client:
        reply = await request(client, [Synthesize(text=word).event()], until="audio-stop")
    assert reply.types[-1] == "audio-stop"
    assert seconds(reply.groups()[0]) > 5.0


async def test_describe_is_answered_at_once_during_a_long_synthesis(
    server: Server,
) -> None:
    busy = synthesize(server, Synthesize(text=LONG_TEXT).event())
    reply, latencies = await describe_seconds_during(server, busy)
    assert reply.types[-1] == "audio-stop"
    # Decoder windows keep the long answer's client silent for a while at a time:
    # describe, asked meanwhile, must not wait for them.
    assert len(latencies) > 5
    assert max(latencies) < max(reply.silences) / 2, (latencies, max(reply.silences))
