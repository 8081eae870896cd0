/**
 * How much memory one forward pass over a clip needs, so that a clip too long for the machine is refused
 * with a message before onnxruntime asks for it (self-attention grows with the square of the clip's length:
 * a 10-minute clip through the bundled model wants about 30 GiB, and the kernel's out-of-memory killer ends the
 * process without a word).
 *
 * The model, fitted to the peak resident memory of the bundled model (4 heads, 64 conv channels) on 10-180 s
 * clips (`/usr/bin/time -f %M`, 178 MB at 10 s to 3.85 GB at 180 s; the estimate is 4-10% above at every length):
 *   bytes = 128 MiB + 2.5 x heads x 4 x T^2 (attention scores, their softmax, workspace)
 *         + 5 x (n / stride_1) x channels_1 x 4 (the first conv layer's output, norm and activation, transposed copy)
 *         + 2 x 4 x (T x hidden x (layers + 1) + T x intermediate x ffn) (exposed outputs and our copies)
 * for n samples and T transformer frames. Unknown sizes fall back to wav2vec2-base's (12 heads, 512 channels,
 * 768 wide), which overestimates small models rather than underestimating large ones.
 */
import { convFrames } from './convGeometry';
import type { ConvGeometry } from './LayerMap';

/** The sizes of a model that its memory use depends on. */
export interface RunMemoryShape {
  readonly conv: ConvGeometry;
  readonly heads?: number;
  readonly hidden?: number;
  readonly layers?: number;
  readonly intermediate?: number;
  readonly convChannels?: number;
  /** FFN activations exposed (each `[T, intermediate]`). */
  readonly ffnOutputs?: number;
}

/** Estimated peak bytes of one forward pass over `numSamples` samples. */
export function estimateRunBytes(shape: RunMemoryShape, numSamples: number): number {
  const frames = convFrames(numSamples, shape.conv);
  const T = frames[frames.length - 1] ?? 0;
  const first = frames[0] ?? 0;
  const heads = shape.heads ?? 12;
  const hidden = shape.hidden ?? 768;
  const layers = shape.layers ?? 12;
  const intermediate = shape.intermediate ?? 4 * hidden;
  const channels = shape.convChannels ?? 512;
  const attention = 2.5 * heads * 4 * T * T;
  const conv = 5 * first * channels * 4;
  const outputs = 2 * 4 * (T * hidden * (layers + 1) + T * intermediate * (shape.ffnOutputs ?? 0));
  return 128 * 2 ** 20 + attention + conv + outputs;
}
