// The microphone as 16 kHz 16-bit PCM in 100 ms messages, with the level of each.

const OUT_RATE = 16000;
const CHUNK = 1600; // 100 ms

class PcmWriter extends AudioWorkletProcessor {
  constructor() {
    super();
    this.step = sampleRate / OUT_RATE;
    this.position = 0;
    this.buffer = new Int16Array(CHUNK);
    this.filled = 0;
    this.peak = 0;
  }

  process(inputs) {
    const channel = inputs[0]?.[0];
    if (!channel) return true;
    // Averaging the input samples that fall in each output sample: a box filter, enough
    // against aliasing for speech (mic input is band-limited already).
    let sum = 0;
    let count = 0;
    for (let i = 0; i < channel.length; i += 1) {
      sum += channel[i];
      count += 1;
      this.peak = Math.max(this.peak, Math.abs(channel[i]));
      this.position += 1;
      if (this.position >= this.step) {
        this.position -= this.step;
        const value = Math.max(-1, Math.min(1, sum / count));
        this.buffer[this.filled] = value < 0 ? value * 0x8000 : value * 0x7fff;
        this.filled += 1;
        sum = 0;
        count = 0;
        if (this.filled === CHUNK) {
          this.port.postMessage({ pcm: this.buffer.buffer, level: this.peak }, [this.buffer.buffer]);
          this.buffer = new Int16Array(CHUNK);
          this.filled = 0;
          this.peak = 0;
        }
      }
    }
    return true;
  }
}

registerProcessor("pcm-writer", PcmWriter);
