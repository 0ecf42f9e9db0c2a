"""Encryption at rest, side by side in one run: autosave with and without, sealed scoring, unlock.

1. Autosave: the same answers saved through an unencrypted store and an encrypted one (same
   folder, same disk), interleaved answer by answer; p50/p95/p99 of each and their ratio. Goal:
   the encrypted p95 within 1.3x of the unencrypted.
2. ``screening score`` of N answer sets (JSONL) to a file, clear and sealed to an age recipient
   (``--seal-to``), alternated; sets per second of each.
3. Unlocking: the scrypt cost ``keys init`` tunes on this computer (target ``--kdf-time``,
   0.5 s), the time to unlock with the passphrase (what a command pays once) and with a key
   file.

Usage::

    python benchmarks/encryption.py                       # 1,000 answers, 2,000 sets
    python benchmarks/encryption.py --answers 3000 --sets 10000 --dir ~/bench
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
try:
    import screening  # noqa: F401
except ModuleNotFoundError:  # run from a checkout without installing it
    sys.path.insert(0, str(HERE.parent))

from autosave import QUESTIONS_PER_CASE, _answer, percentiles  # noqa: E402
from score import random_answer_set  # noqa: E402

from screening.files import write_private  # noqa: E402
from screening.keys import Holders, init_keys, read_key_file, unlock  # noqa: E402
from screening.store import SqliteStore, open_store  # noqa: E402
from screening.store.crypto import tune_scrypt  # noqa: E402

GOAL_RATIO = 1.3
PASSPHRASE = "benchmark passphrase"  # noqa: S105 - a benchmark's own store


def main(argv: list[str] | None = None) -> int:
    """Run the three measurements; exit 1 when the autosave goal is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=1000, help="answers to save (1000)")
    parser.add_argument("--sets", type=int, default=2000, help="answer sets to score (2000)")
    parser.add_argument("--rounds", type=int, default=3, help="score runs of each kind (3)")
    parser.add_argument("--kdf-time", type=float, default=0.5, help="scrypt target, s (0.5)")
    parser.add_argument("--dir", type=Path, help="where to put the stores (a temporary dir)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    if args.dir is not None:
        args.dir.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="encryption-", dir=args.dir))
    try:
        print(
            f"python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
            f"{platform.system()} {platform.machine()}; in {workdir}"
        )
        ok = autosave(workdir, args.answers, random.Random(args.seed))
        score(workdir, args.sets, args.rounds, random.Random(args.seed))
        unlocking(workdir, args.kdf_time)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if ok else 1


def _encrypted(home: Path, key_file: Path, kdf_time: float) -> SqliteStore:
    store = open_store(home)
    init_keys(
        store,
        Holders(passphrase=PASSPHRASE, key_file=key_file, kdf_time=kdf_time),
        write_key_file=write_private,
    )
    secret = read_key_file(key_file)[1]
    store.set_unlocker(lambda s: unlock(s, key_file=secret))
    return store


def autosave(workdir: Path, answers: int, rng: random.Random) -> bool:
    """Interleaved saves into a clear and an encrypted store; True when the goal is met."""
    clear_ms: list[float] = []
    sealed_ms: list[float] = []
    with (
        open_store(workdir / "clear") as clear,
        _encrypted(workdir / "sealed", workdir / "sealed.key", 0.01) as sealed,
    ):
        ids = ("", "")
        for n in range(answers):
            position = n % QUESTIONS_PER_CASE
            if position == 0:
                ids = tuple(  # type: ignore[assignment]
                    store.create_case(
                        questionnaire_id="ilo-2009",
                        questionnaire_version="1.0",
                        questionnaire_sha256="0" * 64,
                        language="ar",
                        ui_language="en",
                        officer="bench",
                    )
                    for store in (clear, sealed)
                )
            question = f"q{rng.randrange(position) if position and n % 10 == 9 else position:03d}"
            value = _answer(rng)
            # Alternate which goes first, so neither always follows the other's fsync.
            order = ((clear, ids[0], clear_ms), (sealed, ids[1], sealed_ms))
            for store, case_id, samples in order if n % 2 else order[::-1]:
                started = time.perf_counter()
                store.record_answer(case_id, question, value, officer="bench")
                samples.append((time.perf_counter() - started) * 1000)
    print(f"\nautosave: {answers} answers into each store, one durable commit each (ms)")
    print(f"{'':<28}{'p50':>9}{'p95':>9}{'p99':>9}{'max':>9}")
    for label, samples in (("unencrypted store", clear_ms), ("encrypted store", sealed_ms)):
        p50, p95, p99 = percentiles(samples)
        print(f"{label:<28}{p50:>9.3f}{p95:>9.3f}{p99:>9.3f}{max(samples):>9.3f}")
    c50, c95, _ = percentiles(clear_ms)
    s50, s95, _ = percentiles(sealed_ms)
    ratio = s95 / c95
    verdict = "met" if ratio <= GOAL_RATIO else "MISSED"
    print(f"encrypted / unencrypted: p50 {s50 / c50:.2f}x, p95 {ratio:.2f}x")
    print(f"goal p95 within {GOAL_RATIO:g}x: {verdict}")
    return ratio <= GOAL_RATIO


