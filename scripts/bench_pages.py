#!/usr/bin/env python3
"""Requests article pages one after another over a kept-alive connection and prints the
server's own handling time (from its JSON request log) and the client's latency, p50 and p99.
Usage: bench_pages.py BASE_URL IMPORT_LOG REQUESTS SERVER_LOG"""
import http.client, json, random, sys, time
from urllib.parse import urlparse


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def main():
    base, import_log, n, server_log = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    paths = [l.split()[2] for l in open(import_log) if l.startswith(("created", "updated"))]
    rng = random.Random(7)
    url = urlparse(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    client = []
    deadline = time.monotonic() + 120
    for _ in range(n):
        if time.monotonic() > deadline:
            break
        path = rng.choice(paths)
        t0 = time.perf_counter()
        conn.request("GET", path)
        body = conn.getresponse().read()
        client.append((time.perf_counter() - t0) * 1000)
        assert b"<h1>" in body, path
    time.sleep(0.2)
    server = []
    for line in open(server_log):
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        fields = entry.get("fields", {})
        if str(fields.get("path", "")).startswith("/story/"):
            server.append(fields["micros"] / 1000)
    print(f"article pages: {len(client)} requests, {len(paths)} stories in the store")
    print(f"  server render time: p50 {pct(server, 0.50):.2f} ms, p99 {pct(server, 0.99):.2f} ms")
    print(f"  client latency:     p50 {pct(client, 0.50):.2f} ms, p99 {pct(client, 0.99):.2f} ms")


if __name__ == "__main__":
    main()
