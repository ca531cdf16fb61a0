// Speak: text (OpenAI's speech endpoint, streamed) or SSML (Google's text:synthesize);
// streamed WAV and MP3 start playing while the rest is still being made.

import { request } from "./api.js";

const GOOGLE_ENCODINGS = { wav: "LINEAR16", mp3: "MP3", opus: "OGG_OPUS" };
const MEDIA = { wav: "audio/wav", mp3: "audio/mpeg", opus: "audio/ogg", flac: "audio/flac" };

// A WAV streamed with "until the end" lengths, given its real lengths.
function closedWav(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  view.setUint32(4, bytes.byteLength - 8, true);
  view.setUint32(40, bytes.byteLength - 44, true);
  return bytes;
}

function joined(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

// Plays 16-bit mono PCM as it arrives, each piece right after the one before.
class PcmPlayer {
  constructor(rate) {
    this.context = new AudioContext();
    this.rate = rate;
    this.next = 0;
    this.carry = new Uint8Array(0);
    this.onFirstSound = () => {};
  }

  push(bytes) {
    const data = joined([this.carry, bytes]);
    const usable = data.byteLength - (data.byteLength % 2);
    this.carry = data.slice(usable);
    if (!usable) return;
    const samples = new Int16Array(data.buffer.slice(0, usable));
    const buffer = this.context.createBuffer(1, samples.length, this.rate);
    const channel = buffer.getChannelData(0);
    for (let i = 0; i < samples.length; i += 1) channel[i] = samples[i] / 32768;
    const source = this.context.createBufferSource();
    source.buffer = buffer;
    source.connect(this.context.destination);
    if (!this.next) this.onFirstSound();
    this.next = Math.max(this.next, this.context.currentTime + 0.05);
    source.start(this.next);
    this.next += buffer.duration;
  }

  // Closes the audio context once everything pushed has been heard.
  done() {
    const left = Math.max(0, this.next - this.context.currentTime);
    return new Promise((resolve) => setTimeout(resolve, left * 1000)).then(() => this.context.close());
  }
}

export class Speak {
  constructor(notify) {
    this.notify = notify;
    this.form = document.getElementById("speak-form");
    this.text = document.getElementById("speak-text");
    this.voice = document.getElementById("voice");
    this.speed = document.getElementById("speed");
    this.format = document.getElementById("speak-format");
    this.status = document.getElementById("speak-status");
    this.audio = document.getElementById("speak-audio");
    this.link = document.getElementById("speak-download");
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.speak();
    });
  }

  setVoices(voices) {
    this.voice.replaceChildren(
      ...voices.map((v) => new Option(`${v.name} (${v.languageCodes.join(", ")})`, v.name)),
    );
    const english = voices.find((v) => v.languageCodes.includes("en-US"));
    if (english) this.voice.value = english.name;
  }

  async speak() {
    const ssml = this.form.elements["input-kind"].value === "ssml";
    const format = this.format.value;
    this.status.textContent = "Speaking…";
    this.started = performance.now();
    delete this.audio.dataset.firstSoundMs;
    delete this.audio.dataset.madeMs;
    this.audio.hidden = true;
    this.link.hidden = true;
    try {
      const bytes = ssml ? await this.google(format) : await this.openai(format);
      const blob = new Blob([format === "wav" ? closedWav(bytes) : bytes], { type: MEDIA[format] });
      const url = URL.createObjectURL(blob);
      const playing = !this.audio.paused && this.audio.dataset.streamed === "true";
      if (!playing) this.audio.src = url;
      this.audio.hidden = false;
      this.link.href = url;
      this.link.download = `speech.${format}`;
      this.link.hidden = false;
      this.status.textContent = "Done";
    } catch (error) {
      this.status.textContent = "";
      this.notify(error.message);
    }
  }

  async google(format) {
    if (!GOOGLE_ENCODINGS[format]) throw new Error(`SSML is spoken as WAV, MP3 or Opus, not ${format}.`);
    const response = await request("/v1/text:synthesize", {
      method: "POST",
      json: {
        input: { ssml: this.text.value },
        voice: { name: this.voice.value, languageCode: "" },
        audioConfig: { audioEncoding: GOOGLE_ENCODINGS[format], speakingRate: Number(this.speed.value) },
      },
    });
    const { audioContent } = await response.json();
    const bytes = Uint8Array.from(atob(audioContent), (c) => c.charCodeAt(0));
    this.audio.dataset.streamed = "false";
    this.playWhenLoaded(bytes, format);
    return bytes;
  }

  playWhenLoaded(bytes, format) {
    const blob = new Blob([format === "wav" ? closedWav(bytes) : bytes], { type: MEDIA[format] });
    this.audio.src = URL.createObjectURL(blob);
    this.audio.play().catch(() => {});
  }

  async openai(format) {
    const response = await request("/v1/audio/speech", {
      method: "POST",
      json: {
        model: "tts-1",
        input: this.text.value,
        voice: this.voice.value,
        speed: Number(this.speed.value),
        response_format: format,
      },
    });
    const reader = response.body.getReader();
    const parts = [];
    if (format === "wav") return this.streamWav(reader, parts);
    if (format === "mp3" && window.MediaSource?.isTypeSupported("audio/mpeg")) {
      return this.streamMedia(reader, parts, "audio/mpeg");
    }
    for (let read = await reader.read(); !read.done; read = await reader.read()) parts.push(read.value);
    const bytes = joined(parts);
    this.audio.dataset.streamed = "false";
    this.playWhenLoaded(bytes, format);
    return bytes;
  }

  // WAV: the header, then PCM played piece by piece; the whole goes to the audio element.
  async streamWav(reader, parts) {
    const { started } = this;
    let player = null;
    let header = new Uint8Array(0);
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      parts.push(read.value);
      if (player) {
        player.push(read.value);
        continue;
      }
      header = joined([header, read.value]);
      if (header.byteLength >= 44) {
        const view = new DataView(header.buffer);
        player = new PcmPlayer(view.getUint32(24, true));
        player.onFirstSound = () => {
          this.status.textContent = "Playing while the rest is made…";
          this.audio.dataset.firstSoundMs = String(Math.round(performance.now() - started));
        };
        player.push(header.slice(44));
      }
    }
    this.audio.dataset.madeMs = String(Math.round(performance.now() - started));
    const bytes = joined(parts);
    this.audio.dataset.streamed = "false";
    player?.done(); // it plays on; the page is free again
    return bytes;
  }

  // MP3 through Media Source Extensions: the audio element plays as bytes arrive.
  async streamMedia(reader, parts, type) {
    const source = new MediaSource();
    this.audio.src = URL.createObjectURL(source);
    this.audio.hidden = false;
    this.audio.dataset.streamed = "true";
    await new Promise((resolve) => source.addEventListener("sourceopen", resolve, { once: true }));
    const buffer = source.addSourceBuffer(type);
    const appended = () => new Promise((resolve) => buffer.addEventListener("updateend", resolve, { once: true }));
    this.audio.play().catch(() => {});
    for (let read = await reader.read(); !read.done; read = await reader.read()) {
      parts.push(read.value);
      buffer.appendBuffer(read.value);
      await appended();
    }
    source.endOfStream();
    return joined(parts);
  }
}
