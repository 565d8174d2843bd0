#!/usr/bin/env python3
"""Replays sa-storage-kit test vectors (docs/protocol.md, "Test vectors") against the Python
example backend, in process, without Node:

    npx sa-storage-kit vectors --out vectors.json
    python3 examples/python/run_vectors.py vectors.json

Exit code 0 when every step gives the expected answer, 1 otherwise (each mismatch is listed).
"""
import json
import sys

import backend


def same(a, b):
    """JSON equality: true is not 1, 1 is 1.0, lists and objects compare item by item."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def replay(case):
    """The mismatches of one case, replayed on a fresh server."""
    server = backend.Server()
    handles = [server.handle({"op": "open", "namespace": namespace}) for namespace in case["stores"]]
    mismatches = []
    for index, step in enumerate(case["steps"]):
        request = dict(step["request"], store=handles[step["store"]])
        expect = step["expect"]
        try:
            got = {"result": server.handle(request)}
            if expect.get("unordered"):
                got = {"result": sorted(got["result"]), "unordered": True}
                expect = dict(expect, result=sorted(expect["result"]))
        except backend.StorageError as error:
            got = {"error": error.kind}
        if not same(got, expect):
            shown = json.dumps(step["request"])[:160]
            mismatches.append(f"step {index} {shown}: expected {json.dumps(expect)[:160]}, got {json.dumps(got)[:160]}")
    return mismatches


def main(path):
    with open(path, encoding="utf-8") as file:
        vectors = json.load(file)
    if vectors.get("format") != "sa-storage-kit/vectors" or vectors.get("version") != 1:
        sys.exit(f"{path}: not sa-storage-kit vectors version 1")
    failed = 0
    steps = 0
    for case in vectors["cases"]:
        steps += len(case["steps"])
        mismatches = replay(case)
        if mismatches:
            failed += 1
            print(f"FAIL {case['rule']} {case['title']}")
            for line in mismatches[:3]:
                print(f"  {line}")
    print(f"{len(vectors['cases'])} cases, {steps} steps (seed {vectors['seed']}): "
          + ("every answer agrees" if failed == 0 else f"{failed} case(s) disagree"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
