"""How long one model call may take and how large its reply may grow (the `limits` settings).

Pure arithmetic over settings and model facts; the client enforces the bounds. Must not import
litellm or do I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from orchard.config import LimitSettings

CHARS_PER_TOKEN = 4  # the same rough rate as client.estimate_tokens


@dataclass(frozen=True, slots=True)
class CallBounds:
    """One call's overall deadline (seconds, retries excluded) and its reply-size cap."""

    read_timeout: float
    expected_tokens: int
    deadline_seconds: float
    max_reply_chars: int

    def deadline_message(self, received_chars: int) -> str:
        """Say that the deadline passed, how much had arrived, and how the deadline was set."""
        tokens = received_chars // CHARS_PER_TOKEN
        return (
            f"the reply took longer than its deadline of {self.deadline_seconds:.0f} s"
            f" (about {tokens} tokens had arrived; the deadline allows {self.expected_tokens}"
            f" tokens at the slowest tolerated rate plus the {self.read_timeout:.0f} s timeout)"
        )

    def size_message(self, received_chars: int) -> str:
        """Say that the reply outgrew its cap."""
        return (
            f"the reply passed {received_chars:,} characters, far beyond the model's output"
            f" limit of {self.expected_tokens} tokens (cap {self.max_reply_chars:,} characters);"
            " aborted, not retried"
        )


def call_bounds(
    limits: LimitSettings, read_timeout: float, max_output_tokens: int, max_tokens: int | None
) -> CallBounds:
    """Bound a call expecting at most `max_tokens` (or the model's output limit) tokens back."""
    expected = max(max_tokens or max_output_tokens, 1)
    deadline = read_timeout + expected / limits.min_tokens_per_second
    cap = int(max(max_output_tokens, expected) * CHARS_PER_TOKEN * limits.reply_size_factor)
    return CallBounds(read_timeout, expected, deadline, cap)
