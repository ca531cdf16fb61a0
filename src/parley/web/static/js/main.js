// The page: tabs, sign-in, and the four screens.

import { ApiError, getJson, key, setKey } from "./api.js";
import { Files } from "./files.js";
import { History } from "./history.js";
import { Live } from "./live.js";
import { Speak } from "./speak.js";

const notice = document.getElementById("notice");
const signIn = document.getElementById("sign-in");
const tabs = [...document.querySelectorAll('[role="tab"]')];

function notify(message) {
  notice.textContent = message;
  notice.hidden = !message;
}

const screens = {
  live: new Live(notify),
  files: new Files(notify),
  speak: new Speak(notify),
  history: new History(notify),
};

function select(tab, focus = false) {
  for (const other of tabs) {
    const chosen = other === tab;
    other.setAttribute("aria-selected", String(chosen));
    other.tabIndex = chosen ? 0 : -1;
    document.getElementById(other.getAttribute("aria-controls")).hidden = !chosen;
  }
  if (focus) tab.focus();
  notify("");
  const name = tab.getAttribute("aria-controls");
  history.replaceState(null, "", `#${name}`);
  if (name === "history") screens.history.load();
}

document.getElementById("tabs").addEventListener("keydown", (event) => {
  const at = tabs.indexOf(document.activeElement);
  if (at < 0) return;
  const moves = { ArrowRight: 1, ArrowLeft: -1, Home: -at, End: tabs.length - 1 - at };
  if (!(event.key in moves)) return;
  event.preventDefault();
  select(tabs[(at + moves[event.key] + tabs.length) % tabs.length], true);
});
for (const tab of tabs) tab.addEventListener("click", () => select(tab));

function fill(select, options, chosen) {
  select.replaceChildren(...options.map(([label, value]) => new Option(label, value)));
  select.value = chosen;
}

// The server's models, voices and languages, asked for with the key: a 401 or 403
// means the key is missing or wrong.
async function load() {
  const [models, voices] = await Promise.all([getJson("/v1/models"), getJson("/v1/voices")]);
  const parley = models.data.filter((m) => m.owned_by === "parley").map((m) => [m.id, m.id]);
  for (const element of document.querySelectorAll("select.model")) {
    fill(element, [["Default", ""], ...parley], "");
  }
  const languages = new Set(["en-US", "de-DE", "fr-FR", "es-ES", "it-IT", "nl-NL", "pt-BR"]);
  for (const voice of voices.voices) for (const code of voice.languageCodes) languages.add(code);
  const list = [...languages].sort().map((code) => [code, code]);
  for (const element of document.querySelectorAll("select.language")) fill(element, list, "en-US");
  screens.speak.setVoices(voices.voices);
}

function showApp(signedIn) {
  signIn.hidden = true;
  document.getElementById("tabs").hidden = false;
  document.getElementById("sign-out").hidden = !signedIn;
  const wanted = tabs.find((t) => `#${t.getAttribute("aria-controls")}` === location.hash);
  select(wanted || tabs[0]);
}

function showSignIn(message) {
  for (const tab of tabs) document.getElementById(tab.getAttribute("aria-controls")).hidden = true;
  document.getElementById("tabs").hidden = true;
  signIn.hidden = false;
  const error = document.getElementById("sign-in-error");
  error.textContent = message || "";
  error.hidden = !message;
  document.getElementById("key").focus();
}

async function start() {
  try {
    await load();
    showApp(Boolean(key()));
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) {
      const had = Boolean(key());
      setKey("");
      showSignIn(had ? `That key was refused: ${error.message}` : "");
    } else {
      notify(error.message);
    }
  }
}

document.getElementById("sign-in-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = document.getElementById("key");
  setKey(input.value.trim());
  input.value = "";
  start();
});
document.getElementById("sign-out").addEventListener("click", () => {
  setKey("");
  location.reload();
});

start();
