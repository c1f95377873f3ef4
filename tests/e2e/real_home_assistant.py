"""Run by the real Home Assistant's Python (script/home-assistant), not by pytest:
`python real_home_assistant.py PORT` sets up HA's Wyoming integration for our server
at PORT, as its config entry does, and asks HA's own TTS for each case's audio as a
media player gets it (HA's ffmpeg conversion included). Prints one JSON line per case
and the voices HA lists for en_US, first to last."""

import asyncio
import json
import socket
import sys
import tempfile

from homeassistant.components import tts
from homeassistant.components.tts.media_source import generate_media_source_id
from homeassistant.setup import async_setup_component
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_test_home_assistant,
)

THREE_SENTENCES = (
    "Right now it is eighteen degrees and sunny. This afternoon brings a light breeze "
    "from the west. Tonight will be clear."
)
WAV_16K = {"preferred_format": "wav", "preferred_sample_rate": 16000}
CASES = {
    "short, mp3": ("The kitchen lights are on.", {}),
    "short, 16 kHz wav": ("The kitchen lights are on.", WAV_16K),
    "three sentences, mp3": (THREE_SENTENCES, {}),
    "a named voice": ("The kitchen lights are on.", {"voice": "jm_kumo"}),
    "empty text, mp3": ("", {}),
    "only spaces, 16 kHz wav": ("   ", WAV_16K),
    "only emoji, mp3": ("🙂🎉", {}),
    "a voice since removed, mp3": ("The kitchen lights are on.", {"voice": "af_removed_since"}),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def main(port: int) -> None:
    with tempfile.TemporaryDirectory() as config:
        async with async_test_home_assistant(config_dir=config) as hass:
            http = {"server_port": free_port(), "server_host": ["127.0.0.1"]}
            for domain, conf in (("homeassistant", {}), ("http", http), ("ffmpeg", {})):
                assert await async_setup_component(hass, domain, {domain: conf})
            assert await async_setup_component(hass, "tts", {})
            entry = MockConfigEntry(domain="wyoming", data={"host": "127.0.0.1", "port": port})
            entry.add_to_hass(hass)
            assert await hass.config_entries.async_setup(entry.entry_id)
            await hass.async_block_till_done()
            engine = next(state.entity_id for state in hass.states.async_all("tts"))
            entity = hass.data[tts.DATA_COMPONENT].get_entity(engine)
            voices = [voice.voice_id for voice in entity.async_get_supported_voices("en_US")]
            print(json.dumps({"voices": voices}), flush=True)
            for case, (message, options) in CASES.items():
                media = generate_media_source_id(hass, message, engine, "en_US", options, False)
                try:
                    extension, data = await tts.async_get_media_source_audio(hass, media)
                    print(json.dumps({"case": case, "format": extension, "bytes": len(data)}))
                except Exception as err:  # what HA's media player would get: an error
                    print(json.dumps({"case": case, "error": f"{type(err).__name__}: {err}"}))
            await hass.config_entries.async_unload(entry.entry_id)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
