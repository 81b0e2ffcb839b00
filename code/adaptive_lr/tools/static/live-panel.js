// The book's live panels (adaptive_lr.tools.lite): a press on "Run this panel live" embeds
// JupyterLite's REPL, which starts Python in the browser and runs the chapter's panel. Until
// the panel's widget shows, the status line says what is loading and for how long; then it
// says the panel is live, or that it stopped with an error (shown in the frame).
(() => {
  "use strict";
  const WIDGET = ".jp-OutputArea-output .jupyter-widgets, .jp-OutputArea-output .widget-box";
  // JupyterLab renders tracebacks as stderr: an error is stderr that names one
  const STDERR = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]';
  const failed = doc => [...doc.querySelectorAll(STDERR)]
    .some(e => /Traceback|\w+Error\b/.test(e.textContent));
  const SLOW = 120; // seconds: past this, say that a first start can take long

  function start(panel) {
    const button = panel.querySelector(".alr-live-start");
    const status = panel.querySelector(".alr-live-status");
    button.hidden = true;
    const frame = document.createElement("iframe");
    frame.className = "alr-live-frame";
    frame.title = panel.dataset.title;
    frame.style.height = panel.dataset.height;
    // the app in the page's colour mode
    const dark = document.documentElement.dataset.theme === "dark";
    frame.src = panel.dataset.src + (dark ? "&theme=" + encodeURIComponent("JupyterLab Dark") : "");
    panel.appendChild(frame);
    panel.classList.add("alr-live-started");
    const started = performance.now();
    const say = (state, text) => {
      panel.dataset.state = state;
      if (status.textContent !== text) status.textContent = text;
    };
    say("loading", "Loading JupyterLite…");
    const timer = setInterval(() => {
      const seconds = Math.round((performance.now() - started) / 1000);
      let doc = null;
      try { doc = frame.contentDocument; } catch (error) { doc = null; }
      if (doc && doc.querySelector(WIDGET)) {
        clearInterval(timer);
        say("live", `Live (started in ${seconds} s): every move of a control re-runs the ` +
                    "optimizers in your browser.");
        return;
      }
      if (doc && failed(doc)) {
        clearInterval(timer);
        say("error", "The panel stopped with an error, shown below. The launch menu at the " +
                     "top of the page also opens this chapter on Binder or Colab.");
        return;
      }
      const console_ = doc && doc.querySelector(".jp-CodeConsole");
      let text = console_ ? `Starting Python in your browser and running the panel… ${seconds} s`
                          : `Loading JupyterLite… ${seconds} s`;
      if (seconds >= SLOW) {
        text += " (a first start downloads Python and numpy, about 40 MB: on a slow " +
                "connection this takes minutes)";
      }
      say("loading", text);
    }, 500);
  }

  function init() {
    for (const panel of document.querySelectorAll(".alr-live")) {
      const button = panel.querySelector(".alr-live-start");
      if (button) button.addEventListener("click", () => start(panel), {once: true});
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
