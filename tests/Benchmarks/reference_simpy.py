"""The simulator benchmark's reference: the same staleness-only workload in SimPy (Debian's python3-simpy, SimPy 2.3).

Learners with constant step times in [1, 2) (learner i: 1 + (i mod D)/D) complete gradients; each
completion is applied at once: its staleness is the version minus what that learner read, the version goes up by
one, and the learner reads the new version. Prints one line: learners, events, seconds, M events/s.
Usage: /usr/bin/python3 tests/Benchmarks/reference_simpy.py LEARNERS EVENTS [D, default 1000]
"""
import sys
import time

from SimPy.Simulation import Process, activate, hold, initialize, simulate


def main():
    learners, events = int(sys.argv[1]), int(sys.argv[2])
    distinct = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    state = {"version": 0, "count": 0, "staleness": 0}
    rate = sum(1.0 / (1 + (i % distinct) / distinct) for i in range(learners))

    class Learner(Process):
        def run(self, step):
            read = 0
            while True:
                yield hold, self, step
                state["staleness"] += state["version"] - read
                state["version"] += 1
                state["count"] += 1
                read = state["version"]

    initialize()
    for i in range(learners):
        learner = Learner()
        activate(learner, learner.run(1 + (i % distinct) / distinct))
    start = time.perf_counter()
    simulate(until=events / rate)
    seconds = time.perf_counter() - start
    print(f"{learners} {state['count']} {seconds:.3f} {state['count'] / seconds / 1e6:.3f}")


if __name__ == "__main__":
    main()
