"""Window-by-window decoding: one room for what makes a piece's audio start early,
never stall and sound as if decoded whole.

    frames.py     where a piece's words and pauses fall, read from the front's outputs
    plan.py       where each window ends: the throughput, the listeners' lead, the words
    speed.py      the decoder's throughput, measured as it runs
    listeners.py  each answer's real-time player, and when the first runs dry
    paced.py      a piece walked window by window, seams joined at one level
    output.py     the piece's silent edges cut as if whole, its pause, PCM
    scheduler.py  one model thread: the listener who runs dry first goes first

The clock is passed in (`Listeners(clock)`), so a test runs it as any machine's.
Knows no ONNX: the engine's decode runs what this plans. May import `core`, and
`speech.engine` for its front's outputs.
"""
