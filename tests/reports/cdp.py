"""Headless Chromium driven through the DevTools protocol: a page loaded as a phone loads it
(device metrics emulated before the page loads, not a resized window), then a script run in it.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from typing import Any

import websockets

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _run(ws_url: str, pages: list[str], width: int, script: str) -> list[Any]:
    async with websockets.connect(ws_url, max_size=None) as ws:
        n = 0

        async def call(method: str, **params: Any) -> dict:
            nonlocal n
            n += 1
            await ws.send(json.dumps({"id": n, "method": method, "params": params}))
            while True:
                msg = json.loads(await ws.recv())
                if msg.get("id") == n:
                    if "error" in msg:
                        raise RuntimeError(f"{method}: {msg['error']}")
                    return msg.get("result", {})

        await call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=844,
            deviceScaleFactor=3 if width < 600 else 1,
            mobile=width < 600,
        )
        await call("Page.enable")
        out = []
        for url in pages:
            await call("Page.navigate", url=url)
            # wait until every chart drew (or the page has none), at most 20 s
            for _ in range(100):
                ready = await call(
                    "Runtime.evaluate",
                    expression="document.readyState === 'complete' && "
                    "[...document.querySelectorAll('div.chart')].every("
                    "d => d.dataset.rendered || d.dataset.error)",
                    returnByValue=True,
                )
                if ready.get("result", {}).get("value"):
                    break
                await asyncio.sleep(0.2)
            await asyncio.sleep(0.5)  # responsive relayout after the first draw
            res = await call("Runtime.evaluate", expression=script, returnByValue=True)
            out.append(res.get("result", {}).get("value"))
        return out


def evaluate_pages(pages: list[str], width: int, script: str) -> list[Any]:
    """Load each page at ``width`` CSS pixels (a phone below 600) and return ``script``'s value."""
    assert CHROMIUM, "Debian chromium is missing: `make test` installs it"
    port = _free_port()
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as profile:
        proc = subprocess.Popen(
            [
                CHROMIUM,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--remote-debugging-port={port}",
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            tabs = None
            for _ in range(100):
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json") as r:
                        tabs = json.load(r)
                    break
                except OSError:
                    time.sleep(0.1)
            assert tabs, "Chromium's DevTools endpoint did not answer"
            ws_url = next(t for t in tabs if t["type"] == "page")["webSocketDebuggerUrl"]
            return asyncio.run(_run(ws_url, pages, width, script))
        finally:
            proc.kill()
            proc.wait()
