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


def test_the_server_sends_every_message_in_full_never_a_reference_to_one_the_tab_may_have_dropped(
    app_server,
):
    """Streamlit can send a large element as a reference to a copy the browser said it keeps;
    a browser that dropped that copy meanwhile (the live views rerun every second, and copies
    expire by runs) shows "Connection error: Cached ForwardMsg MISS" over the whole page, for
    good. The app turns that cache off (.streamlit/config.toml), so a tab that claims to hold
    every message still gets each one in full: on opening, after Play, and in the live views'
    redraws."""

    async def student() -> None:
        client = ProtocolClient(app_server, claim_cached=True)
        try:
            await client.open(timeout=120)
            await client.click("play")
            for _ in range(30):  # about three seconds of the live views' timed reruns
                await asyncio.sleep(0.1)
            await client.click("pause")
            await client.click("step")  # a paused page's charts are unchanged: cacheable ones
            assert client.step is not None and client.step > 0
            assert client.references == 0, f"{client.references} references to cached messages"
            assert client.cached == set(), f"{len(client.cached)} messages marked cacheable"
            assert client.errors == []
        finally:
            await client.close()

    with ThreadPoolExecutor(max_workers=1) as thread:
        thread.submit(lambda: asyncio.run(student())).result()


def test_pause_shows_paused_before_the_sidebar_is_sent(app_server):
    """A page's messages reach the browser in the order the page draws them, one at a time
    and behind every other tab's: the Playground draws its run controls and status line
    before the sidebar's forty or so elements, so with a class playing a click on Pause
    shows "Paused." without waiting for them. (A lesson link opens every section of the
    sidebar: here it hides one control, so the sidebar holds all the others.)"""

    async def student() -> None:
        client = ProtocolClient(app_server, query="hide=seed")
        try:
            await client.open(timeout=120)
            await client.click("play")
            await asyncio.sleep(1.0)
            await client.click("pause")
            order = client.run_order
            paused = [i for i, (_, _, text) in enumerate(order) if "Paused." in text]
            sidebar = [i for i, (root, _, _) in enumerate(order) if root == "sidebar"]
            assert paused and sidebar, order
            assert paused[0] < sidebar[0], (paused[0], sidebar[0])
            assert paused[0] < 20, f"{paused[0]} elements before the status line"
            assert len(sidebar) > 20  # the whole sidebar is still drawn, after
        finally:
            await client.close()

    with ThreadPoolExecutor(max_workers=1) as thread:
        thread.submit(lambda: asyncio.run(student())).result()
