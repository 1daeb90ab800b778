#!/usr/bin/env python3
"""Times feeds, sitemaps, deep listing pages and archive days on a running Byline: each URL's
first request (cold: rendered from the store) and then REPEAT requests on one connection (cached),
with the server's resident and peak memory before and after.

usage: bench_finding.py BASE_URL SERVER_PID [REPEAT]"""
import http.client
import re
import statistics
import sys
import time
from urllib.parse import urlsplit


def memory(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                fields[name] = int(value.split()[0]) // 1024
    return f"resident {fields['VmRSS']} MB, peak {fields['VmHWM']} MB"


def main():
    base, pid = sys.argv[1], int(sys.argv[2])
    repeat = int(sys.argv[3]) if len(sys.argv) > 3 else 200
    host = urlsplit(base).netloc
    conn = http.client.HTTPConnection(host, timeout=60)

    def get(path, coding="br, gzip"):
        started = time.perf_counter()
        conn.request("GET", path, headers={"accept-encoding": coding})
        response = conn.getresponse()
        body = response.read()
        return time.perf_counter() - started, response.status, body

    print(f"before: {memory(pid)}")
    conn.request("GET", "/latest?page=2")
    second = conn.getresponse().read().decode()
    last = int(re.search(r"\(page 2 of (\d+)\)", second).group(1))
    index_cold, _, index = get("/sitemap.xml", "identity")
    index = index.decode()
    months = re.findall(r"<loc>[^<]*(/sitemaps/stories-[0-9-]+\.xml)</loc>", index)
    archive_cold, _, archive = get("/archive", "identity")
    years = re.findall(r'href="(/archive/\d{4})"', archive.decode())
    conn.request("GET", years[-1])
    months_of_year = re.findall(r'href="(/archive/\d{4}/\d{2})"', conn.getresponse().read().decode())
    month = months_of_year[-1]
    conn.request("GET", month)
    day = re.findall(r'href="(/archive/\d{4}/\d{2}/\d{2})"', conn.getresponse().read().decode())[-1]
    deep = []
    for kind in ("tags", "authors"):
        conn.request("GET", f"/sitemaps/{kind}.xml")
        named = re.search(r"<loc>[^<]*(/(?:tag|author)/[^<]+)</loc>", conn.getresponse().read().decode())
        if named:
            conn.request("GET", f"{named.group(1)}?page=2")
            found = re.search(r"\(page 2 of (\d+)\)", conn.getresponse().read().decode())
            pages = int(found.group(1)) if found else 1
            deep += [f"{named.group(1)}?page={pages}", f"{named.group(1)}?page={max(pages // 2, 1)}"]
    # bench-finding files every story under the section `news`.
    conn.request("GET", "/section/news?page=2")
    found = re.search(r"\(page 2 of (\d+)\)", conn.getresponse().read().decode())
    if found:
        pages = int(found.group(1))
        deep += [f"/section/news?page={pages}", f"/section/news?page={max(pages // 2, 1)}"]
    conn.close()
    conn = http.client.HTTPConnection(host, timeout=60)
    urls = [
        "/sitemap.xml (index, cached)",
        months[len(months) // 2],
        "/sitemap-news.xml",
        "/feed.xml",
        "/atom.xml",
        "/feed.json",
        f"/latest?page={last}",
        f"/latest?page={last // 2}",
        day,
    ] + years[:-1][:1] + months_of_year[:-1][:1] + deep
    print(f"{len(months)} story sitemaps; /latest has {last} pages")
    print(f"/sitemap.xml: cold {index_cold * 1000:.1f} ms")
    print(f"/archive: cold {archive_cold * 1000:.1f} ms")
    for url in urls:
        path = url.split(" ")[0]
        cold, status, body = get(path)
        times = []
        for _ in range(repeat):
            t, _, _ = get(path)
            times.append(t)
        p50 = statistics.median(times) * 1000
        rate = repeat / sum(times)
        print(f"{url}: {status}, {len(body)} bytes compressed; cold {cold * 1000:.1f} ms; "
              f"cached p50 {p50:.2f} ms, {rate:.0f} req/s on one connection")
    print(f"after: {memory(pid)}")


main()
