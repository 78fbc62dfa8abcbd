/* The live page: a terminal beside the tutorial, each page command checked as it runs.
 *
 * Inert unless the page is served by `tutorial-runner serve`: the script asks for
 * /_live/status and adds the "Try it" controls only when that answers.  The terminal is
 * xterm.js (vendored, served by `serve` under /_live/static/xterm/) on a WebSocket to a
 * fresh session of this page; the server says which page command ran and how it matched.
 */
(function () {
  "use strict";
  const configElement = document.getElementById("tr-live-config");
  if (!configElement) return;
  const config = JSON.parse(configElement.textContent);
  const L = config.labels;
  const transcripts = Array.from(document.querySelectorAll(".tr-transcript[data-tr-block]"));
  if (!transcripts.length) return;

  const state = { session: null, socket: null, terminal: null, fit: null, pane: null,
                  ended: false, metrics: {}, steps: [] };
  window.trLive = state;

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function button(label, className, action) {
    const node = element("button", "tr-live-button " + className, label);
    node.type = "button";
    node.addEventListener("click", action);
    return node;
  }

  fetch("/_live/status", { cache: "no-store" })
    .then((answer) => (answer.ok ? answer.json() : null))
    .then((status) => { if (status && status.live) addControls(); })
    .catch(() => {})
    .finally(() => { state.probed = true; });

  function addControls() {
    document.body.classList.add("tr-live-available");
    loadAssets().catch(() => { assets = null; });   // ready before the first "Try it"
    for (const transcript of transcripts) {
      if (transcript.dataset.trSkip) continue;        // a block the page does not run
      const bar = element("div", "tr-live-controls");
      bar.append(
        button(L.try, "tr-live-try", () => open(transcript.dataset.trSession)),
        button(L.rest, "tr-live-rest", () => send({ type: "rest", block: Number(transcript.dataset.trBlock) })),
      );
      transcript.append(bar);
    }
  }

  // -- the transcript's lines ------------------------------------------------------------

  /* The <pre> holds one line per body line; a line ends with a node whose text ends in a
   * newline.  Each line becomes a row; input rows (with a prompt) can be clicked. */
  function rows(transcript) {
    if (transcript._trRows) return transcript._trRows;
    const pre = transcript.querySelector("pre");
    const found = [];
    if (!pre) return found;
    let current = [];
    for (const node of Array.from(pre.childNodes)) {
      current.push(node);
      if (node.textContent.endsWith("\n")) { found.push(current); current = []; }
    }
    if (current.length && current.some((n) => n.textContent)) found.push(current);
    const made = found.map((nodes, index) => {
      const row = element("span", "tr-live-row");
      row.dataset.index = String(index);
      pre.insertBefore(row, nodes[0]);
      for (const node of nodes) row.append(node);
      const last = row.lastChild;
      const isInput = !!row.querySelector(".gp") && !row.querySelector(".go");
      if (isInput) {
        if (last && last.nodeType === Node.TEXT_NODE && last.data.endsWith("\n")) {
          last.data = last.data.slice(0, -1);
          row.append(element("span", "tr-live-mark"), element("span", "tr-live-bound"), "\n");
        }
        row.classList.add("tr-live-input");
      }
      return row;
    });
    transcript._trRows = made;
    return made;
  }

  function sessionTranscripts(name) {
    return transcripts.filter((t) => t.dataset.trSession === name);
  }

  function transcriptOf(block) {
    return sessionTranscripts(state.session).find((t) => Number(t.dataset.trBlock) === block);
  }

  function decorate(name) {
    for (const transcript of sessionTranscripts(name)) {
      transcript.classList.add("tr-live-on");
      for (const row of rows(transcript)) {
        if (!row.classList.contains("tr-live-input") || row._trClick) continue;
        row._trClick = true;
        row.title = L.click;
        row.addEventListener("click", () => {
          if (state.session === name) {
            send({ type: "run", block: Number(transcript.dataset.trBlock), index: Number(row.dataset.index) });
          }
        });
      }
    }
  }

  function clearMarks() {
    for (const transcript of transcripts) {
      transcript.querySelectorAll(".tr-live-diff").forEach((box) => box.remove());
      transcript.querySelectorAll(".tr-live-row").forEach((row) => {
        row.classList.remove("tr-live-ok", "tr-live-failed", "tr-live-drift", "tr-live-running");
        const mark = row.querySelector(".tr-live-mark");
        if (mark) { mark.textContent = ""; mark.title = ""; }
        const bound = row.querySelector(".tr-live-bound");
        if (bound) bound.textContent = "";
      });
    }
    state.steps = [];
  }

  function rowOf(block, index) {
    const transcript = transcriptOf(block);
    if (!transcript) return null;
    return rows(transcript).find((row) => Number(row.dataset.index) === index) || null;
  }

  function showRunning(message) {
    const row = rowOf(message.block, message.index);
    if (!row) return;
    row.classList.remove("tr-live-ok", "tr-live-failed", "tr-live-drift");
    row.classList.add("tr-live-running");
    const mark = row.querySelector(".tr-live-mark");
    if (mark) { mark.textContent = "…"; mark.title = L.running; }
  }

  function showStep(message) {
    state.steps.push(message);
    const transcript = transcriptOf(message.block);
    const row = rowOf(message.block, message.index);
    if (!transcript || !row) return;
    row.classList.remove("tr-live-running", "tr-live-ok", "tr-live-failed", "tr-live-drift");
    row.classList.add("tr-live-" + message.status);
    const mark = row.querySelector(".tr-live-mark");
    if (mark) {
      mark.textContent = { ok: "✓", failed: "✗", drift: "≠" }[message.status] || "?";
      mark.title = L[message.status] || "";
    }
    const pairs = Object.entries(message.bound || {}).map(([doc, live]) => doc + " → " + live);
    const bound = row.querySelector(".tr-live-bound");
    if (bound) {
      bound.textContent = pairs.length ? "  " + pairs.join(", ") : "";
      bound.title = L.bound;
    }
    const key = message.block + ":" + message.index;
    transcript.querySelectorAll(".tr-live-diff").forEach((box) => {
      if (box.dataset.key === key) box.remove();
    });
    if (message.status === "ok") return;
    const box = element("div", "tr-live-diff tr-live-diff-" + message.status);
    box.dataset.key = key;
    box.append(element("div", "tr-live-diff-title",
      (message.status === "drift" ? "≠ " : "✗ ") + (L[message.status] || "") + ": $ " + message.typed));
    const pre = element("pre", "tr-live-diff-output");
    for (const line of message.diff || []) {
      const kind = { "+": "gi", "-": "gd", "@": "gu" }[line.charAt(0)] || "";
      pre.append(element("span", kind, line), "\n");
    }
    box.append(element("div", "tr-live-diff-caption", L.diff), pre);
    const all = Object.entries(message.bindings || {}).map(([doc, live]) => doc + " → " + live);
    if (all.length) box.append(element("div", "tr-live-bindings", L.bound + ": " + all.join(", ")));
    const controls = transcript.querySelector(".tr-live-controls");
    transcript.insertBefore(box, controls);
  }

  // -- the pane and the socket -----------------------------------------------------------

  let assets = null;
  function loadAssets() {
    if (assets) return assets;
    const css = element("link");
    css.rel = "stylesheet";
    css.href = "/_live/static/xterm/xterm.css";
    document.head.append(css);
    const script = (src) => new Promise((resolve, reject) => {
      const tag = element("script");
      tag.src = src;
      tag.onload = resolve;
      tag.onerror = reject;
      document.head.append(tag);
    });
    assets = script("/_live/static/xterm/xterm.js").then(() => script("/_live/static/xterm/addon-fit.js"));
    return assets;
  }

  function status(text, kind) {
    if (!state.pane) return;
    const line = state.pane.querySelector(".tr-live-status");
    line.textContent = text;
    line.dataset.kind = kind || "";
  }

  function makePane() {
    const pane = element("aside", "tr-live-pane");
    pane.setAttribute("aria-label", L.terminal);
    const head = element("div", "tr-live-head");
    head.append(element("span", "tr-live-title", L.terminal),
      button(L.reset, "tr-live-reset", () => { if (!state.ended) send({ type: "reset" }); else reopen(); }),
      button(L.close, "tr-live-close", close));
    pane.append(head, element("div", "tr-live-status"), element("div", "tr-live-screen"));
    document.body.append(pane);
    document.body.classList.add("tr-live-open");
    return pane;
  }

  function send(message) {
    if (state.socket && state.socket.readyState === WebSocket.OPEN) {
      state.socket.send(JSON.stringify(message));
    }
  }

  function open(name) {
    if (state.session === name && state.socket && !state.ended) { state.terminal.focus(); return; }
    if (state.session) close();
    state.session = name;
    state.pane = makePane();
    status(L.starting, "starting");
    decorate(name);
    state.metrics = { clicked: performance.now() };
    loadAssets().then(() => connect(name));
  }

  function reopen() {
    const name = state.session;
    close();
    open(name);
  }

  function connect(name) {
    const terminal = new window.Terminal({ fontSize: 13, cursorBlink: true, scrollback: 5000,
      fontFamily: '"DejaVu Sans Mono", "Noto Sans Mono CJK JP", monospace' });
    const fit = new window.FitAddon.FitAddon();
    terminal.loadAddon(fit);
    terminal.open(state.pane.querySelector(".tr-live-screen"));
    fit.fit();
    state.terminal = terminal;
    state.fit = fit;
    state.ended = false;
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const query = new URLSearchParams({ doc: config.doc, lang: config.lang, session: name,
      rows: String(terminal.rows), cols: String(terminal.cols) });
    const socket = new WebSocket(scheme + "//" + location.host + "/_live/ws?" + query);
    socket.binaryType = "arraybuffer";
    state.socket = socket;
    socket.onmessage = (event) => {
      if (socket !== state.socket) return;
      if (typeof event.data !== "string") {
        if (state.metrics.prompt === undefined) {
          state.metrics.prompt = (performance.now() - state.metrics.clicked) / 1000;
        }
        terminal.write(new Uint8Array(event.data));
        return;
      }
      const message = JSON.parse(event.data);
      if (message.type === "ready") {
        status(L.ready, "ready");
        document.body.classList.add("tr-live-ready");
        state.metrics.server = message.seconds;
        terminal.focus();
      } else if (message.type === "running") {
        showRunning(message);
      } else if (message.type === "step") {
        // after the terminal has taken in the output it checks: a mark never comes first
        terminal.write("", () => showStep(message));
      } else if (message.type === "reset") {
        clearMarks();
        terminal.reset();
        status(L.starting, "starting");
        state.metrics = { clicked: performance.now() };
      } else if (message.type === "busy") {
        state.ended = true;
        status(L.busy, "busy");
      } else if (message.type === "ended") {
        state.ended = true;
        document.body.classList.remove("tr-live-ready");
        status(L["ended-" + message.reason] || L[message.reason] || L.ended, "ended");
      }
    };
    socket.onclose = () => {
      if (socket !== state.socket) return;
      if (!state.ended) status(L.lost, "ended");
      state.ended = true;
      document.body.classList.remove("tr-live-ready");
    };
    terminal.onData((data) => send({ type: "input", data: data }));
    terminal.onResize((size) => send({ type: "size", rows: size.rows, cols: size.cols }));
  }

  function close() {
    if (state.socket) { const socket = state.socket; state.socket = null; socket.close(); }
    if (state.terminal) state.terminal.dispose();
    if (state.pane) state.pane.remove();
    state.terminal = state.pane = state.fit = null;
    state.session = null;
    state.ended = true;
    document.body.classList.remove("tr-live-open", "tr-live-ready");
    transcripts.forEach((t) => t.classList.remove("tr-live-on"));
    clearMarks();
  }

  window.addEventListener("resize", () => { if (state.fit) state.fit.fit(); });
})();
