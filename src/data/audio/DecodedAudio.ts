/**
 * Audio as the decoders hand it over: one Float32Array per channel, all the same length, at the file's own
 * sample rate, in the nominal range [-1, 1).
 */
export interface DecodedAudio {
  readonly channels: readonly Float32Array[];
  readonly sampleRate: number;
}

/** The encodings `detectAudioFormat` recognises from the first bytes of a file. */
export type AudioFormat = 'wav' | 'flac' | 'ogg' | 'mp3';
