import { activationSparkline } from '../../src/viz/activationSparkline';
import { featureCard, peakSegment, type FeatureCardExample } from '../../src/viz/featureCard';
import { at } from '../../src/util/at';

/** The sample counts of every WAV inside `html`'s players, in order, read from the RIFF data chunk size. */
function playerSamples(html: string): number[] {
  return [...html.matchAll(/src="data:audio\/wav;base64,([A-Za-z0-9+/=]+)"/g)].map((m) => Buffer.from(at(m, 1), 'base64').readUInt32LE(40) / 2);
}

describe('activationSparkline', () => {
  it('maps frame start times to x over the clip and values to y over [min(0, min), max(0, max)]', () => {
    // duration 4 * 0.5 = 2 s over 100 px; y: 10 - (v + 1) / 3 * 10
    const svg = activationSparkline([0, 2, -1, 1], { frameSeconds: 0.5, width: 100, height: 10, highlight: { start: 0.25, end: 0.75 }, title: 'f <1>' });
    expect(svg).toContain('<polyline points="0,6.67 25,0 50,10 75,3.33"');
    expect(svg).toContain('<rect x="12.5" y="0" width="25" height="10"');
    expect(svg).toContain('<line x1="0" y1="6.67" x2="100" y2="6.67"');
    expect(svg).toContain('<title>f &lt;1&gt;</title>');
    expect(svg).toMatch(/^<svg [^>]*width="100" height="10" viewBox="0 0 100 10"/);
  });

  it('puts 0 at the bottom for non-negative traces and clips a highlight at the clip end', () => {
    const svg = activationSparkline([0, 4], { frameSeconds: 1, width: 10, height: 8, highlight: { start: 1.5, end: 3 } });
    expect(svg).toContain('points="0,8 5,0"');
    expect(svg).toContain('<rect x="7.5" y="0" width="2.5" height="8"');
  });

  it('rejects empty or non-finite traces and bad options', () => {
    expect(() => activationSparkline([], { frameSeconds: 0.02 })).toThrow(/values is empty/);
    expect(() => activationSparkline([1, NaN], { frameSeconds: 0.02 })).toThrow(/values\[1\] is NaN/);
    expect(() => activationSparkline([1], { frameSeconds: 0 })).toThrow(/frameSeconds must be positive/);
    expect(() => activationSparkline([1], { frameSeconds: 1, highlight: { start: 1, end: 1 } })).toThrow(/0 <= start < end/);
  });
});

describe('featureCard', () => {
  const sr = 100;
  // 2 s clips at 100 Hz; 100 frames of 20 ms each
  const clip = Float32Array.from({ length: 200 }, (_, i) => 0.5 * Math.sin(i / 3));
  const trace = Float32Array.from({ length: 100 }, (_, i) => (i === 5 ? 3 : 0));
  const examples: FeatureCardExample[] = [
    { clipId: 'spk-1-0001_0', transcript: 'A <B> & C', seconds: 0.1, activation: 3.14159, samples: clip, sampleRate: sr, trace, source: 'seconds 0-2 of 1-0001' },
    { clipId: 'spk-2-0002_1', transcript: null, seconds: 1.9, activation: 1.5, samples: clip, sampleRate: sr },
  ];

  it('segments around the peak frame, clipped to the clip', () => {
    expect(peakSegment(0.1, 2, 0.02, 0.25)).toEqual({ start: 0, end: 0.37 });
    const s = peakSegment(1.9, 2, 0.02, 0.25);
    expect(s.start).toBeCloseTo(1.65, 12);
    expect(s.end).toBe(2);
  });

  it('lists each example with activation, clip, peak time, both players, trace and transcript', () => {
    const html = featureCard(examples, { title: 'SAE feature 23 (random weights)', frameSeconds: 0.02 });
    expect(html).toContain('<h3>SAE feature 23 (random weights)</h3>');
    expect(html.match(/class="layerwise-feature-example"/g)).toHaveLength(2);
    // whole clip, then [0, 0.37] s = samples 0..37; whole clip, then [1.65, 2] s = samples 165..200
    expect(playerSamples(html)).toEqual([200, 37, 200, 35]);
    expect(html).toContain('<strong>Activation: 3.142</strong> · clip <code>spk-1-0001_0</code> <span style="color:#666">(seconds 0-2 of 1-0001)</span> · peak at 0.10 s');
    expect(html).toContain('<strong>Activation: 1.500</strong> · clip <code>spk-2-0002_1</code> · peak at 1.90 s');
    expect(html).toContain('around the peak (0.00–0.37 s)');
    expect(html).toContain('around the peak (1.65–2.00 s)');
    expect(html).toContain('<strong>Transcript:</strong> A &lt;B&gt; &amp; C');
    expect(html).toContain('<strong>Transcript:</strong> <em>none</em>');
    // one trace (the second example has none); its shaded span is [0, 0.37] s of 2 s over 600 px
    expect(html.match(/<svg /g)).toHaveLength(1);
    expect(html).toContain('<rect x="0" y="0" width="111" height="60"');
    expect(html.indexOf('spk-1-0001_0')).toBeLessThan(html.indexOf('spk-2-0002_1'));
  });

  it('keeps the first maxExamples and says when there is nothing to show', () => {
    expect(playerSamples(featureCard(examples, { title: 't', frameSeconds: 0.02, maxExamples: 1, contextSeconds: 0 }))).toEqual([200, 2]);
    expect(featureCard([], { title: 't', frameSeconds: 0.02 })).toContain('No frame activates this feature');
  });

  it('rejects peaks outside the clip and bad options', () => {
    const bad = [{ ...examples[1], seconds: 2 } as FeatureCardExample];
    expect(() => featureCard(bad, { title: 't', frameSeconds: 0.02 })).toThrow(/examples\[0\] \('spk-2-0002_1'\): peak at 2 s lies outside the clip's 2 s/);
    expect(() => featureCard(examples, { title: 't', frameSeconds: -1 })).toThrow(/frameSeconds must be positive/);
    expect(() => featureCard(examples, { title: 't', frameSeconds: 0.02, contextSeconds: NaN })).toThrow(/contextSeconds/);
    expect(() => featureCard(examples, { title: 't', frameSeconds: 0.02, maxExamples: 1.5 })).toThrow(/maxExamples/);
    expect(() => featureCard([{ ...examples[0], activation: Infinity } as FeatureCardExample], { title: 't', frameSeconds: 0.02 })).toThrow(/activation is Infinity/);
  });
});
