"""Students without a browser: Streamlit's own protocol over the websocket, as the page's JavaScript speaks it.

On a 2-core machine thirty real Chromium tabs cannot be simulated beside the
server: each interaction costs the browsers 4-5 s of CPU (plotting, layout,
KaTeX) against the server's ~0.15 s, so the machine drowns in browser work and
the figure measures the load generator, not the app. A socket student asks
the server for exactly what a browser asks for - a script run with its widget
values, on its page, in its fragment - reads every message the run sends
back, fetches the pictures it shows from /media/, and waits for "script
finished". It costs the server what a student costs it, and the load
generator a few milliseconds. The classroom bench mixes the two: a few real
browsers measure what a student sees while the rest of the class loads the
server.

A socket student uploads as the page's JavaScript does: it asks the session
for an upload address, PUTs the file there with the XSRF token (the cookie the
page set, sent back as a header), then reruns with the uploader's new value. In
the lesson script it picks another sample picture where a browser uploads;
``bench.uploads`` has a whole class upload at once.

A socket student can also train, as a student does in the training lesson: it
presses a button (a trigger sent with that one run only, as the page sends
it), and then reruns the fragments that rerun themselves (``st.fragment(run_every=...)``)
on their schedule, as the page's timers do: the server announces each such
fragment (an ``auto_rerun`` message), a full run stops the timers, and the
fragments that run draws announce theirs again. A student that stops polling
is a closed tab: its run stops by itself.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
import urllib.request
import uuid
from dataclasses import dataclass

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Common_pb2 import FileUploaderState, UploadedFileInfo
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState
from websockets.asyncio.client import connect

from cnnviz.i18n import t

FINISHED = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
            ForwardMsg.FINISHED_WITH_COMPILE_ERROR}
WIDGETS = ("slider", "selectbox", "radio", "number_input")


@dataclass
class Widget:
    kind: str
    proto: object             # the element's protobuf (Slider, Selectbox, ...)
    fragment_id: str          # "" outside a fragment


class SocketStudent:
    """One Streamlit session over one websocket; ``record`` is the classroom bench's Record."""

    def __init__(self, index: int, base: str, record, think: float, lang: str, timeout: float):
        self.index, self.base, self.record, self.think, self.lang = index, base, record, think, lang
        self.timeout = timeout
        self.random = random.Random(1000 + index)
        self.passes = 0
        self.pages: dict[str, str] = {}           # url path -> page script hash
        self.widgets: dict[str, Widget] = {}      # label -> the latest widget drawn with it
        self.controls: dict[str, Widget] = {}     # widget id -> every widget of the latest runs, whatever its kind
        self.tabs: dict[str, Widget] = {}         # tab label -> the tabs that hold it
        self._tab_container: Widget | None = None
        self.values: dict[str, WidgetState] = {}  # widget id -> the value this student gave it
        self.page_hash = ""
        self.media: list[str] = []                # the pictures of the latest run
        self.texts: list[str] = []                # what the latest run wrote (Markdown, formulas)
        self.alerts: list[str] = []               # the warnings and errors the latest run showed
        self.exceptions: list[str] = []
        self.runs = 0
        self.ran = asyncio.Event()
        self.upload_addresses: dict[str, asyncio.Future] = {}    # request id -> the server's FileURLs
        self.auto_reruns: dict[str, float] = {}   # fragment id -> seconds between the reruns the page asks for
        self.charts: dict[str, str] = {}          # a Plotly chart's key -> the figure (JSON) it was drawn with last

    async def __aenter__(self) -> SocketStudent:
        address = self.base.replace("http://", "ws://", 1) + "/_stcore/stream"
        self.socket = await connect(address, subprotocols=["streamlit"], max_size=None, open_timeout=self.timeout)
        # Behind a load balancer with sticky sessions, the cookie it sets keeps the pictures on this replica.
        cookie = self.socket.response.headers.get("Set-Cookie", "")
        self.cookie = cookie.split(";", 1)[0]
        self.reader = asyncio.ensure_future(self._read())
        return self

    async def __aexit__(self, *exc) -> None:
        self.reader.cancel()
        await self.socket.close()

    # -- what the server sends
    async def _read(self) -> None:
        try:
            async for frame in self.socket:
                self._message(ForwardMsg.FromString(frame))
        except asyncio.CancelledError:
            raise
        except Exception as error:                           # the connection dropped under the student
            self.record.error("disconnect", f"socket student {self.index}: {type(error).__name__}: {error}")

    def _message(self, message: ForwardMsg) -> None:
        kind = message.WhichOneof("type")
        if kind == "new_session" and not message.metadata.run.fragment_ids:
            self.auto_reruns = {}           # a full run: the page stops its timers; the run's fragments set theirs
        elif kind == "auto_rerun":
            self.auto_reruns[message.auto_rerun.fragment_id] = message.auto_rerun.interval
        elif kind == "stop_auto_rerun":
            for fragment_id in message.stop_auto_rerun.fragment_ids:
                self.auto_reruns.pop(fragment_id, None)
        elif kind == "navigation":
            self.pages = {page.url_pathname: page.page_script_hash for page in message.navigation.app_pages}
        elif kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            self._element(message.delta.new_element, message.delta.fragment_id)
        elif kind == "delta" and message.delta.WhichOneof("type") == "add_block":
            self._block(message.delta.add_block, message.delta.fragment_id)
        elif kind == "file_urls_response":
            waiting = self.upload_addresses.pop(message.file_urls_response.response_id, None)
            if waiting is not None and not waiting.done():
                waiting.set_result(message.file_urls_response.file_urls[0])
        elif kind == "script_finished" and message.script_finished in FINISHED:
            self.runs += 1
            self.ran.set()

    def _element(self, element, fragment_id: str) -> None:
        kind = element.WhichOneof("type")
        proto = getattr(element, kind)
        if getattr(proto, "id", ""):
            self.controls[proto.id] = Widget(kind, proto, fragment_id)
        if kind in WIDGETS:
            self.widgets[proto.label] = Widget(kind, proto, fragment_id)
        elif kind == "plotly_chart" and proto.id.count("-") >= 2:
            self.charts[proto.id.split("-", 2)[2]] = proto.spec      # the id: "$$ID-<hash of the figure>-<key>"
        elif kind == "alert":
            self.alerts.append(element.alert.body)
        elif kind == "markdown":
            self.texts.append(element.markdown.body)
        elif kind == "imgs":
            self.media += [image.url for image in element.imgs.imgs if image.url.startswith("/media/")]
        elif kind == "exception":
            self.exceptions.append(f"{element.exception.type}: {element.exception.message}"[:200])

    def _block(self, block, fragment_id: str) -> None:
        """Section tabs that track the open one are a widget: their container comes first, then a block
        per tab."""
        kind = block.WhichOneof("type")
        if kind in ("tab_container", "expandable") and getattr(block, kind).id:
            self.controls[getattr(block, kind).id] = Widget(kind, getattr(block, kind), fragment_id)
        if kind == "tab_container" and block.tab_container.id:
            self._tab_container = Widget("tabs", block.tab_container, fragment_id)
        elif kind == "tab" and self._tab_container is not None:
            self.tabs[block.tab.label] = self._tab_container

    # -- what a student does
    async def run(self, fragment_id: str = "", once: tuple[WidgetState, ...] = (), auto: bool = False) -> None:
        """Ask for a script run with this student's widget values (and ``once``: values for this run only, a
        button's trigger) and wait until it has finished; then fetch the pictures it showed, as the browser
        would. ``auto``: the rerun a fragment's timer asks for."""
        message = BackMsg()
        state = message.rerun_script
        state.query_string = f"lang={self.lang}"
        state.page_script_hash = self.page_hash
        state.fragment_id = fragment_id
        state.is_auto_rerun = auto
        sent = self.values | {value.id: value for value in once}
        state.widget_states.widgets.extend(sent.values())
        runs, self.media, self.texts, self.alerts = self.runs, [], [], []
        await self.socket.send(message.SerializeToString())
        deadline = time.monotonic() + self.timeout
        while self.runs <= runs:
            self.ran.clear()
            await asyncio.wait_for(self.ran.wait(), max(deadline - time.monotonic(), 0.001))
        await asyncio.gather(*(asyncio.to_thread(self._fetch, url) for url in self.media))

    def _fetch(self, url: str) -> None:
        try:
            request = urllib.request.Request(self.base + url, headers=self._cookies())
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                answer.read()
        except OSError as error:
            self.record.error("media failed", f"{error}: {url}")

    async def open(self, page: str) -> None:
        """Go to a lesson (``""``: the home page), as a click in the menu does. A session that has not
        seen the menu yet loads the app first, as a browser does."""
        if page and page not in self.pages:
            await self.run()
        if page and page not in self.pages:
            raise LookupError(f"the app has no page {page!r}")
        self.page_hash = self.pages.get(page, "") if page else ""
        self.widgets, self.tabs, self.values, self.controls, self.charts = {}, {}, {}, {}, {}
        await self.run()

    def _widget(self, label_key: str, kind: str) -> Widget:
        widget = self.widgets.get(t(label_key, self.lang))
        if widget is None or widget.kind != kind:
            raise LookupError(f"no {kind} labelled {t(label_key, self.lang)!r} on the page")
        return widget

    async def _set(self, widget: Widget, **value) -> None:
        state = WidgetState(id=widget.proto.id, **value)
        self.values[state.id] = state
        await self.run(widget.fragment_id)

    async def send(self, widget: Widget, **value) -> None:
        """A full rerun with any ``value`` for ``widget``, as a client of one's own making can send: a
        forged value may remove the fragment the widget was in."""
        self.values[widget.proto.id] = WidgetState(id=widget.proto.id, **value)
        await self.run()

    async def slide(self, label_key: str) -> None:
        """One notch up, or down when the slider is at its top."""
        widget = self._widget(label_key, "slider")
        proto, held = widget.proto, self.values.get(widget.proto.id)
        now = held.double_array_value.data[0] if held else proto.default[0]
        step = proto.step or 1
        await self._set(widget, double_array_value={"data": [now + step if now + step <= proto.max else now - step]})

    async def pick(self, label_key: str) -> None:
        """The next option of a select box."""
        widget = self._widget(label_key, "selectbox")
        options = widget.proto.options
        await self._set(widget, string_value=options[(self.passes + 1) % len(options)])

    async def choose(self, option_key: str) -> None:
        """The radio option labelled ``option_key``."""
        option = t(option_key, self.lang)
        widget = next((w for w in self.widgets.values() if w.kind == "radio" and option in w.proto.options), None)
        if widget is None:
            raise LookupError(f"no radio offers {option!r}")
        await self._set(widget, string_value=option)

    async def open_tab(self, label_key: str) -> None:
        """Click the tab labelled ``label_key``."""
        label = t(label_key, self.lang)
        if label not in self.tabs:
            raise LookupError(f"no tab labelled {label!r} on the page")
        await self._set(self.tabs[label], string_value=label)

    async def press(self, label_key: str) -> None:
        """Click the button labelled ``label_key``: its trigger goes with this one run, as the page sends it."""
        label = t(label_key, self.lang)
        widget = next((w for w in reversed(self.controls.values()) if w.kind == "button" and w.proto.label == label),
                      None)                                   # the latest drawn: a button's id can change
        if widget is None:
            raise LookupError(f"no button labelled {label!r} on the page")
        if widget.proto.disabled:
            raise LookupError(f"the button {label!r} is disabled")
        await self.run(widget.fragment_id, once=(WidgetState(id=widget.proto.id, trigger_value=True),))

    def chart(self, key: str) -> dict | None:
        """The figure the Plotly chart with ``key`` was drawn with last (None if there is none)."""
        spec = self.charts.get(key)
        return json.loads(spec) if spec else None

    async def follow(self, until: float, polled=lambda seconds: None) -> None:
        """Rerun the page's self-rerunning fragments as its timers do, until none is left (a full run drew
        none) or ``until`` (time.monotonic()); ``polled(seconds)`` after each rerun. The page's timer fires
        every ``interval`` s whether or not the last rerun has finished; here a rerun that takes longer
        than that delays the next one."""
        begun = time.monotonic()
        while self.auto_reruns:
            fragment_id, interval = next(iter(self.auto_reruns.items()))
            await asyncio.sleep(max(0.0, begun + interval - time.monotonic()))
            if time.monotonic() >= until:
                return
            if fragment_id not in self.auto_reruns:
                continue
            begun = time.monotonic()
            await self.run(fragment_id, auto=True)
            polled(time.monotonic() - begun)

    async def upload(self, label_key: str, name: str, data: bytes) -> None:
        """Give the file uploader labelled ``label_key`` a file, as the browser does: ask the session for an
        upload address, PUT the file there, rerun with the uploader's new value."""
        widget = next((w for w in self.controls.values()
                       if w.kind == "file_uploader" and w.proto.label == t(label_key, self.lang)), None)
        if widget is None:
            raise LookupError(f"no file uploader labelled {t(label_key, self.lang)!r} on the page")
        request = BackMsg()
        request.file_urls_request.request_id = str(uuid.uuid4())
        request.file_urls_request.file_names.append(name)
        answer = self.upload_addresses[request.file_urls_request.request_id] = asyncio.get_running_loop().create_future()
        await self.socket.send(request.SerializeToString())
        address = await asyncio.wait_for(answer, self.timeout)
        await asyncio.to_thread(self._put, address.upload_url, name, data)
        info = UploadedFileInfo(name=name, size=len(data), file_id=address.file_id, file_urls=address)
        await self._set(widget, file_uploader_state_value=FileUploaderState(uploaded_file_info=[info]))

    def _put(self, path: str, name: str, data: bytes) -> None:
        """The multipart PUT of one file, with the XSRF cookie the server sets (on its health check, which the
        page calls as it connects) and its token as a header."""
        with urllib.request.urlopen(urllib.request.Request(self.base + "/_stcore/health", headers=self._cookies()),
                                    timeout=self.timeout) as page:
            xsrf = next(c.split(";", 1)[0].split("=", 1)[1] for c in page.headers.get_all("Set-Cookie", [])
                        if c.startswith("_streamlit_xsrf="))
        boundary, filename = uuid.uuid4().hex, name.replace('"', "%22")      # the server takes this name
        body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
                f"Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        cookies = "; ".join(filter(None, [self.cookie, f"_streamlit_xsrf={xsrf}"]))
        request = urllib.request.Request(self.base + path, data=body, method="PUT", headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}", "X-Xsrftoken": xsrf, "Cookie": cookies})
        with urllib.request.urlopen(request, timeout=self.timeout) as answer:
            answer.read()

    def _cookies(self) -> dict:
        return {"Cookie": self.cookie} if self.cookie else {}

    async def type_number(self, label_key: str, value: float) -> None:
        await self._set(self._widget(label_key, "number_input"), double_value=value)

    async def lesson(self, steps: list, deadline: float) -> bool:
        """One pass through ``steps``; False when the deadline came first."""
        return await lesson_pass(self, steps, deadline, self.think)

    async def failure(self, step, error: Exception) -> str:
        return f"socket student {self.index}, {step.label}: {type(error).__name__}: {error}"

    async def check_page(self, step) -> None:
        if self.exceptions:
            self.record.error("exception shown", f"{step.label}: {self.exceptions[0]}")
            self.exceptions = []


