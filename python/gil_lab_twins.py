#!/usr/bin/env python3
"""gil-lab's CPython twins: the experiments' workloads, run in real CPython.

usage: python3 gil_lab_twins.py <experiment> < params.json
       python3 gil_lab_twins.py --list

Each subcommand reads its sizes as one JSON object on stdin (gil-lab passes the sizes its model used
for the chosen --size) and prints one JSON object on stdout:
  {"experiment", "python": {version, implementation, freeThreaded, gilEnabled}, "rows": [...], "notes": [...]}
or, where there is nothing to run here, the same with "skipped": "why" and no rows.
Standard library only; numpy rows appear when numpy imports. Python 3.8 or newer.
"""
import os

# BLAS must not start threads of its own: the numpy rows measure our threads, one BLAS thread each.
# Set before numpy can be imported (here or in a worker process).
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import asyncio  # noqa: E402
import json  # noqa: E402
import multiprocessing  # noqa: E402
import platform  # noqa: E402
import queue  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import sysconfig  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor  # noqa: E402

try:  # numpy is optional: its rows are left out (and the notes say so) when it does not import
    import numpy
except Exception as _error:  # pragma: no cover - depends on the machine
    numpy = None
    NUMPY_MISSING = "numpy does not import here ({}: {})".format(type(_error).__name__, _error)
else:
    NUMPY_MISSING = None


def python_info():
    gil_enabled = sys._is_gil_enabled() if hasattr(sys, "_is_gil_enabled") else True
    return {
        "version": platform.python_version(),
        "implementation": platform.python_implementation(),
        "freeThreadedBuild": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
        # A free-threaded build can still run with the GIL (PYTHON_GIL=1): what counts is whether it is on now.
        "gilEnabled": bool(gil_enabled),
        "freeThreaded": not gil_enabled,
        "numpy": None if numpy is None else numpy.__version__,
    }


def percentile(values, p):
    """Linear interpolation between closest ranks, as the model's measure.ts does."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = p / 100.0 * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values):
    return percentile(values, 50)


def rss_bytes():
    """This process's resident set size (Linux /proc; elsewhere the peak from getrusage)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


def spin_ns(ns):
    """Busy interpreted code for `ns` nanoseconds of wall time (the eval loop checks for a drop request)."""
    end = time.perf_counter_ns() + ns
    while time.perf_counter_ns() < end:
        pass


def run_threads(targets):
    """Starts one thread per callable, joins them all; returns (wall seconds, results in order)."""
    results = [None] * len(targets)

    def runner(index, target):
        results[index] = target()

    threads = [threading.Thread(target=runner, args=(i, t)) for i, t in enumerate(targets)]
    t0 = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - t0, results


# --- cpu-bound ------------------------------------------------------------------------------------


def count_primes(lo, hi):
    """Trial division, the same loop as native/core/kernels/count_primes.cpp and src/kernels/reference.ts."""
    primes = 0
    for n in range(max(lo, 2), hi):
        i = 2
        while i * i <= n:
            if n % i == 0:
                break
            i += 1
        else:
            primes += 1
    return primes


def cpu_share(start, unit_size, units, worker, workers):
    """Worker `worker` of `workers` takes units worker, worker + workers, ... as the model's cpuShare does."""
    total = 0
    for u in range(worker, units, workers):
        lo = start + u * unit_size
        total += count_primes(lo, lo + unit_size)
    return total


def _pause(seconds):
    time.sleep(seconds)
    return os.getpid()


def matmul_share(n, units, worker, workers):
    """numpy's a @ b on this worker's units: BLAS runs with the GIL released (one BLAS thread each)."""
    a = numpy.fromfunction(lambda i, j: ((i * n + j) * 7919 % 1000) / 1000.0, (n, n))
    b = numpy.fromfunction(lambda i, j: ((i * n + j) * 104729 % 1000) / 1000.0, (n, n))
    total = 0.0
    for _ in range(worker, units, workers):
        total += float((a @ b)[0, 0])
    return total


