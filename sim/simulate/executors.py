"""Where replications run: here, in local worker processes, or on a Dask cluster.

An executor takes a picklable function and a list of jobs and yields
``(index, result)`` pairs as jobs finish, in any order; the caller sorts. The
results never depend on the executor: each replication draws from its own
random stream, whichever worker runs it.

When the caller stops early (Ctrl-C, an error in a job, or simply closing the
iterator), local workers are ended at once: nothing keeps running, or waits for
work, after the caller has gone. When the caller is killed outright (SIGKILL),
each worker notices within moments and ends itself.
"""

from __future__ import annotations

import multiprocessing
import os
import select
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager
from multiprocessing.context import BaseContext
from typing import Any, Protocol, TypeVar

Job = TypeVar("Job")
Result = TypeVar("Result")


class Executor(Protocol):
    def run(self, fn: Callable[[Any], Any], jobs: Sequence[Any]) -> Iterator[tuple[int, Any]]: ...


class Serial:
    """In this process, one job after another (tests, debugging, one worker)."""

    def run(self, fn: Callable[[Any], Any], jobs: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        for index, job in enumerate(jobs):
            yield index, fn(job)


def _start_worker(parent: int) -> None:
    """Workers leave Ctrl-C to the parent, which ends them (a terminal sends SIGINT to
    every process of the foreground group, workers included); and they end when the
    parent is gone however it ended (``kill -9``, the out-of-memory killer), which
    nothing else tells them: their own parent is the forkserver, not the caller."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(parent,), name="watch-parent", daemon=True).start()


def _exit_with(parent: int) -> None:
    """Block until process ``parent`` ends, then end this one at once."""
    try:
        # readable when the process ends; immune to the reuse of its id
        handle: int | None = os.pidfd_open(parent)
    except (AttributeError, OSError):  # not Linux 5.3+, or already gone
        handle = None
    if handle is not None:
        select.select([handle], [], [])
    else:
        while True:
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                break
            except PermissionError:
                pass  # alive, someone else's: cannot be ours, but keep waiting
            time.sleep(1.0)
    os._exit(1)


def _stop_now(pool: ProcessPoolExecutor) -> None:
    """Cancel the jobs not started and end the workers now, without waiting for the
    running ones (Python 3.14's ``terminate_workers`` does this; before it, the pool's
    processes are only reachable through ``_processes``)."""
    processes = list((pool._processes or {}).values())
    # The workers end first: a shutdown first would release the pool's queues while a
    # worker may still be starting, and that worker would then print a traceback
    # (it cannot find the queue's semaphore) on the user's terminal.
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=10)
    pool.shutdown(wait=False, cancel_futures=True)


@contextmanager
def _ctrl_c_deferred() -> Iterator[None]:
    """Hold a Ctrl-C back until the block is done, then raise it. While a worker is
    being started, an interruption would leave the parent without a record of it: the
    worker could then not be ended, and would print a traceback once the parent's
    queues are gone."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signal handlers belong to the main thread
        return
    received: list[int] = []

    def hold(signum: int, frame: Any) -> None:
        received.append(signum)

    previous = signal.signal(signal.SIGINT, hold)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if received:
            signal.raise_signal(signal.SIGINT)  # handled by the caller's handler, now


class LocalProcesses:
    """A pool of worker processes on this machine."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1

    def run(self, fn: Callable[[Any], Any], jobs: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        # forkserver: safe when the parent has threads (rich, dask), and workers start
        # from a clean interpreter without re-running the caller's script; the server
        # imports the simulator once, so each worker starts with it loaded.
        context: BaseContext
        if "forkserver" in multiprocessing.get_all_start_methods():
            server = multiprocessing.get_context("forkserver")
            server.set_forkserver_preload(["sim.simulate.monte_carlo"])
            context = server
        else:  # pragma: no cover - Windows
            context = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=context,
            initializer=_start_worker,
            initargs=(os.getpid(),),
        )
        finished = False
        try:
            with _ctrl_c_deferred():  # the first submit starts the workers
                pending: dict[Future[Any], int] = {
                    pool.submit(fn, job): i for i, job in enumerate(jobs)
                }
            while pending:
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    yield pending.pop(future), future.result()
            finished = True
        finally:
            # Stopped early (KeyboardInterrupt, a failed job, the iterator closed): a
            # plain shutdown would wait for every job still queued.
            if finished:
                pool.shutdown(wait=True)
            else:
                _stop_now(pool)


class DaskCluster:
    """An existing Dask cluster (``tcp://host:8786``) or a ``distributed.Client``."""

    def __init__(self, address: Any) -> None:
        self.address = address

    def run(self, fn: Callable[[Any], Any], jobs: Sequence[Any]) -> Iterator[tuple[int, Any]]:
        try:
            from distributed import Client, as_completed
        except ImportError as exc:  # pragma: no cover - depends on the installation
            raise RuntimeError(
                "the Dask executor needs the optional extra: pip install 'summit-sim[dask]'"
            ) from exc
        own = not isinstance(self.address, Client)
        client = Client(self.address) if own else self.address  # type: ignore[no-untyped-call, unused-ignore]
        try:
            futures = client.map(fn, list(jobs), pure=False)
            index = {future.key: i for i, future in enumerate(futures)}
            for future in as_completed(futures):  # type: ignore[no-untyped-call, unused-ignore]
                yield index[future.key], future.result()
        finally:
            if own:
                client.close()


def make_executor(workers: int | None, dask: str | None = None) -> Executor:
    if dask:
        return DaskCluster(dask)
    if workers == 1:
        return Serial()
    return LocalProcesses(workers)