async def lesson_pass(student, steps: list, deadline: float, think: float) -> bool:
    """One pass of either kind of student through ``steps`` (bench.classroom's Step), reading ``think``
    seconds on average between actions; False when the deadline came first. A failed step is noted and
    ends the pass. ``student`` has a record, a pass count, a random generator, ``failure`` and ``check_page``."""
    for step in steps:
        if time.monotonic() > deadline:
            return False
        start = time.perf_counter()
        try:
            await step.action(student)
        except Exception as error:                   # a timeout, a missing widget: note it, start over
            student.record.error("step failed", await student.failure(step, error))
            return True
        student.record.add(step, time.perf_counter() - start)
        await student.check_page(step)
        if think:
            await asyncio.sleep(student.random.uniform(0.5, 1.5) * think)
    student.passes += 1
    student.record.passes += 1
    return True


def lesson_steps() -> list[tuple[str, str, object]]:
    """(lesson, interaction, action) in the order of the browsers' lesson script (bench.classroom), each
    interaction named as there so the two kinds of student can be compared row by row. Playing an
    animation never reaches the server, so it has no counterpart here."""
    return [
        ("home", "open (page load)", lambda s: s.open("")),
        ("home", "units", lambda s: s.type_number("home.units", 100 * (1 + s.passes % 9))),
        ("convolution", "open", lambda s: s.open("convolution")),
        ("convolution", "stride slider", lambda s: s.slide("convolution.stride")),
        ("convolution", "dilation slider", lambda s: s.slide("convolution.dilation")),
        ("conv_arithmetic", "open", lambda s: s.open("conv_arithmetic")),
        ("conv_arithmetic", "pick a case", lambda s: s.pick("arithmetic.case")),
        ("pooling", "open", lambda s: s.open("pooling")),
        ("pooling", "side slider", lambda s: s.slide("pooling.side")),
        ("activations", "open", lambda s: s.open("activations")),
        ("activations", "pick sigmoid", lambda s: s.choose("activations.sigmoid")),
        ("filters", "open", lambda s: s.open("filters")),
        ("filters", "pick a sample", lambda s: s.pick("images.sample")),
        ("filters", "pick a filter", lambda s: s.pick("filters.filter")),
        ("channels", "open", lambda s: s.open("channels")),
        ("channels", "pick a sample", lambda s: s.pick("images.sample")),
        ("channels", "filter bank tab", lambda s: s.open_tab("channels.tab_bank")),
        ("channels", "filters slider", lambda s: s.slide("channels.filters")),
        ("channels", "back to the first tab", lambda s: s.open_tab("channels.tab_split")),
        ("feature_maps", "open (model runs)", lambda s: s.open("feature_maps")),
        ("feature_maps", "pick a sample", lambda s: s.pick("feature_maps.sample")),
    ]
