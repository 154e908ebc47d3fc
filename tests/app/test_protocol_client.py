"""The classroom benchmark's protocol client against a real server: it must see what a tab
sees (the page, Play, the live views' redraws, Pause), or the load figures mean nothing."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from benchmarks.protocol_client import ProtocolClient


def test_a_protocol_client_plays_sees_the_live_redraws_and_pauses(app_server):
    async def student() -> None:
        client = ProtocolClient(app_server)
        try:
            await client.open(timeout=120)
            assert client.step == 0 and "Paused." in client.status
            await client.click("play")
            assert "Training…" in client.status
            for _ in range(100):  # the live view's timed reruns bring new step counts
                await asyncio.sleep(0.1)
                if client.step and client.step > 100:
                    break
            assert client.step > 100, client.step
            await client.click("pause")
            assert "Paused." in client.status
            assert client.errors == []
        finally:
            await client.close()

    # A thread of its own: the browser tests' Playwright keeps an event loop in this one.
    with ThreadPoolExecutor(max_workers=1) as thread:
        thread.submit(lambda: asyncio.run(student())).result()
