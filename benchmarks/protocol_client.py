"""A student's tab without the browser: Streamlit's own WebSocket protocol, spoken from Python.

A load run on one machine cannot hold thirty real Chromium tabs beside the server: on two
cores, ten tabs alone took 5-10 s to load before anyone pressed Play, and a run of thirty
did not finish within 25 minutes. In a class every browser runs on its student's own
machine. So `benchmarks/classroom.py` runs most of a class as these clients, which ask the
server for exactly what a tab asks for (the page run when it opens, the live views'
timed reruns the page requests with `run_every`, a click on Play or Pause) and skip the
drawing, and keeps a few real tabs to time what a student sees.

What a client reads back: the "Step" metric and the status line ("Training…", "Queued…",
"Paused."), from the page's deltas. Nothing here asserts; the classroom script prints.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState, WidgetStates

RUN_CONTROLS_KEY = "run_controls"
SIDEBAR_ROOT = 1  # the first index of a delta path: 0 is the main area, 1 the sidebar


@dataclass
class ProtocolClient:
    """One browser session of the app at `url` (http://host:port), driven over its socket."""

    url: str
    query: str = ""  # the address's query string, as a link gives it ("hide=seed")
    step: int | None = None  # the Step metric, as last drawn
    first_step_at: float | None = None  # perf_counter when it first drew a Step above 0
    status: str = ""  # the status line, as last drawn
    page_loaded: float | None = None  # seconds from connecting to the first full run's end
    errors: list[str] = field(default_factory=list)
    # What a browser's message cache would hold: the hashes of the messages marked cacheable.
    # With claim_cached, every rerun tells the server the tab holds them all (as a browser
    # does with the messages it keeps); references counts the messages that came back as a
    # reference to one of them instead of in full.
    claim_cached: bool = False
    cached: set[str] = field(default_factory=set)
    references: int = 0
    # The elements sent since the last full run began, in the order the server sent them
    # (that run's, then any fragment reruns'): ("main" or "sidebar", the element's kind, and
    # the text of a Markdown element such as a caption, else "").
    run_order: list[tuple[str, str, str]] = field(default_factory=list)
    _socket: object = None
    _page_hash: str = ""
    _controls_id: str | None = None
    _widgets: dict[str, str] = field(default_factory=dict)  # widget id: JSON value sent
    _timers: dict[str, asyncio.Task] = field(default_factory=dict)  # fragment id: rerun loop
    _clicks: int = 0
    _full_run_done: asyncio.Event = field(default_factory=asyncio.Event)
    _reader: asyncio.Task | None = None

    async def open(self, timeout: float = 120.0) -> float:
        """Connect and run the page, as a new tab does; the seconds until it was drawn."""
        started = time.perf_counter()
        address = self.url.replace("http://", "ws://") + "/_stcore/stream"
        self._socket = await websockets.connect(
            address, subprotocols=["streamlit"], max_size=None, open_timeout=timeout,
            origin=self.url,
        )  # fmt: skip
        self._reader = asyncio.create_task(self._read())
        self._full_run_done.clear()
        await self._rerun()
        await asyncio.wait_for(self._full_run_done.wait(), timeout)
        self.page_loaded = time.perf_counter() - started
        return self.page_loaded

    async def click(self, action: str, timeout: float = 120.0) -> float:
        """Press Play or Pause ("play", "pause") as the page's run buttons send it; the seconds
        until the page run that handles it has finished."""
        if self._controls_id is None:
            raise RuntimeError("the page has not drawn its run buttons")
        self._clicks += 1
        self._widgets[self._controls_id] = json.dumps(
            {"click": {"action": action, "id": self._clicks}}
        )
        started = time.perf_counter()
        self._full_run_done.clear()
        await self._rerun()
        await asyncio.wait_for(self._full_run_done.wait(), timeout)
        return time.perf_counter() - started

    async def close(self) -> None:
        for task in self._timers.values():
            task.cancel()
        self._timers.clear()
        if self._socket is not None:
            await self._socket.close()
        if self._reader is not None:
            self._reader.cancel()

    # -- the protocol ---------------------------------------------------------------------

    async def _rerun(self, fragment_id: str = "") -> None:
        states = WidgetStates(
            widgets=[WidgetState(id=key, json_value=value) for key, value in self._widgets.items()]
        )
        message = BackMsg(
            rerun_script=ClientState(
                query_string=self.query, widget_states=states,
                page_script_hash=self._page_hash,
                fragment_id=fragment_id,
                cached_message_hashes=sorted(self.cached) if self.claim_cached else [],
            )
        )  # fmt: skip
        await self._socket.send(message.SerializeToString())

    async def _every(self, fragment_id: str, interval: float) -> None:
        """What the page does for a fragment with `run_every`: ask for its rerun each time."""
        while True:
            await asyncio.sleep(interval)
            await self._rerun(fragment_id)

    async def _read(self) -> None:
        try:
            async for raw in self._socket:
                message = ForwardMsg()
                message.ParseFromString(raw)
                self._handle(message)
        except (websockets.ConnectionClosed, asyncio.CancelledError):
            return
        except Exception as error:  # a benchmark reports, it does not stop
            self.errors.append(f"{type(error).__name__}: {error}")

    def _handle(self, message: ForwardMsg) -> None:
        kind = message.WhichOneof("type")
        if message.metadata.cacheable and message.hash:
            self.cached.add(message.hash)
        if kind == "ref_hash":
            self.references += 1
        if kind == "new_session":
            if message.new_session.page_script_hash:
                self._page_hash = message.new_session.page_script_hash
            if not message.metadata.run.fragment_ids:
                # A full run starts: its fragments announce their timers afresh.
                for task in self._timers.values():
                    task.cancel()
                self._timers.clear()
                self.run_order = []
        elif kind == "auto_rerun":
            fragment_id = message.auto_rerun.fragment_id
            if fragment_id not in self._timers:
                self._timers[fragment_id] = asyncio.create_task(
                    self._every(fragment_id, message.auto_rerun.interval)
                )
        elif kind == "delta":
            self._read_delta(message.delta)
            if message.delta.WhichOneof("type") == "new_element":
                path = message.metadata.delta_path
                root = "sidebar" if path and path[0] == SIDEBAR_ROOT else "main"
                element = message.delta.new_element
                text = element.markdown.body if element.WhichOneof("type") == "markdown" else ""
                self.run_order.append((root, element.WhichOneof("type"), text))
        elif kind == "script_finished":
            status = message.script_finished
            if status in (ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR):
                self._full_run_done.set()

    def _read_delta(self, delta) -> None:
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind == "metric" and element.metric.label == "Step":
            try:
                self.step = int(element.metric.body.replace(",", ""))
                if self.step > 0 and self.first_step_at is None:
                    self.first_step_at = time.perf_counter()
            except ValueError:
                pass
        elif kind == "markdown" and element.markdown.element_type == element.markdown.CAPTION:
            body = element.markdown.body
            if any(word in body for word in ("Training…", "Queued", "Paused.")):
                self.status = body
        elif kind == "bidi_component" and element.bidi_component.id.endswith(
            "-" + RUN_CONTROLS_KEY
        ):
            self._controls_id = element.bidi_component.id
        elif kind == "exception":
            self.errors.append(element.exception.message)
