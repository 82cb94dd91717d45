"""Per-call overhead of PyTorch from Python: the fastest of 7 rounds, µs per one-element `add` (peer of
OverheadBenchmark.cs; the minimum is the least disturbed by other work on the machine)."""
import sys, time, torch

calls = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
torch.set_num_threads(int(sys.argv[2]) if len(sys.argv) > 2 else 2)
a, b = torch.ones(1), torch.ones(1)
rounds = []
for _ in range(7):
    start = time.perf_counter()
    for _ in range(calls):
        c = a.add(b)
    rounds.append((time.perf_counter() - start) / calls * 1e6)
print(min(rounds))