def twin_cpu_bound(params):
    start, unit_size, units = params["start"], params["unitSize"], params["units"]
    workers, repeats = params["workers"], max(1, params.get("repeats", 1))
    notes = [
        "countPrimes by trial division in pure Python over the model's units "
        "({} units of {} numbers from {}).".format(units, unit_size, start)
    ]
    best = {}

    def keep(mode, count, seconds):
        key = (mode, count)
        if key not in best or seconds < best[key]:
            best[key] = seconds

    cpu_share(start, unit_size, min(units, 1), 0, 1)  # warm the code path before timing
    with ProcessPoolExecutor(max_workers=workers) as pool:
        # Start every worker before timing: equal sleeps are spread over the pool's processes.
        list(pool.map(_pause, [0.05] * workers))
        for _ in range(repeats):  # every mode once per repeat; each keeps its fastest run, as timeit does
            t0 = time.perf_counter()
            serial = cpu_share(start, unit_size, units, 0, 1)
            keep("serial", 1, time.perf_counter() - t0)
            seconds, parts = run_threads(
                [lambda w=w: cpu_share(start, unit_size, units, w, workers) for w in range(workers)]
            )
            keep("threads", workers, seconds)
            if sum(parts) != serial:
                raise RuntimeError("threads counted {} primes, serial {}".format(sum(parts), serial))
            t0 = time.perf_counter()
            futures = [pool.submit(cpu_share, start, unit_size, units, w, workers) for w in range(workers)]
            counted = sum(f.result() for f in futures)
            keep("processes", workers, time.perf_counter() - t0)
            if counted != serial:
                raise RuntimeError("processes counted {} primes, serial {}".format(counted, serial))
    if numpy is not None:
        n, matmul_units = params.get("matmulSize", 192), params.get("matmulUnits", 4 * workers)
        matmul_share(n, 1, 0, 1)
        for _ in range(repeats):
            t0 = time.perf_counter()
            matmul_share(n, matmul_units, 0, 1)
            keep("numpy-serial", 1, time.perf_counter() - t0)
            seconds, _ = run_threads([lambda w=w: matmul_share(n, matmul_units, w, workers) for w in range(workers)])
            keep("numpy-threads", workers, seconds)
        notes.append("numpy rows: {} products a @ b of {}x{} matrices, one BLAS thread per Python thread.".format(
            matmul_units, n, n))
    else:
        notes.append("No numpy rows: " + NUMPY_MISSING + ".")
    rows = []
    for (mode, count), seconds in best.items():
        base = best[("numpy-serial", 1)] if mode.startswith("numpy") else best[("serial", 1)]
        speedup = base / seconds
        rows.append({"mode": mode, "workers": count, "seconds": seconds, "speedup": speedup,
                     "efficiency": speedup / count})
    return {"rows": rows, "notes": notes}


# --- io-bound -------------------------------------------------------------------------------------


def io_operations(count, latency_ns, work_ns):
    """Each operation: a blocking sleep (the GIL is released around it), then work on the answer holding it."""
    for _ in range(count):
        time.sleep(latency_ns / 1e9)
        if work_ns > 0:
            spin_ns(work_ns)


async def io_operation_async(count, latency_ns, work_ns):
    for _ in range(count):
        await asyncio.sleep(latency_ns / 1e9)
        if work_ns > 0:
            spin_ns(work_ns)


