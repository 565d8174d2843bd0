#!/usr/bin/env python3
"""A SaStorage backend in Python (standard library only), speaking the sa-storage-kit process
protocol 1 on stdin/stdout (docs/protocol.md). Check it with:

    npx sa-storage-kit check --exec "python3 examples/python/backend.py"

SA_EXAMPLE_BUG=ttl-boundary switches on a one-line bug (a key dies at its deadline instead of
1 ms after it) that the kit reports as TTL-02.
"""
import json
import math
import os
import re
import sys
import time

PROTOCOL = 1
MAX_TTL_MS = 10**15
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
CANONICAL_INT = re.compile(r"(?:0|-?[1-9][0-9]{0,18})\Z")
BUG = os.environ.get("SA_EXAMPLE_BUG", "")

sys.setrecursionlimit(10_000)  # the glob recurses once per '*' (at most 1000, as Redis)


class StorageError(Exception):
    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind
        self.message = message


def check_string(value, role):
    if not isinstance(value, str):
        raise StorageError("SerializationError", f"{role} must be a string")
    return value


def check_ttl(ttl, required):
    """None means persistent (set/mset); a TTL must be a number in (0, 10^15], fractions round up."""
    if ttl is None and not required:
        return None
    if isinstance(ttl, bool) or not isinstance(ttl, (int, float)) or not math.isfinite(ttl) or ttl <= 0 or ttl > MAX_TTL_MS:
        raise StorageError("OperationFailed", f"ttl must be a number of milliseconds in (0, 1e15], got {ttl!r}")
    return math.ceil(ttl)


# --- Redis KEYS glob on UTF-8 bytes: a port of stringmatchlen (Redis 7.0 src/util.c) -------------

def _signed(b):
    return b if b < 0x80 else b - 0x100


def _match(p, pi, s, si, state, nesting):
    if nesting > 1000:
        return False
    plen, slen = len(p), len(s)
    at = lambda i: p[i] if i < plen else 0  # C reads the NUL terminator past the end
    while pi < plen and si < slen:
        c = p[pi]
        if c == 0x2A:  # '*'
            while pi < plen and at(pi + 1) == 0x2A:
                pi += 1
            if plen - pi == 1:
                return True
            while si < slen:
                if _match(p, pi + 1, s, si, state, nesting + 1):
                    return True
                if state[0]:
                    return False
                si += 1
            state[0] = True
            return False
        if c == 0x3F:  # '?'
            si += 1
        elif c == 0x5B:  # '['
            pi += 1
            negate = at(pi) == 0x5E
            if negate:
                pi += 1
            k = s[si]
            matched = False
            while True:
                if at(pi) == 0x5C and plen - pi >= 2:
                    pi += 1
                    if at(pi) == k:
                        matched = True
                elif at(pi) == 0x5D:
                    break
                elif pi >= plen:
                    pi -= 1
                    break
                elif plen - pi >= 3 and at(pi + 1) == 0x2D:
                    lo, hi = _signed(at(pi)), _signed(at(pi + 2))
                    if lo > hi:
                        lo, hi = hi, lo
                    pi += 2
                    if lo <= _signed(k) <= hi:
                        matched = True
                elif at(pi) == k:
                    matched = True
                pi += 1
            if negate:
                matched = not matched
            if not matched:
                return False
            si += 1
        else:
            if c == 0x5C and plen - pi >= 2:
                pi += 1
            if at(pi) != s[si]:
                return False
            si += 1
        pi += 1
        if si == slen:
            while at(pi) == 0x2A:
                pi += 1
            break
    return pi >= plen and si == slen


def glob_matches(pattern, key):
    if pattern.strip("*") == "":  # only stars: every key, the empty key included ("" matches only "")
        return pattern != "" or key == ""
    if key == "":
        return False
    return _match(pattern.encode("utf-8"), 0, key.encode("utf-8"), 0, [False], 0)


# --- One store: key -> (value, deadline or None) ------------------------------------------------

class Store:
    def __init__(self):
        self.entries = {}

    def live(self, key, now):
        entry = self.entries.get(key)
        if entry is None:
            return None
        deadline = entry[1]
        expired = deadline is not None and (now >= deadline if BUG == "ttl-boundary" else now > deadline)
        if expired:
            del self.entries[key]
            return None
        return entry

    def step(self, key, delta, now):
        entry = self.live(key, now)
        current = 0
        if entry is not None:
            if not CANONICAL_INT.match(entry[0]) or not INT64_MIN <= int(entry[0]) <= INT64_MAX:
                raise StorageError("SerializationError", f"value of {key!r} is not a canonical 64-bit integer")
            current = int(entry[0])
        result = current + delta
        if not INT64_MIN <= result <= INT64_MAX:
            raise StorageError("OperationFailed", f"counter {key!r} would overflow 64 bits")
        self.entries[key] = (str(result), entry[1] if entry is not None else None)
        return result


