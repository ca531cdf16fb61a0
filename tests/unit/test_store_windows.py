"""Long-running jobs decoded window by window on Celery workers, as the database keeps
them: each key's tasks on the way stay within its share, so a key with many long jobs
does not hold another's job back; a window delivered twice counts once; a window that
kills its worker every time fails the job; a cancelled job waiting its turn ends."""

from __future__ import annotations

from collections import deque

from parley.bench.server import wait_until
from parley.store import OperationState, Store, StoredAudio
from parley.store.operations import MAX_ATTEMPTS
from parley.store.windows import Begin, Send

AUDIO = StoredAudio(b"RIFF....", ".wav", "wav/pcm_s16le")
BUDGET, PER_JOB = 4, 2


def job(store: Store, tenant: str) -> str:
    return store.operations.create("speech.recognize", {}, AUDIO, "a.wav", tenant).name


def plan(store: Store, name: str, windows: int) -> None:
    assert store.windows.begin_plan(name).begin is Begin.RUN
    assert store.windows.planned(
        name, {"windows": [[1, 10.0 * i, 10.0 * (i + 1)] for i in range(windows)]}
    )


def planned_job(store: Store, tenant: str, windows: int = 3) -> str:
    name = job(store, tenant)
    assert store.windows.dispatch(tenant, BUDGET, PER_JOB) == [(name, None)]
    plan(store, name, windows)
    return name


def on_the_way(store: Store, tenant: str) -> int:
    running = store.operations.list(kind=None, done=False, limit=100, offset=0, scope=tenant)
    return sum(
        len(o.checkpoint["sent"]) if o.checkpoint else 1
        for o in running
        if o.state is OperationState.RUNNING
    )


def test_one_keys_many_jobs_do_not_hold_back_anothers(store: Store) -> None:
    """Key A queues three 10-window jobs, then key B one: a worker taking tasks in
    order (as a queue gives them) finishes B's job when about half the work is done,
    not after all of A's; neither key ever has more than its share on the way."""
    queue: deque[Send] = deque()
    a_jobs = [job(store, "a") for _ in range(3)]
    queue.extend(store.windows.dispatch("a", BUDGET, PER_JOB))
    b_job = job(store, "b")
    queue.extend(store.windows.dispatch("b", BUDGET, PER_JOB))
    finished: list[str] = []
    tasks = 0
    while queue:
        name, index = queue.popleft()
        tenant = "b" if name == b_job else "a"
        if index is None:
            plan(store, name, 10)
        else:
            assert store.windows.begin_window(name, index).begin is Begin.RUN
            if store.windows.window_done(name, index, [], 1.0) is not None:
                store.windows.succeeded(name, f"result-{name}")
                finished.append(name)
            tasks += 1
        queue.extend(store.windows.dispatch(tenant, BUDGET, PER_JOB))
        assert on_the_way(store, "a") <= BUDGET
        assert on_the_way(store, "b") <= BUDGET
    assert sorted(finished) == sorted([*a_jobs, b_job])
    assert tasks == 40
    assert finished.index(b_job) <= 1  # B's 10 windows took turns with A's
    assert all(store.operations.get(n).state is OperationState.SUCCEEDED for n in finished)


def test_a_window_delivered_twice_counts_once(store: Store) -> None:
    name = planned_job(store, "a")
    sends = store.windows.dispatch("a", BUDGET, PER_JOB)
    assert sends == [(name, 0), (name, 1)]  # PER_JOB of its windows at once
    assert store.windows.begin_window(name, 0).begin is Begin.RUN
    segment = {"start": 0.0, "end": 1.0}
    assert store.windows.window_done(name, 0, [segment], 1.0) is None
    assert store.windows.begin_window(name, 0).begin is Begin.DONE
    assert store.windows.window_done(name, 0, [segment, segment], 1.0) is None
    checkpoint = store.operations.get(name).checkpoint or {}
    assert checkpoint["done"] == {"0": [segment]}
    assert checkpoint["sent"] == [1]
    assert store.operations.get(name).progress == 33


def test_a_window_that_kills_its_worker_each_time_fails_the_job(store: Store) -> None:
    name = planned_job(store, "a")
    store.windows.dispatch("a", BUDGET, PER_JOB)
    for _ in range(MAX_ATTEMPTS):  # delivered, its worker killed, delivered again
        assert store.windows.begin_window(name, 1).begin is Begin.RUN
    assert store.windows.begin_window(name, 1).begin is Begin.STOP
    failed = store.operations.get(name)
    assert failed.state is OperationState.FAILED
    assert "the audio at 10-20 s stopped its inference worker" in (failed.error_message or "")
    assert store.windows.begin_window(name, 0).begin is Begin.STOP


def test_a_job_cancelled_while_waiting_its_turn_ends(store: Store) -> None:
    name = planned_job(store, "a")
    store.operations.cancel(name)
    assert store.windows.dispatch("a", BUDGET, PER_JOB) == []
    assert store.operations.get(name).state is OperationState.CANCELLED


def test_a_stalled_job_is_sent_again_once(store: Store) -> None:
    """A job that has not moved for a while (its tasks lost with a broker's messages)
    has its windows on the way sent again, by one caller only."""
    name = planned_job(store, "a")
    store.windows.dispatch("a", BUDGET, PER_JOB)
    assert store.windows.stalled(60) == ([], set())
    found: list[tuple[list[Send], set[str | None]]] = []
    wait_until(lambda: found.append(store.windows.stalled(0.5)) or found[-1][0], 10, every=0.05)
    assert found[-1] == ([(name, 0), (name, 1)], {"a"})
    assert store.windows.stalled(0.5) == ([], set())
