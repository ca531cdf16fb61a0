from __future__ import annotations

import threading

from parley.engines.cache import ModelCache


def test_one_load_per_model_even_when_raced() -> None:
    loads: list[str] = []
    gate = threading.Event()

    def load(name: str) -> str:
        gate.wait()
        loads.append(name)
        return f"engine:{name}"

    cache: ModelCache[str] = ModelCache(load)
    seen: list[str] = []

    def use() -> None:
        with cache.use("a") as engine:
            seen.append(engine)

    threads = [threading.Thread(target=use) for _ in range(8)]
    for t in threads:
        t.start()
    gate.set()
    for t in threads:
        t.join()
    assert loads == ["a"]
    assert seen == ["engine:a"] * 8


def test_idle_models_are_unloaded_but_not_while_in_use() -> None:
    cache: ModelCache[str] = ModelCache(lambda name: name, idle_seconds=0.0)
    with cache.use("a"):
        cache.sweep()
        assert cache.loaded() == ["a"]
    cache.sweep()
    assert cache.loaded() == []