def run(store, request, now):
    op = request.get("op")
    if op == "get":
        entry = store.live(check_string(request.get("key"), "key"), now)
        return None if entry is None else entry[0]
    if op == "set":
        key = check_string(request.get("key"), "key")
        value = check_string(request.get("value"), "value")
        ttl = check_ttl(request.get("ttl"), False)
        store.entries[key] = (value, None if ttl is None else now + ttl)
        return None
    if op == "delete":
        store.entries.pop(check_string(request.get("key"), "key"), None)
        return None
    if op == "exists":
        return store.live(check_string(request.get("key"), "key"), now) is not None
    if op == "expire":
        key = check_string(request.get("key"), "key")
        ttl = check_ttl(request.get("ttl"), True)
        entry = store.live(key, now)
        if entry is not None:
            store.entries[key] = (entry[0], now + ttl)
        return None
    if op == "ttl":
        entry = store.live(check_string(request.get("key"), "key"), now)
        return None if entry is None or entry[1] is None else entry[1] - now
    if op == "clear":
        store.entries.clear()
        return None
    if op == "mget":
        keys = [check_string(k, "key") for k in request.get("keys")]
        return [None if (e := store.live(k, now)) is None else e[0] for k in keys]
    if op == "mset":
        items = [(check_string(k, "key"), check_string(v, "value")) for k, v in request.get("items")]
        ttl = check_ttl(request.get("ttl"), False)
        for key, value in items:
            store.entries[key] = (value, None if ttl is None else now + ttl)
        return None
    if op == "mdel":
        for key in [check_string(k, "key") for k in request.get("keys")]:
            store.entries.pop(key, None)
        return None
    if op == "incr":
        return store.step(check_string(request.get("key"), "key"), 1, now)
    if op == "decr":
        return store.step(check_string(request.get("key"), "key"), -1, now)
    if op == "keys":
        pattern = check_string(request.get("pattern"), "pattern")
        return [k for k in list(store.entries) if store.live(k, now) is not None and glob_matches(pattern, k)]
    raise StorageError("InternalError", f"unknown op {op!r}")


class Server:
    """Stores opened for one namespace share their data, until the last one is closed."""

    def __init__(self):
        self.namespaces = {}  # namespace -> [Store, open handles]
        self.handles = {}  # handle -> namespace
        self.next_handle = 1

    def handle(self, request):
        op = request.get("op")
        if op == "hello":
            return {"protocol": PROTOCOL, "name": "python example"}
        if op == "open":
            namespace = request["namespace"]
            shared = self.namespaces.setdefault(namespace, [Store(), 0])
            shared[1] += 1
            handle = f"h{self.next_handle}"
            self.next_handle += 1
            self.handles[handle] = namespace
            return handle
        if op == "close":
            namespace = self.handles.pop(request.get("store"), None)
            if namespace is not None:
                self.namespaces[namespace][1] -= 1
                if self.namespaces[namespace][1] == 0:
                    del self.namespaces[namespace]
            return None
        namespace = self.handles.get(request.get("store"))
        if namespace is None:
            raise StorageError("InternalError", f"unknown store {request.get('store')!r}")
        now = request.get("now")
        return run(self.namespaces[namespace][0], request, time.time_ns() // 1_000_000 if now is None else now)


def answer(server, line):
    request = json.loads(line)
    try:
        response = {"id": request["id"], "result": server.handle(request)}
    except StorageError as error:
        response = {"id": request["id"], "error": {"kind": error.kind, "message": error.message}}
    except (TypeError, KeyError, AttributeError, ValueError) as error:
        response = {"id": request["id"], "error": {"kind": "SerializationError", "message": f"malformed request: {error}"}}
    return json.dumps(response).encode("ascii") + b"\n"


def main():
    server = Server()
    out = sys.stdout.buffer
    print("python example backend: ready", file=sys.stderr, flush=True)
    pending = b""
    while True:
        # Everything that has arrived is answered, then flushed once: one write per burst.
        chunk = os.read(0, 1 << 16)
        if not chunk:
            break
        *lines, pending = (pending + chunk).split(b"\n")
        out.write(b"".join(answer(server, line) for line in lines if line.strip()))
        out.flush()


if __name__ == "__main__":
    main()