def twin_io_bound(params):
    total, workers = params["total"], params["workers"]
    latency_ns, work_ns = params["latencyNs"], params["workNs"]

    def shares(threads):
        return [total // threads + (1 if i < total % threads else 0) for i in range(threads)]

    rows = []
    serial_rate = None
    io_operations(2, latency_ns, work_ns)
    for mode, threads in (("serial", 1), ("threads", workers)):
        seconds, _ = run_threads([lambda c=c: io_operations(c, latency_ns, work_ns) for c in shares(threads)])
        rate = total / seconds
        serial_rate = serial_rate or rate
        rows.append({"mode": mode, "threads": threads, "operations": total, "seconds": seconds,
                     "opsPerSecond": rate, "speedup": rate / serial_rate})

    async def gathered():
        await asyncio.gather(*(io_operation_async(c, latency_ns, work_ns) for c in shares(workers)))

    t0 = time.perf_counter()
    asyncio.run(gathered())
    seconds = time.perf_counter() - t0
    rows.append({"mode": "asyncio", "threads": 1, "operations": total, "seconds": seconds,
                 "opsPerSecond": total / seconds, "speedup": total / seconds / serial_rate})
    notes = [
        "Each operation: time.sleep({:g} ms), which releases the GIL, then {:g} us of interpreted work.".format(
            latency_ns / 1e6, work_ns / 1e3),
        "threads-holding has no standard-library twin: no stdlib call blocks while holding the GIL "
        "(a C extension that forgets Py_BEGIN_ALLOW_THREADS does).",
        "asyncio: the same operations as {} tasks on one event loop (asyncio.sleep).".format(workers),
    ]
    return {"rows": rows, "notes": notes}


# --- convoy and switch-interval: pipe round trips to an echo child process ------------------------

# The echo runs in its own process, single-threaded: it never waits for this process's GIL.
ECHO_CHILD = r"""
import os, sys
size = int(sys.argv[1])
while True:
    data = b""
    while len(data) < size:
        chunk = os.read(0, size - len(data))
        if not chunk:
            sys.exit(0)
        data += chunk
    os.write(1, data)
"""


class Echo(object):
    def __init__(self, size):
        self.size = size
        self.child = subprocess.Popen([sys.executable, "-c", ECHO_CHILD, str(size)],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
        self.write_fd = self.child.stdin.fileno()
        self.read_fd = self.child.stdout.fileno()
        self.message = (b"gil-lab" * (size // 7 + 1))[:size]

    def round_trip(self):
        os.write(self.write_fd, self.message)
        got = 0
        while got < self.size:
            chunk = os.read(self.read_fd, self.size - got)
            if not chunk:
                raise RuntimeError("the echo child process went away")
            got += len(chunk)

    def close(self):
        self.child.stdin.close()
        self.child.stdout.close()
        self.child.wait(timeout=10)


def io_loop(echo, duration_s):
    """Round trips for duration_s; each blocking os.write/os.read releases the GIL. Latencies in us."""
    latencies = []
    t0 = time.perf_counter()
    end = t0 + duration_s
    now = t0
    while now < end:
        echo.round_trip()
        later = time.perf_counter()
        latencies.append((later - now) * 1e6)
        now = later
    return latencies, now - t0


def io_beside_spinners(echo, spinners, duration_s, calibrated_loops=None):
    """The I/O thread's loop beside `spinners` threads of pure-Python busy work.

    With calibrated_loops, each spinner works in calls of that many loop iterations (the model's
    0.5 ms spin calls) and reports its calls and its CPU time (time.thread_time: the time it ran,
    which under the GIL is the time it held it)."""
    stop = [False]
    started = [0]
    counter = threading.Lock()
    reports = []

    def spinner():
        with counter:
            started[0] += 1
        cpu0, wall0, calls = time.thread_time(), time.perf_counter(), 0
        while not stop[0]:
            if calibrated_loops is None:
                continue
            for _ in range(calibrated_loops):
                pass
            calls += 1
        reports.append({"calls": calls, "cpuSeconds": time.thread_time() - cpu0,
                        "seconds": time.perf_counter() - wall0})

    measured = {}

    def io_thread():
        measured["latencies"], measured["seconds"] = io_loop(echo, duration_s)

    threads = [threading.Thread(target=spinner) for _ in range(spinners)]
    for thread in threads:
        thread.start()
    deadline = time.perf_counter() + 10
    while started[0] < spinners:
        if time.perf_counter() > deadline:
            raise RuntimeError("the CPU threads did not start within 10 s")
        time.sleep(0.001)
    io = threading.Thread(target=io_thread)
    io.start()
    io.join()
    stop[0] = True
    for thread in threads:
        thread.join()
    return measured["latencies"], measured["seconds"], reports


def twin_convoy(params):
    duration_s = params["durationMs"] / 1000.0
    interval_s = params["switchIntervalUs"] / 1e6
    sys.setswitchinterval(interval_s)
    echo = Echo(params["messageBytes"])
    rows = []
    try:
        echo.round_trip()
        for spinners in params["cpuCounts"]:
            # Alone the latency is short and steady: a third of the time gives as many samples (as the model).
            latencies, seconds, _ = io_beside_spinners(echo, spinners, duration_s / 3 if spinners == 0 else duration_s)
            rows.append({"cpuThreads": spinners, "p50Us": percentile(latencies, 50),
                         "p99Us": percentile(latencies, 99), "opsPerSecond": len(latencies) / seconds})
    finally:
        echo.close()
    notes = [
        "{}-byte round trips through pipes to an echo child process (which needs no GIL of ours), "
        "beside 0..{} threads of pure-Python busy work, sys.setswitchinterval({:g}).".format(
            params["messageBytes"], max(params["cpuCounts"]), interval_s),
        "CPython's convoy depends on load: when the machine is busy the I/O thread often takes the GIL back "
        "before a spinning thread is scheduled again, and the wait per operation falls below a switch interval.",
    ]
    return {"rows": rows, "notes": notes}


def calibrate_loops(ns):
    """Loop iterations of `for _ in range(k): pass` that take `ns` alone (the model's calibrated spin)."""
    loops = 1000
    while True:
        t0 = time.perf_counter_ns()
        for _ in range(loops):
            pass
        elapsed = time.perf_counter_ns() - t0
        if elapsed >= 2_000_000:
            return max(1, int(loops * ns / elapsed))
        loops *= 2


def twin_switch_interval(params):
    duration_s = params["durationMs"] / 1000.0
    loops = calibrate_loops(params.get("cpuCallNs", 500_000))
    echo = Echo(params.get("messageBytes", 64))
    previous = sys.getswitchinterval()
    rows = []
    try:
        echo.round_trip()
        for interval_ms in params["intervalsMs"]:
            sys.setswitchinterval(interval_ms / 1000.0)
            latencies, seconds, reports = io_beside_spinners(echo, 1, duration_s, loops)
            cpu = reports[0]
            rows.append({
                "switchIntervalMs": interval_ms,
                "cpuOpsPerSecond": cpu["calls"] / cpu["seconds"],
                "cpuShare": cpu["cpuSeconds"] / cpu["seconds"],
                "ioP50Us": percentile(latencies, 50),
                "ioP99Us": percentile(latencies, 99),
                "ioMeanUs": seconds * 1e6 / len(latencies),
                "ioOpsPerSecond": len(latencies) / seconds,
            })
    finally:
        sys.setswitchinterval(previous)
        echo.close()
    notes = [
        "sys.setswitchinterval for each interval; the CPU thread works in calls calibrated to {:g} ms alone; "
        "its lock share is its CPU time (time.thread_time) over wall time, which on a loaded machine also leaves "
        "out time it held the GIL while the OS ran something else.".format(
            params.get("cpuCallNs", 500_000) / 1e6),
    ]
    return {"rows": rows, "notes": notes}


# --- memory-bound ---------------------------------------------------------------------------------


def twin_memory_bound(params):
    if numpy is None:
        return {"skipped": "memory-bound's twin needs numpy (kernels that release the GIL): " + NUMPY_MISSING}
    workers, passes = params["workers"], params["passes"]
    elements = params["bytes"] // 8
    third = elements // 3 // 8 * 8
    sum_array = (numpy.arange(elements, dtype=numpy.float64) % 1024) * 0.5
    a = numpy.zeros(third)
    b = numpy.arange(third, dtype=numpy.float64) % 7
    c = numpy.arange(third, dtype=numpy.float64) % 5
    n = params.get("matmulSize", 128)
    control_units = params.get("matmulUnits", 8 * workers)

    def cut(array, w, count):
        blocks = len(array) // 8
        return array[(w * blocks) // count * 8:((w + 1) * blocks) // count * 8]

    def sum_passes(w, count):
        part = cut(sum_array, w, count)
        return sum(float(part.sum()) for _ in range(passes))

    def triad_passes(w, count):
        pa, pb, pc = cut(a, w, count), cut(b, w, count), cut(c, w, count)
        for _ in range(passes):  # a = b + 3c, in place (numpy does it as two passes)
            numpy.multiply(pc, 3.0, out=pa)
            numpy.add(pa, pb, out=pa)
        return 0.0

    kernels = {
        "sum": sum_passes,
        "triad": triad_passes,
        "matmul": lambda w, count: matmul_share(n, control_units, w, count),
    }
    best = {}
    for _ in range(max(1, params.get("repeats", 1))):
        for kernel, work in kernels.items():
            for count in range(1, workers + 1):
                seconds, _ = run_threads([lambda w=w, k=count, f=work: f(w, k) for w in range(count)])
                key = (kernel, count)
                best[key] = min(seconds, best.get(key, seconds))
    rows = []
    for (kernel, count), seconds in best.items():
        moved = {"sum": sum_array.nbytes * passes, "triad": third * 24 * passes}.get(kernel)
        rows.append({"kernel": kernel, "workers": count, "seconds": seconds,
                     "gbPerSecond": None if moved is None else moved / seconds / 1e9,
                     "speedup": best[(kernel, 1)] / seconds})
    notes = [
        "numpy on 1..{} threads: a.sum() over {} MiB; triad a = b + 3c over three arrays of a third each "
        "(numpy does it in two passes, so it moves 40 bytes per element where STREAM counts 24; bandwidth uses "
        "STREAM's count, as the model does); matmul ({}x{} a @ b) is the compute-bound control.".format(
            workers, params["bytes"] >> 20, n, n),
    ]
    return {"rows": rows, "notes": notes}


# --- startup --------------------------------------------------------------------------------------


def who_am_i():
    return {"pid": os.getpid(), "rss": rss_bytes()}


def twin_startup(params):
    samples = max(1, params["samples"])
    methods = [m for m in ("fork", "forkserver", "spawn") if m in multiprocessing.get_all_start_methods()]
    measured = {"thread": []}
    for method in methods:
        measured["process " + method] = []
    for _ in range(samples):  # alternate the kinds, so that a burst of load hits them alike
        answers = queue.SimpleQueue()
        before = rss_bytes()
        t0 = time.perf_counter()
        thread = threading.Thread(target=lambda: answers.put(who_am_i()))
        thread.start()
        answer = answers.get()
        ms = (time.perf_counter() - t0) * 1000
        thread.join()
        measured["thread"].append((ms, max(0, answer["rss"] - before)))
        for method in methods:
            t0 = time.perf_counter()
            with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context(method)) as pool:
                answer = pool.submit(who_am_i).result()
                ms = (time.perf_counter() - t0) * 1000
            measured["process " + method].append((ms, answer["rss"]))
    rows = [{"kind": kind, "samples": samples, "startupMs": median([s[0] for s in values]),
             "rssBytes": int(median([s[1] for s in values]))} for kind, values in measured.items()]
    notes = [
        "thread: threading.Thread started and its first result received; process: a one-worker "
        "ProcessPoolExecutor with each start method, created and its first result received. Medians of {}.".format(
            samples),
        "The default start method on Linux is fork up to 3.13 and forkserver from 3.14; forkserver's first "
        "sample also starts the server.",
    ]
    return {"rows": rows, "notes": notes}


# --- ipc ------------------------------------------------------------------------------------------

READ_STRIDE = 64


def read_bytes(payload):
    """Touches every cache line of the payload (one byte in 64), as the model's readBytes does."""
    return sum(memoryview(payload)[::READ_STRIDE]) % (1 << 32)


def read_shared_memory(name, length):
    from multiprocessing import shared_memory

    try:  # 3.13+: attach without registering with the resource tracker (the creator unlinks it)
        segment = shared_memory.SharedMemory(name=name, track=False)
    except TypeError:
        segment = shared_memory.SharedMemory(name=name)
        # Before 3.13 attaching registers the segment for clean-up by this process too, which then
        # reports it as leaked (bpo-39959): the creator owns it, so take it off this process's list.
        from multiprocessing import resource_tracker

        resource_tracker.unregister(segment._name, "shared_memory")
    try:
        view = segment.buf[:length]
        try:
            return read_bytes(view)
        finally:
            view.release()
    finally:
        segment.close()


def pipe_reader(connection):
    """A child process that receives pickled payloads over a Pipe and answers with their sum."""
    while True:
        payload = connection.recv()
        if payload is None:
            return
        connection.send(read_bytes(payload))


def payload_of(length):
    """Printable ASCII, the model's payload: byte i is 0x20 + (31 i mod 95)."""
    pattern = bytes(0x20 + (i * 31) % 95 for i in range(95))
    return (pattern * (length // 95 + 1))[:length]


def twin_ipc(params):
    from multiprocessing import shared_memory

    sizes, samples_for = params["sizes"], params["samples"]
    rows = []
    parent, child = multiprocessing.Pipe()
    reader = multiprocessing.Process(target=pipe_reader, args=(child,), daemon=True)
    reader.start()
    try:
        with ThreadPoolExecutor(max_workers=1) as threads, ProcessPoolExecutor(max_workers=1) as processes:
            warm = payload_of(1024)
            threads.submit(read_bytes, warm).result()
            processes.submit(read_bytes, warm).result()
            parent.send(warm)
            parent.recv()
            for index, size in enumerate(sizes):
                data = payload_of(size)
                expected = read_bytes(data)
                segment = shared_memory.SharedMemory(create=True, size=size)
                try:
                    segment.buf[:size] = data
                    methods = (
                        ("thread (shared object)", lambda: threads.submit(read_bytes, data).result()),
                        ("process pickle (Pipe)", lambda: (parent.send(data), parent.recv())[1]),
                        ("process pickle (ProcessPoolExecutor)", lambda: processes.submit(read_bytes, data).result()),
                        ("process shared_memory",
                         lambda: processes.submit(read_shared_memory, segment.name, size).result()),
                    )
                    for method, send in methods:
                        timings = []
                        for _ in range(max(1, samples_for[index])):
                            t0 = time.perf_counter()
                            got = send()
                            timings.append(time.perf_counter() - t0)
                            if got != expected:
                                raise RuntimeError("{} delivered different bytes".format(method))
                        seconds = median(timings)
                        rows.append({"method": method, "payloadBytes": size, "seconds": seconds,
                                     "gbPerSecond": size / seconds / 1e9})
                finally:
                    segment.close()
                    segment.unlink()
    finally:
        parent.send(None)
        reader.join(timeout=10)
    notes = [
        "A thread gets the very same bytes object (threads share objects: no copy); a process gets a pickled "
        "copy through a Pipe or the executor's queue, or attaches a multiprocessing.shared_memory segment by name. "
        "Each worker touches every 64th byte. Medians.",
    ]
    return {"rows": rows, "notes": notes}


# --- kill -----------------------------------------------------------------------------------------


def spin_then_report(ns, started):
    started.send("started")
    spin_ns(ns)


def twin_kill(params):
    work_ms, delay_ms, samples = params["workMs"], params["delayMs"], max(1, params["samples"])
    rows = []

    def stop_process(how):
        parent, child = multiprocessing.Pipe()
        process = multiprocessing.Process(target=spin_then_report, args=(int(work_ms * 1e6), child), daemon=True)
        process.start()
        if not parent.poll(30) or parent.recv() != "started":
            raise RuntimeError("the child process did not start within 30 s")
        t0 = time.perf_counter()
        time.sleep(delay_ms / 1000)
        asked = time.perf_counter()
        getattr(process, how)()
        process.join()
        done = time.perf_counter()
        return (done - asked) * 1000, work_ms - (asked - t0) * 1000, (done - t0) * 1000 < 0.9 * work_ms

    def stop_thread(checks_flag):
        stop = threading.Event()
        started = threading.Event()
        began = []
        stopped_early = []

        def work():
            # The thread's own start is the reference: the main thread may get the GIL back only a
            # switch interval (or, on a busy machine, several) after this one starts spinning.
            began.append(time.perf_counter())
            started.set()
            end = time.perf_counter_ns() + int(work_ms * 1e6)
            while time.perf_counter_ns() < end:
                if checks_flag and stop.is_set():
                    stopped_early.append(True)
                    return

        thread = threading.Thread(target=work, daemon=True)
        thread.start()
        started.wait()
        t0 = began[0]
        time.sleep(delay_ms / 1000)
        asked = time.perf_counter()
        stop.set()  # a thread with no flag to check has nothing that could stop it
        thread.join()
        done = time.perf_counter()
        # Stopped early: the thread saw the flag before its work was done (the request itself can
        # come late: setting the flag needs the GIL, which the spinning thread holds).
        return (done - asked) * 1000, work_ms - (asked - t0) * 1000, bool(stopped_early)

    methods = (
        ("threading.Event", "thread, code checks the flag", lambda: stop_thread(True)),
        ("no way to stop it", "thread, code never checks", lambda: stop_thread(False)),
        ("Process.terminate()", "child process (SIGTERM)", lambda: stop_process("terminate")),
        ("Process.kill()", "child process (SIGKILL)", lambda: stop_process("kill")),
    )
    for method, target, stop in methods:
        measured = [stop() for _ in range(samples)]
        early = sum(1 for m in measured if m[2])
        rows.append({"method": method, "target": target, "stopMs": median([m[0] for m in measured]),
                     "remainingMs": median([m[1] for m in measured]),
                     "outcome": "stopped" if early * 2 > len(measured) else "ran to completion"})
    notes = [
        "A Python thread cannot be killed: threading has no API for it, so it can only be asked to stop "
        "(a flag such as threading.Event that its code checks). A process can: Process.terminate() sends "
        "SIGTERM, Process.kill() SIGKILL.",
    ]
    return {"rows": rows, "notes": notes}


# --- experiments with no twin ---------------------------------------------------------------------

NO_TWIN = {
    "legacy-gil": "the old GIL (a check every 100 ticks, no forced switching) is Python 2's; every Python 3 "
    "since 3.2 runs the new GIL, so there is nothing to compare with here",
    "refcount": "reference counts are not observable from Python code: the race the model shows happens "
    "inside the interpreter's C code, which the GIL (or PEP 703's biased counting) already protects",
}

TWINS = {
    "cpu-bound": twin_cpu_bound,
    "io-bound": twin_io_bound,
    "convoy": twin_convoy,
    "switch-interval": twin_switch_interval,
    "memory-bound": twin_memory_bound,
    "startup": twin_startup,
    "ipc": twin_ipc,
    "kill": twin_kill,
}


def main(argv):
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        sys.stderr.write("usage: {} <experiment> < params.json   (experiments: {})\n".format(
            argv[0], ", ".join(sorted(list(TWINS) + list(NO_TWIN)))))
        return 2
    name = argv[1]
    if name == "--list":
        print(json.dumps({"twins": sorted(TWINS), "noTwin": NO_TWIN}))
        return 0
    if name not in TWINS and name not in NO_TWIN:
        sys.stderr.write("unknown experiment {!r}; valid: {}\n".format(name, ", ".join(sorted(list(TWINS) + list(NO_TWIN)))))
        return 2
    text = sys.stdin.read()
    params = json.loads(text) if text.strip() else {}
    if not isinstance(params, dict):
        sys.stderr.write("the parameters on stdin must be one JSON object\n")
        return 2
    out = {"experiment": name, "python": python_info()}
    if name in NO_TWIN:
        out["skipped"] = NO_TWIN[name]
    else:
        t0 = time.perf_counter()
        out.update(TWINS[name](params))
        out["elapsedSeconds"] = time.perf_counter() - t0
    out.setdefault("notes", [])
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
