// Live: the microphone streamed over the WebSocket; interim words in a lighter style
// settle into final text.

import { getJson, key, websocketUrl } from "./api.js";

const PATH = "/v1/speech:streamingrecognize";
const RETRIES = 3;

export class Live {
  constructor(notify) {
    this.notify = notify;
    this.button = document.getElementById("record");
    this.level = document.getElementById("level");
    this.status = document.getElementById("live-status");
    this.final = document.querySelector("#live-text .final");
    this.interim = document.querySelector("#live-text .interim");
    this.language = document.getElementById("live-language");
    this.model = document.getElementById("live-model");
    this.session = null;
    this.button.addEventListener("click", () => (this.session ? this.stop() : this.start()));
  }

  say(text) {
    this.status.textContent = text;
  }

  async start() {
    let microphone;
    try {
      microphone = await navigator.mediaDevices.getUserMedia({
        // The voice as the microphone hears it: the recognizer does better without the
        // browser's call processing.
        audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false },
      });
    } catch (error) {
      this.notify(
        error.name === "NotAllowedError"
          ? "The microphone was refused. Allow it for this page in the browser's site settings, then press Record again."
          : `No microphone could be opened (${error.name}).`,
      );
      return;
    }
    // At 16 kHz the browser resamples the microphone itself (the worklet averages
    // when a browser keeps its own rate).
    const context = new AudioContext({ sampleRate: 16000 });
    await context.audioWorklet.addModule("/app/js/pcm-worklet.js");
    const source = context.createMediaStreamSource(microphone);
    const writer = new AudioWorkletNode(context, "pcm-writer");
    source.connect(writer);
    this.session = { microphone, context, writer, socket: null, pending: [], retries: 0 };
    this.final.textContent = "";
    this.interim.textContent = "";
    this.button.textContent = "Stop";
    this.button.setAttribute("aria-pressed", "true");
    writer.port.onmessage = ({ data }) => this.chunk(data);
    this.connect();
  }

  connect() {
    const session = this.session;
    const socket = new WebSocket(websocketUrl(PATH));
    socket.binaryType = "arraybuffer";
    session.socket = socket;
    session.opened = false;
    this.say("Connecting…");
    socket.onopen = () => {
      session.opened = true;
      session.retries = 0;
      if (key()) socket.send(JSON.stringify({ key: key() }));
      socket.send(JSON.stringify(this.config()));
      for (const pcm of session.pending.splice(0)) socket.send(pcm);
      this.say("Listening");
    };
    socket.onmessage = ({ data }) => this.response(JSON.parse(data));
    socket.onclose = (event) => this.closed(session, socket, event);
  }

  config() {
    const config = {
      encoding: "LINEAR16",
      sampleRateHertz: 16000,
      languageCode: this.language.value,
      enableAutomaticPunctuation: true,
    };
    if (this.model.value) config.model = this.model.value;
    return { streamingConfig: { config, interimResults: true } };
  }

  chunk({ pcm, level }) {
    this.level.value = Math.min(1, level * 2);
    const session = this.session;
    if (!session) return;
    if (session.socket?.readyState === WebSocket.OPEN && session.opened) session.socket.send(pcm);
    else session.pending.push(pcm);
  }

  response(message) {
    if (message.error) {
      this.notify(message.error.message);
      return;
    }
    let interim = "";
    for (const result of message.results || []) {
      const text = result.alternatives?.[0]?.transcript || "";
      if (result.isFinal) {
        const spacer = this.final.textContent && text && !text.startsWith(" ") ? " " : "";
        this.final.textContent += spacer + text.trim();
      } else {
        interim += text;
      }
    }
    this.interim.textContent = interim ? ` ${interim.trim()}` : "";
  }

  async closed(session, socket, event) {
    if (this.session !== session || session.socket !== socket) return; // stopped, or replaced
    if (event.code === 1000 || session.ending) {
      this.finish();
      return;
    }
    if (!session.opened) {
      // The handshake was refused; a browser is not told why, /healthz says if the
      // server is busy.
      const busy = await this.busy();
      if (busy === null) {
        this.notify("The server cannot be reached. Check that parley serve is running.");
        this.finish();
        return;
      }
      if (busy) {
        this.notify("The server is busy: all live streams are in use. Try again in a moment.");
        this.finish();
        return;
      }
    } else if (event.code === 1008 || event.code === 1013 || event.code === 1009) {
      this.notify(event.reason || "The server ended the stream.");
      this.finish();
      return;
    }
    if (session.retries >= RETRIES) {
      this.notify("The connection dropped and could not be restored. Press Record to try again.");
      this.finish();
      return;
    }
    session.retries += 1;
    this.say(`Connection lost; reconnecting (${session.retries} of ${RETRIES})…`);
    await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** session.retries));
    if (this.session === session) this.connect();
  }

  async busy() {
    try {
      const health = await fetch("/healthz").then((r) => r.json());
      return health.live_streams >= health.live_stream_capacity;
    } catch {
      return null;
    }
  }

  stop() {
    const session = this.session;
    if (!session || session.ending) return;
    session.ending = true;
    session.microphone.getTracks().forEach((track) => track.stop());
    session.writer.port.onmessage = null;
    this.level.value = 0;
    this.button.textContent = "Record";
    this.button.setAttribute("aria-pressed", "false");
    if (session.socket?.readyState === WebSocket.OPEN) {
      this.say("Finishing…");
      session.socket.send(JSON.stringify({ end: true }));
    } else {
      this.finish();
    }
  }

  finish() {
    const session = this.session;
    if (!session) return;
    this.session = null;
    session.microphone.getTracks().forEach((track) => track.stop());
    session.context.close();
    this.level.value = 0;
    this.button.textContent = "Record";
    this.button.setAttribute("aria-pressed", "false");
    this.say(this.final.textContent ? "Done" : "");
  }
}
