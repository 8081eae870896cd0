import { audioPlayer } from '../../src/viz/audioPlayer';
import { at } from '../../src/util/at';

/** Read the WAV inside the player's data URI by the RIFF layout (independent of the encoder). */
function wavOf(html: string): { header: Record<string, number | string>; pcm: number[] } {
  const m = /<audio controls[^>]* src="data:audio\/wav;base64,([A-Za-z0-9+/=]+)"><\/audio>/.exec(html);
  if (m === null) throw new Error(`no audio data URI in ${html.slice(0, 200)}`);
  const b = Buffer.from(at(m, 1), 'base64');
  const header = {
    riff: b.toString('ascii', 0, 4),
    riffSize: b.readUInt32LE(4),
    wave: b.toString('ascii', 8, 12),
    fmt: b.toString('ascii', 12, 16),
    format: b.readUInt16LE(20),
    channels: b.readUInt16LE(22),
    sampleRate: b.readUInt32LE(24),
    byteRate: b.readUInt32LE(28),
    blockAlign: b.readUInt16LE(32),
    bits: b.readUInt16LE(34),
    data: b.toString('ascii', 36, 40),
    dataSize: b.readUInt32LE(40),
  };
  const pcm: number[] = [];
  for (let o = 44; o < b.length; o += 2) pcm.push(b.readInt16LE(o));
  return { header, pcm };
}

describe('audioPlayer', () => {
  const sr = 4;
  // 2 s at 4 Hz; the segment [0.25, 1.25) s is samples 1..4
  const clip = Float32Array.from([0, 0.5, -0.5, 0.25, 1, -1, 0.75, 0.1]);

  it('embeds the whole clip as 16-bit PCM WAV', () => {
    const { header, pcm } = wavOf(audioPlayer(clip, sr));
    expect(header).toEqual({
      riff: 'RIFF', riffSize: 36 + 16, wave: 'WAVE', fmt: 'fmt ', format: 1, channels: 1, sampleRate: 4,
      byteRate: 8, blockAlign: 2, bits: 16, data: 'data', dataSize: 16,
    });
    // x * 32768 rounded, full scale clipped to 32767
    expect(pcm).toEqual([0, 16384, -16384, 8192, 32767, -32768, 24576, 3277]);
  });

  it('plays only the requested segment and says which', () => {
    const html = audioPlayer([...clip], sr, { start: 0.25, end: 1.25, title: 'yes <012>' });
    expect(wavOf(html).pcm).toEqual([16384, -16384, 8192, 32767]);
    expect(html).toContain('<figcaption>yes &lt;012&gt; (0.25–1.25 s)</figcaption>');
  });

  it('rejects segments outside the clip', () => {
    expect(() => audioPlayer(clip, sr, { start: 1, end: 3 })).toThrow(/0 <= start < end <= 2 s/);
    expect(() => audioPlayer(clip, sr, { start: 1, end: 1 })).toThrow(/start < end/);
    expect(() => audioPlayer(clip, 0)).toThrow(/sampleRate/);
    expect(() => audioPlayer([0, NaN], sr)).toThrow(/NaN/);
  });
});
