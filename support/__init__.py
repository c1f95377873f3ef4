"""Helpers shared by the tests and the benchmarks: the real server as a process and
a Wyoming client for it (`server`), Whisper listening to voices (`intelligibility`),
and how far two decoders' audio is apart (`distance`).

Neither tests/ nor bench/ imports the other; both import this.
"""
