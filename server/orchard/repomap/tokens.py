"""Exact token counting for map budgets: tiktoken's cl100k_base, loaded without the network.

tiktoken downloads its tables on first use; offline that fails, so the table is read from a local
copy (litellm ships one; `TIKTOKEN_CACHE_DIR` works too). Without any, counts fall back to a
conservative estimate, logged once. It must not import litellm (only find its data file).
"""

from __future__ import annotations

import binascii
import hashlib
import importlib.util
import logging
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

_CL100K_URL = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
_CL100K_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
_CL100K_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
    r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)

TokenCount = Callable[[str], int]


def _candidates() -> list[Path]:
    cache_key = hashlib.sha1(_CL100K_URL.encode()).hexdigest()
    folders: list[Path] = []
    for env in ("TIKTOKEN_CACHE_DIR", "DATA_GYM_CACHE_DIR"):
        if os.environ.get(env):
            folders.append(Path(os.environ[env]))
    spec = importlib.util.find_spec("litellm")
    for location in (spec.submodule_search_locations or []) if spec else []:
        folders.append(Path(location) / "litellm_core_utils" / "tokenizers")
    folders.append(Path(os.environ.get("TMPDIR", "/tmp")) / "data-gym-cache")
    return [folder / cache_key for folder in folders]


def tokenizer_table_present() -> bool:
    """Tell, without loading it, whether a local tokenizer table exists (counts will be exact)."""
    return any(path.is_file() for path in _candidates())


def _load_ranks() -> dict[bytes, int] | None:
    for path in _candidates():
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if hashlib.sha256(data).hexdigest() != _CL100K_SHA256:
            log.warning("ignoring %s: not the cl100k_base table", path)
            continue
        fields = data.split()  # "token rank" per line; decoded in C, not line by line
        return dict(
            zip(map(binascii.a2b_base64, fields[0::2]), map(int, fields[1::2]), strict=True)
        )
    return None


@cache
def _encoding() -> Any:
    import tiktoken

    ranks = _load_ranks()
    if ranks is None:
        log.warning("cl100k_base tokenizer table not found offline; estimating token counts")
        return None
    special = {
        "<|endoftext|>": 100257,
        "<|fim_prefix|>": 100258,
        "<|fim_middle|>": 100259,
        "<|fim_suffix|>": 100260,
        "<|endofprompt|>": 100276,
    }
    return tiktoken.Encoding(
        name="cl100k_base", pat_str=_CL100K_PATTERN, mergeable_ranks=ranks, special_tokens=special
    )


def count_tokens(text: str) -> int:
    """Return the number of cl100k_base tokens in `text` (an upper-bound estimate offline)."""
    encoding = _encoding()
    if encoding is None:
        return estimate_tokens(text)
    return len(encoding.encode(text, disallowed_special=()))


def estimate_tokens(text: str) -> int:
    """Return a deliberately high estimate (one token per 3 characters), never an undercount."""
    return (len(text) + 2) // 3


def tokenizer_is_exact() -> bool:
    """Tell whether counts are exact (the table was found) or estimated."""
    return _encoding() is not None


def load_tokenizer() -> None:
    """Load the tokenizer table now (about 0.1 s), e.g. while other processes do other work."""
    _encoding()
