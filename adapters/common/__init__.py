"""What every chat platform's adapter shares: the streaming reply, its pages, the answer index, reactions, dedupe.

- `pages.py`: fence-aware page splitting (pure).
- `compose.py`: an answer's final shape — body, notices, footer — from the engine's result (pure).
- `reply.py`: the streaming-reply state machine every platform sink drives through a small `Surface`.
- `answers.py`: which platform message shows which answer and turn, in memory and in the store.
- `reactions.py`: reaction → action (feedback, regenerate, stop), and acting on it.
- `dedupe.py`: ids seen lately, so a redelivered event is handled once.

A platform adapter keeps only what is its platform's: payloads, rendering, rate limits, its client library.
"""
