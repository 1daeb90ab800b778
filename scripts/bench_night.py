#!/usr/bin/env python3
"""Election night: many hot articles, with and without a story published every second.

usage: bench_night.py URL BIN DATA PATHS SECONDS [EMAIL PASSWORD]
Warms every article in the file PATHS (one /story/... per line) with Brotli, reports the page
cache's memory per page from /metrics, then runs wrk (-t2 -c32, on core 0) spreading requests
over all of them: a quiet round, then a round in which `BIN --data DATA import ninjs` publishes
one new story a second, and with EMAIL and PASSWORD (an editor's) a round in which the editor
publishes one a second through the admin over HTTP. During the publishing rounds every 0.1 s one hot article is fetched and
the newest story in its `Latest` rail compared with what had been published by then: the lag
is how long a reader was shown an older `Latest` than the newest publication (0 when current).
Every loop is bounded by SECONDS; 127.0.0.1 only."""
import http.client, json, os, re, subprocess, sys, tempfile, threading, time, urllib.parse, urllib.request

LUA = """
local paths = {}
for line in io.lines(os.getenv("NIGHT_PATHS")) do paths[#paths + 1] = line end
local i = 0
wrk.headers["Accept-Encoding"] = "br"
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
"""

def misses(url, paths):
    """Asks every path once on one kept-alive connection (each answer a miss, rendered and
    compressed); the times as the client saw them, sorted. A cached page answers the same
    client in about 0.1 ms (bench_finding.py), so the rest is the server's."""
    conn = http.client.HTTPConnection(urllib.parse.urlsplit(url).netloc, timeout=30)
    times = []
    for path in paths:
        asked = time.perf_counter()
        conn.request("GET", path, headers={"Accept-Encoding": "br"})
        conn.getresponse().read()
        times.append(time.perf_counter() - asked)
    conn.close()
    return sorted(times)


def fetch(url, brotli=False):
    request = urllib.request.Request(url, headers={"Accept-Encoding": "br"} if brotli else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.read()


def metric(url, name):
    for line in fetch(url + "/metrics").decode().splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return 0.0


def wrk(url, paths_file, seconds):
    env = dict(os.environ, NIGHT_PATHS=paths_file)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA)
    out = subprocess.run(
        ["taskset", "-c", "0", "wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", "-s", script.name, url],
        capture_output=True, text=True, env=env, timeout=seconds + 60).stdout
    os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    lat = {p: re.search(rf"\s{p}%\s+([\d.]+\w+)", out).group(1) for p in ("50", "99")}
    return rps, lat["50"], lat["99"]


def publisher(bin_path, data, seconds, published, stop):
    """One story a second through the CLI, each newer than any before; (number, time)."""
    folder = tempfile.mkdtemp()
    first, start = len(published), time.time()
    k = first
    while time.time() - start < seconds and not stop.is_set():
        k += 1
        when = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        item = {"uri": f"urn:bench:night:{k}:{start}", "type": "text", "version": "1", "language": "en",
                "firstcreated": when, "versioncreated": when, "by": "Night Desk",
                "headlines": [{"role": "main", "value": f"Night result number {k} declared"}],
                "bodies": [{"role": "richtext", "contenttype": "text/html",
                            "value": f"<p>Result {k} of the night.</p>"}]}
        path = os.path.join(folder, f"night-{k}.json")
        with open(path, "w") as f:
            json.dump(item, f)
        subprocess.run([bin_path, "--data", data, "import", "ninjs", path],
                       capture_output=True, check=True, timeout=30)
        published.append((k, time.time()))
        time.sleep(max(0.0, start + k - first - time.time()))


