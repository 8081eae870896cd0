import { encodeWav } from '../data/audio/encodeWav';
import { escapeHtml } from './escapeHtml';
import type { NumericVector } from './finiteValues';

/** Options of `audioPlayer`. */
export interface AudioPlayerOptions {
  /** Segment start in seconds (default 0). */
  start?: number;
  /** Segment end in seconds (default: the end of the clip). */
  end?: number;
  /** Caption above the player (e.g. the transcript or the item id). */
  title?: string;
}

/**
 * An HTML `<audio controls>` player for a mono clip (`[samples]`, nominal range [-1, 1]) or a segment of
 * it. The audio travels inside the page as a 16-bit PCM WAV data URI, so the player works in saved
 * notebooks and offline HTML reports. Show it with `show(audioPlayer(...))`.
 */
export function audioPlayer(samples: NumericVector, sampleRate: number, opts: AudioPlayerOptions = {}): string {
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new Error(`audioPlayer: sampleRate must be a positive integer, got ${sampleRate}`);
  const duration = samples.length / sampleRate;
  const start = opts.start ?? 0;
  const end = opts.end ?? duration;
  if (!(Number.isFinite(start) && Number.isFinite(end) && start >= 0 && start < end && end <= duration + 0.5 / sampleRate)) {
    throw new Error(`audioPlayer: segment [${start}, ${end}] s must satisfy 0 <= start < end <= ${duration} s (the clip's length)`);
  }
  const i0 = Math.round(start * sampleRate);
  const i1 = Math.min(samples.length, Math.round(end * sampleRate));
  if (i1 <= i0) throw new Error(`audioPlayer: segment [${start}, ${end}] s holds no samples at ${sampleRate} Hz`);
  const segment = Float32Array.from(samples.slice(i0, i1));
  // encodeWav rejects NaN/Inf; clipping happens there too (16-bit PCM saturates at full scale).
  const wav = encodeWav(segment, sampleRate, { bitDepth: 16 });
  const span = opts.start !== undefined || opts.end !== undefined ? ` (${start.toFixed(2)}–${end.toFixed(2)} s)` : '';
  const caption = opts.title !== undefined || span !== '' ? `<figcaption>${escapeHtml(opts.title ?? '')}${span}</figcaption>` : '';
  return `<figure class="layerwise-audio" style="margin:0.4em 0">${caption}<audio controls preload="metadata" src="data:audio/wav;base64,${wav.toString('base64')}"></audio></figure>`;
}
