"""Wyoming protocol server for the Kokoro-82M text-to-speech model.

Layers, each a folder, imports only going down (tests/test_layers.py holds it):

    __main__, command_line, server, doctor    the commands; start, serve, stop
    wyoming/, http/                           the two ways in; neither imports the other
    speech/                                   text to audio
    files/                                    the model and voices on disk
    core/                                     settings, errors, languages, audio format
"""

__version__ = "0.1.0"
