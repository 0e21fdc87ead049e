"""The blind evaluation set is frozen: its numbers mean something only if nobody tunes the rows."""

from __future__ import annotations

import hashlib

from evals.dataset import builtin, load_dataset

FROZEN = {
    "voice_blind_tune.jsonl": ("b813d5dbf38087a02e853cdbb65d8e8b99a9f08f418c5fc273dcd956b8c51dcf", 149),
    "voice_blind_untouched.jsonl": ("7b621cb420f3560a5adbc9a38359b149722f73b56c0e23ae458ccffad04d20ee", 260),
    "voice_blind_dev.jsonl": ("721e6ebd92ac5c6f24932f4f5812c0dc7f6f74762b92b5795fafdb92a7c43642", 207),
    "voice_blind_dev2.jsonl": ("fca5a555dcfe730ee7dc4342ec889d5118bbbe3f82aebcd58906f20cb46a6985", 220),
    "voice_blind_dev_uk.jsonl": ("4b4c2bb8167ba849880b6d999b2132cf058996b40c1fb31ac4a4f8c28b4e8eda", 220),
    "voice_blind_dev_us.jsonl": ("e2c434e712e915d1eddbf60bdebfe1ce88e54241fcd4e36898c28c1e634a0071", 220),
    "voice_blind_dev_vocab.jsonl": ("4cd295203aa0e039af15651da2971f7a1c0c0faf8cd816d07c4e4973f5072a2a", 225),
    "voice_blind_dev_long.jsonl": ("cd431ec96b5134df8cd4a1d7f28ad999f9065e14e0081cc67ddeeb2fd61bde0e", 249),
    # Written blind from the contract on 2026-12-07, before the recogniser was retrained: all untouched.
    "voice_blind_fresh.jsonl": ("bfaa23d9e5429302166f3fa1757b736df4bf9bfc1989875ee193b7f1bd0fb406", 240),
}


def test_blind_files_are_unchanged_and_valid() -> None:
    for name, (sha, rows) in FROZEN.items():
        path = builtin(name)
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha, f"{name} changed after it was frozen"
        data = load_dataset(path)
        assert data.problems == [] and len(data.samples) == rows


def test_splits_do_not_share_rows() -> None:
    tune, untouched, *_ = (load_dataset(builtin(n)).samples for n in FROZEN)
    assert not {s.id for s in tune} & {s.id for s in untouched}
    said = {(s.text, s.notation, str(s.context)) for s in tune}
    shared = [s.id for s in untouched if (s.text, s.notation, str(s.context)) in said]
    assert shared == ["bb-176"]  # "bite down on this gauze for me": both writers chose it (no_command)


# Written from the contract alone before the voice controls were built (BLIND.md): frozen by its
# bytes; each row carries its own split ("tune" rows may be read, "untouched" only scored whole).
FROZEN_BEFORE_LOADING = {
    "voice_blind_controls.jsonl": ("1579961dbdd1447c8c10187a7373cca900e44ee9ea97b40e3e3d16fa9f4865da", 166),
}


def test_control_set_is_unchanged() -> None:
    for name, (sha, rows) in FROZEN_BEFORE_LOADING.items():
        data = builtin(name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == sha, f"{name} changed after it was frozen"
        assert len(data.splitlines()) == rows
