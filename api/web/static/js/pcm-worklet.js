// The exam's open microphone as 16-bit PCM: the AudioContext runs at 16 kHz, this processor
// hands ~100 ms blocks of Int16 samples to the page, which sends them over the socket.
class PcmCapture extends AudioWorkletProcessor {
  constructor() {
    super();
    this.block = new Int16Array(1600);
    this.filled = 0;
  }

  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (channel) {
      for (let i = 0; i < channel.length; i += 1) {
        const v = Math.max(-1, Math.min(1, channel[i]));
        this.block[this.filled] = v < 0 ? v * 0x8000 : v * 0x7fff;
        this.filled += 1;
        if (this.filled === this.block.length) {
          this.port.postMessage(this.block.buffer, [this.block.buffer]);
          this.block = new Int16Array(1600);
          this.filled = 0;
        }
      }
    }
    return true;
  }
}

registerProcessor("pcm-capture", PcmCapture);
