#!/usr/bin/env python3
"""Times SymGrad's benchmark tasks in its peers, on this machine (development only).

Each task is the one `swift run -c release symgrad-bench` times under the same name:
  softmax-jacobian n=N         the n x n Jacobian of softmax(x) (symbolic)
  cross-entropy-gradient n=N   the gradient of log(sum_j exp(x_j)) - x_1 (symbolic)
  batch-64x1000-gradient       the gradient of the 64 x 1000 mean cross-entropy with
                               respect to every logit, then its value at one point
  sum-loop n=N                 a sum of N symbols built with + in a loop

Peers, each used only when it is installed (the script says which were skipped):
  sympy      symbolic, the reference CAS (slow at these sizes: small n by default)
  symengine  symbolic, C++ core with Python bindings
  torch      numeric autograd (float64): the same gradients evaluated, not derived

Prints one line per (peer, task): `PEER TASK n=N: SECONDS s` (best of --repeat runs),
and, with --json FILE, the same as a JSON list. Nothing here is a dependency of the
package; the figures go in README beside symgrad-bench's.

Usage: python3 Scripts/bench_peers.py [--repeat 3] [--sympy-max 200] [--json out.json]
"""
import argparse
import importlib
import json
import time


def best_of(repeat, fn):
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def symbolic_tasks(mod, name, max_n, repeat, results):
    """softmax Jacobian, cross-entropy gradient and the + loop in sympy or symengine."""
    def softmax_jacobian(n):
        xs = mod.symbols(" ".join(f"x{i}" for i in range(n)))
        s = sum(mod.exp(x) for x in xs)
        outs = [mod.exp(x) / s for x in xs]
        return [[mod.diff(o, x) for x in xs] for o in outs]

    def ce_gradient(n):
        xs = mod.symbols(" ".join(f"x{i}" for i in range(n)))
        loss = mod.log(sum(mod.exp(x) for x in xs)) - xs[1]
        return [mod.diff(loss, x) for x in xs]

    def sum_loop(n):
        xs = mod.symbols(" ".join(f"x{i}" for i in range(n)))
        total = mod.Integer(0)
        for x in xs:
            total = total + x
        return total

    for task, fn, sizes in [("softmax-jacobian", softmax_jacobian, [10, 200, 1000]),
                            ("cross-entropy-gradient", ce_gradient, [10, 1000]),
                            ("sum-loop", sum_loop, [10_000, 100_000])]:
        for n in sizes:
            if n > max_n and task != "sum-loop":
                print(f"{name} {task} n={n}: skipped (above --{name}-max {max_n})")
                continue
            if task == "sum-loop" and n > 10 * max_n:
                print(f"{name} {task} n={n}: skipped (above 10 x --{name}-max)")
                continue
            seconds = best_of(repeat, lambda: fn(n))
            print(f"{name} {task} n={n}: {seconds:.6f} s", flush=True)
            results.append({"peer": name, "task": task, "n": n, "seconds": seconds})


def torch_tasks(torch, repeat, results):
    """The gradients SymGrad derives, evaluated by autograd (float64)."""
    torch.set_default_dtype(torch.float64)
    g = torch.Generator().manual_seed(0)

    def batch():
        x = torch.randn(64, 1000, generator=g, requires_grad=True)
        t = torch.randint(0, 1000, (64,), generator=g)
        loss = torch.nn.functional.cross_entropy(x, t)
        loss.backward()
        return x.grad

    def masked_batch():
        x = torch.randn(64, 1000, generator=g)
        t = torch.randint(0, 1000, (64,), generator=g)
        mask = torch.rand(64, 1000, generator=g) < 0.1
        mask[torch.arange(64), t] = False
        x[mask] = float("-inf")
        x.requires_grad_(True)
        torch.nn.functional.cross_entropy(x, t).backward()
        return x.grad

    def softmax_jacobian(n):
        x = torch.randn(n, generator=g)
        return torch.autograd.functional.jacobian(lambda v: torch.softmax(v, 0), x)

    for task, n, fn in [("batch-64x1000-gradient", 64_000, batch),
                        ("batch-64x1000-masked-gradient", 64_000, masked_batch),
                        ("softmax-jacobian", 200, lambda: softmax_jacobian(200)),
                        ("softmax-jacobian", 1000, lambda: softmax_jacobian(1000))]:
        seconds = best_of(repeat, fn)
        print(f"torch {task} n={n}: {seconds:.6f} s", flush=True)
        results.append({"peer": "torch", "task": task, "n": n, "seconds": seconds})


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3, help="runs per task; the best is reported")
    ap.add_argument("--sympy-max", type=int, default=200, help="largest n for sympy's Jacobian and gradient")
    ap.add_argument("--symengine-max", type=int, default=1000, help="largest n for symengine's")
    ap.add_argument("--json", help="also write the results as JSON to this file")
    args = ap.parse_args()

    results = []
    for name, limit in [("sympy", args.sympy_max), ("symengine", args.symengine_max)]:
        try:
            mod = importlib.import_module(name)
        except ImportError:
            print(f"{name}: not installed, skipped")
            continue
        symbolic_tasks(mod, name, limit, args.repeat, results)
    try:
        torch = importlib.import_module("torch")
        torch_tasks(torch, args.repeat, results)
    except ImportError:
        print("torch: not installed, skipped")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