def _score(args: list[str]) -> float:
    from screening.cli import main

    started = time.perf_counter()
    try:
        main(args)
    except SystemExit as exc:
        if exc.code:
            raise RuntimeError(f"screening score exited {exc.code}") from None
    return time.perf_counter() - started


def score(workdir: Path, sets: int, rounds: int, rng: random.Random) -> None:
    """``screening score`` to a file, clear and sealed, alternated."""
    import pyrage

    from screening.questionnaires import resolve

    loaded = resolve(None)
    pool = [random_answer_set(loaded.questionnaire, rng) for _ in range(min(sets, 2000))]
    path = workdir / "sets.jsonl"
    with path.open("w") as handle:
        for index in range(sets):
            handle.write(json.dumps(pool[index % len(pool)]) + "\n")
    recipient = str(pyrage.x25519.Identity.generate().to_public())
    clear_s: list[float] = []
    sealed_s: list[float] = []
    for _ in range(rounds):
        out = workdir / "out.jsonl"
        clear_s.append(_score(["score", str(path), "--out", str(out), "--force"]))
        sealed = workdir / "out.jsonl.age"
        sealed_s.append(
            _score(["score", str(path), "--seal-to", recipient, "--out", str(sealed), "--force"])
        )
    sys.stderr.flush()
    print(f"\nscore: {sets} answer sets (JSONL) to a file, {rounds} runs of each, alternated")
    print(f"{'':<28}{'sets/s (median)':>16}{'best':>10}")
    for label, times in (("clear JSON", clear_s), ("sealed (--seal-to, age)", sealed_s)):
        print(f"{label:<28}{sets / statistics.median(times):>16,.0f}{sets / min(times):>10,.0f}")
    print(f"sealed / clear time: {statistics.median(sealed_s) / statistics.median(clear_s):.2f}x")
    # The sealing alone, on the same output: what --seal-to adds, apart from the run's noise.
    from screening.seal import parse_recipients, seal

    text = (workdir / "out.jsonl").read_text(encoding="utf-8")
    recipients = parse_recipients([recipient])
    times = []
    for _ in range(5):
        started = time.perf_counter()
        seal(text, recipients)
        times.append(time.perf_counter() - started)
    median = statistics.median(times)
    print(
        f"sealing the output alone ({len(text.encode()) / 2**20:.1f} MiB): median "
        f"{median * 1000:.1f} ms, {median / sets * 1e6:.1f} us per set"
    )


def unlocking(workdir: Path, kdf_time: float) -> None:
    """The scrypt cost tuned for ``kdf_time`` and what an unlock costs."""
    params = tune_scrypt(kdf_time)
    key_file = workdir / "unlock.key"
    with _encrypted(workdir / "unlock", key_file, kdf_time) as store:
        [kdf] = [row[4] for row in store.key_holders() if row[1] == "passphrase"]
        recorded = json.loads(str(kdf))
        passphrase_s = []
        file_s = []
        secret = read_key_file(key_file)[1]
        for _ in range(5):
            started = time.perf_counter()
            unlock(store, secret=PASSPHRASE)
            passphrase_s.append(time.perf_counter() - started)
            started = time.perf_counter()
            unlock(store, key_file=secret)
            file_s.append(time.perf_counter() - started)
    print(
        f"\nunlock: scrypt tuned for {kdf_time:g} s on this computer: n=2^{params.n.bit_length() - 1}"
    )
    print(
        f"store's passphrase holder: n=2^{int(recorded['n']).bit_length() - 1}, r={recorded['r']}, "
        f"p={recorded['p']}, memory {128 * int(recorded['n']) * int(recorded['r']) // 2**20} MiB"
    )
    print(f"unlock with the passphrase: median {statistics.median(passphrase_s):.3f} s (5 runs)")
    print(f"unlock with a key file:     median {statistics.median(file_s) * 1000:.3f} ms (5 runs)")


if __name__ == "__main__":
    raise SystemExit(main())
