// Names the drawing canvas's toolbar buttons in the page's language.
//
// streamlit-drawable-canvas builds its toolbar inside its own shadow root, with English
// titles (the tooltips) and aria-labels, out of reach of the app's CSS. This finds every
// canvas on the page, now and later, and gives each button the name that data.labels
// holds for its English title. Streamlit calls this again whenever the labels change
// (the language did) and runs the returned cleanup once, when the element goes away.

const running = new WeakMap();   // parentElement -> the watcher started for it

function relabel(root, labels) {
  for (const button of root.querySelectorAll(".dc-toolbar button")) {
    button.dataset.englishTitle ??= button.title;
    const label = labels[button.dataset.englishTitle];
    if (label) {
      button.title = label;
      button.setAttribute("aria-label", label);
    }
  }
}

function watchCanvases() {
  const watcher = { labels: {}, frame: 0 };
  const watched = new WeakSet();
  const observer = new MutationObserver(() => watcher.relabelAll());
  watcher.relabelAll = () => {
    let waiting = false;
    for (const host of document.querySelectorAll("[data-testid=stBidiComponentIsolated]")) {
      const root = host.shadowRoot;
      if (!root) {                 // attached a moment after the host: look again next frame
        waiting = true;
        continue;
      }
      if (!watched.has(root)) {    // the canvas fills its shadow root after loading its script
        watched.add(root);
        observer.observe(root, { childList: true, subtree: true });
      }
      relabel(root, watcher.labels);
    }
    cancelAnimationFrame(watcher.frame);
    if (waiting) watcher.frame = requestAnimationFrame(watcher.relabelAll);
  };
  observer.observe(document.body, { childList: true, subtree: true });
  watcher.stop = () => {
    observer.disconnect();
    cancelAnimationFrame(watcher.frame);
  };
  return watcher;
}

export default function ({ data, parentElement }) {
  let watcher = running.get(parentElement);
  if (!watcher) {
    watcher = watchCanvases();
    running.set(parentElement, watcher);
  }
  watcher.labels = data.labels;
  watcher.relabelAll();
  return () => {
    watcher.stop();
    running.delete(parentElement);
  };
}
