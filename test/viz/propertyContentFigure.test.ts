import type { ExperimentResult } from '../../src/experiments/ExperimentResult';
import { propertyContentFigure } from '../../src/viz/propertyContentFigure';

function result(experiment: ExperimentResult['experiment'], model: string, scores: Record<string, number | null>): ExperimentResult {
  return { experiment, model, layers: Object.keys(scores), scores, reasons: {}, rows: {}, details: {} };
}

describe('propertyContentFigure', () => {
  it('one panel per experiment; mean and sample spread over data samples; undefined layers left out', () => {
    const fig = propertyContentFigure([
      result('cca-phone', 'm1', { T0: 0.2, T1: 0.5, T2: null }),
      result('cca-phone', 'm1', { T0: 0.4, T1: 0.7, T2: null }),
      result('cca-phone', 'm2', { T0: 0.1, T1: 0.3, T2: 0.6 }),
      result('mi-word', 'm1', { T0: 0.05, T1: 0.1, T2: 0.2 }),
    ]);
    expect(fig.data.map((t) => [t.name, t.xaxis])).toEqual([
      ['m1', 'x'],
      ['m2', 'x'],
      ['m1', 'x2'],
    ]);
    const first = fig.data[0];
    if (first === undefined || first.type !== 'scatter') throw new Error('no trace');
    expect(first.x).toEqual(['T0', 'T1']);
    expect(first.y.map((v) => Number(v.toFixed(12)))).toEqual([0.3, 0.6]);
    // Sample standard deviation of (0.2, 0.4) and (0.5, 0.7): sqrt(0.02) each.
    expect(first.error_y?.array.map((v) => Number(v.toFixed(12)))).toEqual([Number(Math.sqrt(0.02).toFixed(12)), Number(Math.sqrt(0.02).toFixed(12))]);
    // One sample: no error bars.
    expect(fig.data[1]?.type === 'scatter' ? fig.data[1].error_y : 'x').toBeUndefined();
    expect(fig.layout.annotations?.map((a) => a.text)).toEqual(['cca-phone', 'mi-word']);
    expect(fig.layout.yaxis2?.title?.text).toBe('MI / H(word)');
    // The legend lists each model once.
    expect(fig.data.filter((t) => t.type === 'scatter' && t.showlegend === true).map((t) => t.name)).toEqual(['m1', 'm2']);
  });

  it('refuses an empty list', () => {
    expect(() => propertyContentFigure([])).toThrow(/no results/);
  });
});
