// Files: a recording becomes a long-running job with a progress bar; its transcript is
// shown in timed paragraphs whose words play the audio from where they are said.

import { MEDIA_TYPES, paragraphs, render } from "./captions.js";
import { clock, getJson } from "./api.js";

const POLL_MS = 400;

function base64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",", 2)[1] || "");
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

export function download(name, text, type) {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([text], { type }));
  link.download = name;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
}

export class Files {
  constructor(notify) {
    this.notify = notify;
    this.form = document.getElementById("file-form");
    this.input = document.getElementById("file");
    this.drop = document.getElementById("drop");
    this.name = document.getElementById("file-name");
    this.progress = document.getElementById("progress");
    this.status = document.getElementById("file-status");
    this.audio = document.getElementById("file-audio");
    this.text = document.getElementById("file-text");
    this.downloads = document.getElementById("downloads");
    this.file = null;
    this.results = null;
    this.words = [];
    this.input.addEventListener("change", () => this.choose(this.input.files[0]));
    this.drop.addEventListener("dragover", (event) => {
      event.preventDefault();
      this.drop.classList.add("over");
    });
    this.drop.addEventListener("dragleave", () => this.drop.classList.remove("over"));
    this.drop.addEventListener("drop", (event) => {
      event.preventDefault();
      this.drop.classList.remove("over");
      this.choose(event.dataTransfer.files[0]);
    });
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.transcribe();
    });
    this.downloads.addEventListener("click", (event) => {
      const format = event.target.dataset?.format;
      if (format && this.results) {
        const stem = (this.file?.name || "transcript").replace(/\.[^.]+$/, "");
        download(`${stem}.${format}`, render(format, this.results), MEDIA_TYPES[format]);
      }
    });
    this.text.addEventListener("click", (event) => {
      const start = event.target.dataset?.start;
      if (start !== undefined) this.playFrom(parseFloat(start));
    });
    this.audio.addEventListener("timeupdate", () => this.highlight());
  }

  choose(file) {
    if (!file) return;
    this.file = file;
    this.name.textContent = `${file.name} (${(file.size / 1e6).toFixed(1)} MB)`;
    this.audio.src = URL.createObjectURL(file);
    this.audio.hidden = false;
  }

  config() {
    const value = (id) => document.getElementById(id).value;
    const checked = (id) => document.getElementById(id).checked;
    const config = {
      languageCode: value("file-language"),
      enableAutomaticPunctuation: checked("punctuation"),
      profanityFilter: checked("profanity"),
      maxAlternatives: Number(value("alternatives")) || 1,
      enableWordTimeOffsets: true,
      enableWordConfidence: true,
    };
    if (value("file-model")) config.model = value("file-model");
    const phrases = value("hints")
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean);
    if (phrases.length) config.speechContexts = [{ phrases, boost: Number(value("boost")) || 0 }];
    return config;
  }

  async transcribe() {
    if (!this.file) {
      this.notify("Choose or drop an audio file first.");
      return;
    }
    this.progress.value = 0;
    this.text.replaceChildren();
    this.downloads.hidden = true;
    this.status.textContent = "Uploading…";
    try {
      const content = await base64(this.file);
      let operation = await getJson("/v1/speech:longrunningrecognize", {
        method: "POST",
        json: { config: this.config(), audio: { content } },
      });
      this.status.textContent = "Transcribing…";
      while (!operation.done) {
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
        operation = await getJson(`/v1/operations/${encodeURIComponent(operation.name)}`);
        this.progress.value = operation.metadata?.progressPercent || 0;
      }
      if (operation.error) throw new Error(operation.error.message);
      this.progress.value = 100;
      this.show(operation.response.results || []);
      this.status.textContent = "Done";
    } catch (error) {
      this.status.textContent = "";
      this.notify(error.message);
    }
  }

  show(results) {
    this.results = results;
    this.words = [];
    const parts = paragraphs(results);
    for (const part of parts) {
      const paragraph = document.createElement("p");
      const stamp = document.createElement("span");
      stamp.className = "stamp";
      stamp.textContent = clock(part.start);
      paragraph.append(stamp, " ");
      if (part.words.length) {
        for (const word of part.words) {
          const button = document.createElement("button");
          button.type = "button";
          button.className = "word";
          button.textContent = word.word;
          button.dataset.start = String(word.start);
          button.setAttribute("aria-label", `${word.word}, at ${clock(word.start)}`);
          paragraph.append(button, " ");
          this.words.push({ ...word, element: button });
        }
      } else {
        paragraph.append(part.text);
      }
      for (const alternative of part.alternatives) {
        const other = document.createElement("span");
        other.className = "alternative";
        other.textContent = `or: ${alternative}`;
        paragraph.append(other);
      }
      this.text.append(paragraph);
    }
    if (!parts.length) this.text.textContent = "No speech was found in this file.";
    this.downloads.hidden = !parts.length;
  }

  playFrom(start) {
    this.audio.currentTime = start;
    this.audio.play().catch(() => {});
  }

  highlight() {
    const now = this.audio.currentTime;
    for (const word of this.words) {
      const current = now >= word.start && now < Math.max(word.end, word.start + 0.05);
      word.element.classList.toggle("current", current);
      if (current) word.element.setAttribute("aria-current", "true");
      else word.element.removeAttribute("aria-current");
    }
  }
}
