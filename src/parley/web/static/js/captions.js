// A transcript (Google's results in JSON) as paragraphs of timed words, and as text,
// SubRip, WebVTT or JSON files.

import { seconds } from "./api.js";

// Paragraphs of {start, end, text, words: [{word, start, end}], alternatives}.
export function paragraphs(results) {
  return (results || [])
    .filter((result) => result.alternatives?.length)
    .map((result) => {
      const [best, ...others] = result.alternatives;
      const words = (best.words || []).map((w) => ({
        word: w.word,
        start: seconds(w.startTime),
        end: seconds(w.endTime),
      }));
      return {
        start: words.length ? words[0].start : 0,
        end: words.length ? words[words.length - 1].end : seconds(result.resultEndTime),
        text: best.transcript.trim(),
        words,
        alternatives: others.map((a) => a.transcript.trim()),
        channel: result.channelTag || 0,
      };
    });
}

function stamp(value, separator) {
  const ms = Math.round(value * 1000);
  const pad = (n, width = 2) => String(n).padStart(width, "0");
  const h = Math.floor(ms / 3600000);
  const m = Math.floor(ms / 60000) % 60;
  const s = Math.floor(ms / 1000) % 60;
  return `${pad(h)}:${pad(m)}:${pad(s)}${separator}${pad(ms % 1000, 3)}`;
}

export function render(format, results) {
  const parts = paragraphs(results);
  switch (format) {
    case "txt":
      return parts.map((p) => p.text).join("\n\n") + "\n";
    case "srt":
      return parts
        .map((p, i) => `${i + 1}\n${stamp(p.start, ",")} --> ${stamp(p.end, ",")}\n${p.text}\n`)
        .join("\n");
    case "vtt":
      return (
        "WEBVTT\n\n" +
        parts.map((p) => `${stamp(p.start, ".")} --> ${stamp(p.end, ".")}\n${p.text}\n`).join("\n")
      );
    default:
      return JSON.stringify({ results }, null, 2);
  }
}

export const MEDIA_TYPES = {
  txt: "text/plain",
  srt: "application/x-subrip",
  vtt: "text/vtt",
  json: "application/json",
};
