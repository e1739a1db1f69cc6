// A "copy link" button: copies the page's address as it is at the moment of the click.
//
// The address is read in the browser, not built on the server: settings changed inside a
// section that reruns on its own (a fragment) reach the URL without a full run, and only
// the browser knows the host the student reached the app by. The clipboard API exists only
// on https or localhost; a classroom server on a LAN address is plain http, so the old
// execCommand("copy") is the fallback, and where that fails too the address is shown in
// a prompt, selected, to copy by hand.

function copyByHand(text) {
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  let copied = false;
  try {
    copied = document.execCommand("copy");
  } catch (error) {
    copied = false;
  }
  area.remove();
  return copied;
}

async function copy(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch (error) {
      // denied: try the old way
    }
  }
  return copyByHand(text);
}

export default function ({ data, parentElement }) {
  const button = parentElement.querySelector("button");
  const label = parentElement.querySelector(".cnnviz-copy-label");
  button.title = data.help;
  button.setAttribute("aria-label", data.label);
  label.textContent = data.label;
  button.onclick = async () => {
    const address = window.location.href;
    button.dataset.copied = address;
    if (await copy(address)) {
      label.textContent = data.copied;
    } else {
      label.textContent = data.failed;
      window.prompt(data.failed, address);
    }
    clearTimeout(button.resetTimer);
    button.resetTimer = setTimeout(() => { label.textContent = data.label; }, 2000);
  };
}
