// The Run buttons of the primer's lessons: run a lesson in the reader's browser, on Pyodide
// (CPython compiled to WebAssembly), offline.
//
// Nothing is fetched until the first press. Then, once per page: Pyodide from _static/pyodide/
// (copied there by the docs build from the pinned npm package), the project's own wheel (built by
// the docs build) and run/driver.py. Each run goes through driver.py, which runs the reader's call
// as a task on Pyodide's browser event loop, traces it with the project's tracer and draws the
// timeline with the project's own timeline code. docs/_ext/primer_run.py writes the widgets.

(() => {
  // A classic deferred script, not a module: a page opened from a file (file://) must not log an
  // error for it. Pyodide itself is an ES module, imported at the first press.
  const STATIC = new URL("../", document.currentScript.src);
  const PYODIDE = new URL("pyodide/", STATIC);
  const WIDGETS = [...document.querySelectorAll(".primer-run")];

  let runtime = null; // a Promise of {pyodide, driver}, made at the first press
  let running = null; // the widget whose lesson is running

  function seconds(t) {
    return t.toFixed(3).replace(/\.?0+$/, "");
  }

  function stamp(at) {
    return `[${at.toFixed(3).padStart(7)} s] `;
  }

  async function fetchOk(url) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    return response;
  }

  function loadRuntime(wheel, say) {
    if (runtime === null) {
      runtime = (async () => {
        say("Loading Python (Pyodide, about 13 MB, once per page visit)…");
        const { loadPyodide } = await import(new URL("pyodide.mjs", PYODIDE).href);
        const pyodide = await loadPyodide({ indexURL: PYODIDE.href });
        say("Installing asyncio_primer…");
        const [wheelBytes, driverSource] = await Promise.all([
          fetchOk(new URL(wheel, PYODIDE)).then((r) => r.arrayBuffer()),
          fetchOk(new URL("run/driver.py", STATIC)).then((r) => r.text()),
        ]);
        const purelib = pyodide.runPython("import sysconfig; sysconfig.get_path('purelib')");
        pyodide.unpackArchive(wheelBytes, "wheel", { extractDir: purelib });
        pyodide.FS.writeFile(`${purelib}/primer_run_driver.py`, driverSource);
        pyodide.runPython("import importlib; importlib.invalidate_caches()");
        const driver = pyodide.pyimport("primer_run_driver");
        return { pyodide, driver, python: driver.python_version() };
      })();
      runtime.catch(() => {
        runtime = null; // a later press tries again
      });
    }
    return runtime;
  }

  function setBusy(busy) {
    for (const widget of WIDGETS) {
      if (widget === running) continue;
      const button = widget.querySelector(".primer-run-button");
      button.disabled = busy;
      button.title = busy ? "another lesson is running on this page" : "";
    }
  }

  function append(output, text, className) {
    const span = document.createElement("span");
    if (className) span.className = className;
    span.textContent = text.endsWith("\n") ? text : text + "\n";
    output.append(span);
    return span;
  }

  async function run(widget) {
    const button = widget.querySelector(".primer-run-button");
    const call = widget.querySelector(".primer-run-call");
    const status = widget.querySelector(".primer-run-status");
    const output = widget.querySelector(".primer-run-output");
    const timeline = widget.querySelector(".primer-run-timeline");
    running = widget;
    setBusy(true);
    widget.classList.add("primer-run-running");
    delete widget.dataset.outcome;
    button.textContent = "Stop";
    button.disabled = true; // until the lesson runs
    output.hidden = false;
    output.replaceChildren();
    timeline.hidden = true;
    timeline.replaceChildren();
    const pressed = performance.now();
    if (location.protocol === "file:") {
      status.textContent =
        "Run needs the pages served over HTTP (a browser loads no WebAssembly into a file:// " +
        "page): python3 -m http.server -d docs/_build/html, then open http://localhost:8000/";
      widget.dataset.outcome = "error";
      finish(widget);
      return;
    }
    let rt;
    try {
      if (runtime === null) {
        const progress = document.createElement("progress");
        const label = document.createElement("span");
        status.replaceChildren(progress, " ", label);
        const started = performance.now();
        const tick = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
        let stage = "";
        const timer = setInterval(() => (label.textContent = `${stage} ${tick()}`), 100);
        try {
          rt = await loadRuntime(widget.dataset.wheel, (text) => {
            stage = text;
            label.textContent = `${stage} ${tick()}`;
          });
        } finally {
          clearInterval(timer);
        }
        widget.dataset.loadSeconds = seconds((performance.now() - started) / 1000);
      } else {
        status.textContent = "Loading Python…";
        rt = await loadRuntime(widget.dataset.wheel, () => {});
      }
    } catch (error) {
      status.textContent = `Could not load Python: ${error}`;
      widget.dataset.outcome = "error";
      finish(widget);
      return;
    }
    status.textContent = `Running on Python ${rt.python} in your browser (Pyodide)…`;

    let resolveDone;
    const done = new Promise((resolve) => (resolveDone = resolve));
    const js = {
      line(text, at, stream) {
        if (!("firstOutputMs" in widget.dataset)) {
          widget.dataset.firstOutputMs = Math.round(performance.now() - pressed);
        }
        append(output, stamp(at) + text, stream === "stderr" ? "primer-run-stderr" : "");
      },
      done(json) {
        resolveDone(JSON.parse(json));
      },
    };
    delete widget.dataset.firstOutputMs;
    const failed = (error) =>
      resolveDone({ outcome: "raised", text: String(error), elapsed: 0, svg: "" });
    let session;
    try {
      session = rt.driver.start(widget.dataset.module, widget.dataset.lesson, call.value, js);
    } catch (error) {
      failed(error); // the driver itself failed (a bug here, not in the reader's code)
    }
    if (session && session.plain) {
      // a plain function that calls asyncio.run itself: it waits on the browser through
      // WebAssembly stack switching (JSPI), and has no task that Stop could cancel
      button.title = "a plain call cannot be stopped";
      const runPlain = session.run_plain;
      runPlain.callPromising().catch(failed).finally(() => runPlain.destroy());
    } else if (session) {
      button.disabled = false;
    }
    button.onclick = () => {
      button.disabled = true;
      session.cancel();
    };
    const draw = (svg) => {
      if (!svg) return;
      timeline.innerHTML = svg;
      timeline.hidden = false;
    };
    const timer = setInterval(() => {
      try {
        if (session) draw(session.svg());
      } catch (error) {
        console.warn("primer run: timeline", error);
      }
    }, 200);
    const result = await done;
    clearInterval(timer);
    if (session) session.destroy();
    draw(result.svg);

    if (result.outcome === "returned") {
      append(output, `returned ${result.text}`, "primer-run-returned");
    } else {
      append(output, result.text, "primer-run-error");
      if (result.outcome === "cancelled") append(output, "cancelled (Stop)", "primer-run-error");
    }
    const took = append(output, `took ${seconds(result.elapsed)} s of real time`, "primer-run-elapsed");
    took.dataset.seconds = result.elapsed;
    status.textContent = `Ran on Python ${rt.python} in your browser (Pyodide).`;
    widget.dataset.outcome = result.outcome;
    finish(widget);
  }

  function finish(widget) {
    const button = widget.querySelector(".primer-run-button");
    button.textContent = "Run";
    button.disabled = false;
    button.onclick = null;
    widget.classList.remove("primer-run-running");
    running = null;
    setBusy(false);
  }

  for (const widget of WIDGETS) {
    const button = widget.querySelector(".primer-run-button");
    const call = widget.querySelector(".primer-run-call");
    button.addEventListener("click", () => {
      if (running === null) run(widget);
    });
    call.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && running === null) {
        event.preventDefault();
        run(widget);
      }
    });
  }
})();
