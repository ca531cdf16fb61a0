// History: every transcription and synthesis this key may see, newest first, searchable,
// each with playback, details and delete.

import { audioUrl, clock, getJson, request } from "./api.js";

const PAGE = 20;
const PROTOCOLS = {
  "google-grpc": "Google Speech gRPC",
  "google-rest": "Google REST",
  "google-websocket": "WebSocket (live)",
  openai: "OpenAI audio API",
  "openai-realtime": "OpenAI Realtime",
  wyoming: "Wyoming",
  cli: "Command line",
};

function when(iso) {
  return new Date(iso).toLocaleString();
}

export class History {
  constructor(notify) {
    this.notify = notify;
    this.list = document.getElementById("history-list");
    this.status = document.getElementById("history-status");
    this.search = document.getElementById("search");
    this.more = document.getElementById("more");
    this.shown = 0;
    document.getElementById("search-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.load();
    });
    this.more.addEventListener("click", () => this.load(this.shown + PAGE));
  }

  async load(count = PAGE) {
    const query = new URLSearchParams({ pageSize: String(count), search: this.search.value });
    try {
      const [heard, said] = await Promise.all([
        getJson(`/v1/transcriptions?${query}`),
        getJson(`/v1/syntheses?${query}`),
      ]);
      const records = [
        ...(heard.transcriptions || []).map((r) => ({ ...r, kind: "transcription" })),
        ...(said.syntheses || []).map((r) => ({ ...r, kind: "synthesis" })),
      ].sort((a, b) => b.createTime.localeCompare(a.createTime));
      const total = (heard.totalSize || 0) + (said.totalSize || 0);
      this.shown = Math.min(count, records.length);
      this.list.replaceChildren(...records.slice(0, count).map((r) => this.item(r)));
      this.status.textContent = `${total} record${total === 1 ? "" : "s"}`;
      this.more.hidden = total <= this.shown;
    } catch (error) {
      this.notify(error.message);
    }
  }

  item(record) {
    const item = document.createElement("li");
    item.className = "record";
    const title = document.createElement("h3");
    const kind = record.kind === "transcription" ? "Transcription" : "Synthesis";
    title.textContent = `${kind}, ${when(record.createTime)}`;
    const text = document.createElement("p");
    text.className = "record-text";
    text.textContent = record.text || (record.status === "completed" ? "(no speech)" : `(${record.status})`);
    const details = document.createElement("details");
    const summary = document.createElement("summary");
    summary.textContent = "Details";
    const facts = document.createElement("dl");
    const add = (name, value) => {
      if (value === undefined || value === null || value === "") return;
      const term = document.createElement("dt");
      term.textContent = name;
      const data = document.createElement("dd");
      data.textContent = value;
      facts.append(term, data);
    };
    add("Kind", kind);
    add("Model", record.model);
    add("Voice", record.voice);
    add("Language", record.language);
    add("Source", record.sourceName);
    add("Protocol", PROTOCOLS[record.protocol] || record.protocol);
    add("Audio", record.audioFormat);
    add("Duration", record.duration != null ? clock(record.duration) : null);
    add("Inference time", record.inferenceSeconds != null ? `${record.inferenceSeconds.toFixed(2)} s` : null);
    add("Options", Object.keys(record.options || {}).length ? JSON.stringify(record.options) : null);
    details.append(summary, facts);

    const actions = document.createElement("div");
    actions.className = "row";
    const base = `/v1/${record.kind === "transcription" ? "transcriptions" : "syntheses"}/${record.id}`;
    if (record.audioFormat) {
      const play = document.createElement("button");
      play.type = "button";
      play.textContent = "Play";
      play.setAttribute("aria-label", `Play the ${kind.toLowerCase()} of ${when(record.createTime)}`);
      play.addEventListener("click", async () => {
        try {
          const audio = item.querySelector("audio") || document.createElement("audio");
          audio.controls = true;
          if (!audio.src) audio.src = await audioUrl(`${base}/audio`);
          actions.after(audio);
          await audio.play();
        } catch (error) {
          this.notify(error.message);
        }
      });
      actions.append(play);
    }
    const remove = document.createElement("button");
    remove.type = "button";
    remove.className = "danger";
    remove.textContent = "Delete";
    remove.setAttribute("aria-label", `Delete the ${kind.toLowerCase()} of ${when(record.createTime)}`);
    remove.addEventListener("click", async () => {
      try {
        await request(base, { method: "DELETE" });
        item.remove();
        this.load(Math.max(PAGE, this.shown));
      } catch (error) {
        this.notify(error.message);
      }
    });
    actions.append(remove);
    item.append(title, text, actions, details);
    return item;
  }
}