def http_publisher(url, email, password):
    """One story a second written and published by an editor through the admin over HTTP."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from bench_publish import sign_in

    def publish(seconds, published, stop):
        editor, csrf = sign_in(url, email, password)
        first, start = len(published), time.time()
        k = first
        while time.time() - start < seconds and not stop.is_set():
            k += 1
            status, headers, _ = editor.request("POST", "/admin/stories", {
                "csrf": csrf, "headline": f"Night result number {k} declared",
                "body": f"Result {k} of the night.", "body_format": "markdown",
                "authors": "Night Desk"})
            assert status == 303, status
            story = dict((h.lower(), v) for h, v in headers)["location"].rsplit("/", 1)[1]
            status, _, _ = editor.request("POST", f"/admin/stories/{story}/status",
                                          {"csrf": csrf, "action": "publish", "at": ""})
            assert status == 303, status
            published.append((k, time.time()))
            time.sleep(max(0.0, start + k - first - time.time()))
    return publish


def sampler(url, paths, seconds, published, lags, stop):
    start, i = time.time(), 0
    while time.time() - start < seconds and not stop.is_set():
        i += 1
        asked = time.time()
        page = fetch(url + paths[i * 7919 % len(paths)]).decode()
        rail = page.split('id="latest-title"', 1)[-1]
        shown = re.search(r"Night result number (\d+) declared", rail)
        shown = int(shown.group(1)) if shown else 0
        newer = [at for k, at in list(published) if k > shown]
        lags.append(max(0.0, asked - min(newer)) if newer else 0.0)
        time.sleep(0.1)


def main():
    url, bin_path, data, paths_file, seconds = sys.argv[1:6]
    seconds = int(seconds)
    paths = [p.strip() for p in open(paths_file) if p.strip()]
    warm_start = time.time()
    missed = misses(url, paths)
    pages = metric(url, "byline_page_cache_pages")
    held = metric(url, "byline_page_cache_bytes")
    print(f"hot articles: {len(paths)} warmed in {time.time() - warm_start:.1f} s; cache holds "
          f"{pages:.0f} pages in {held / 2**20:.1f} MB ({held / max(pages, 1) / 1024:.1f} KB a page)")
    print(f"article misses (first request of each on one kept-alive connection): "
          f"p50 {missed[len(missed) // 2] * 1000:.2f} ms, p99 {missed[len(missed) * 99 // 100] * 1000:.2f} ms")
    quiet = wrk(url, paths_file, seconds)
    print(f"quiet:      {quiet[0]:>9.0f} requests/s, p50 {quiet[1]}, p99 {quiet[2]}")
    published = []
    rounds = [("CLI", lambda seconds, done, stop: publisher(bin_path, data, seconds, done, stop))]
    if len(sys.argv) > 7:
        rounds.append(("admin", http_publisher(url, sys.argv[6], sys.argv[7])))
    for name, publish in rounds:
        publishing_round(url, paths, paths_file, seconds, name, publish, published, quiet[0])


def publishing_round(url, paths, paths_file, seconds, name, publish, published, quiet_rps):
    """wrk over the hot articles while `publish` adds a story a second; the Latest lag."""
    lags, stop, before = [], threading.Event(), len(published)
    threads = [threading.Thread(target=publish, args=(seconds, published, stop)),
               threading.Thread(target=sampler, args=(url, paths, seconds, published, lags, stop))]
    for t in threads:
        t.start()
    try:
        busy = wrk(url, paths_file, seconds)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
    lags.sort()
    p = lambda q: lags[min(len(lags) - 1, int(q * len(lags)))] if lags else float("nan")
    print(f"publishing ({name}): {busy[0]:>9.0f} requests/s, p50 {busy[1]}, p99 {busy[2]} "
          f"({len(published) - before} stories in {seconds} s, ratio {busy[0] / quiet_rps:.2f})")
    print(f"  Latest lag over {len(lags)} samples: p50 {p(0.5) * 1000:.0f} ms, "
          f"p99 {p(0.99) * 1000:.0f} ms, max {lags[-1] * 1000 if lags else float('nan'):.0f} ms")


if __name__ == "__main__":
    main()
