import { onnx } from 'onnx-proto';
import { unfuseSkipLayerNorm } from '../../src/model/unfuseSkipLayerNorm';

function sln(outputs: string[], inputs = ['x', 'skip', 'gamma', 'beta']): onnx.IModelProto {
  return onnx.ModelProto.create({
    graph: onnx.GraphProto.create({
      node: [onnx.NodeProto.create({ name: 'sln0', opType: 'SkipLayerNormalization', domain: 'com.microsoft', input: inputs, output: outputs, attribute: [onnx.AttributeProto.create({ name: 'epsilon', type: onnx.AttributeProto.AttributeType.FLOAT, f: 1e-5 })] })],
      output: outputs.filter((o) => o !== '').map((name) => onnx.ValueInfoProto.create({ name })),
    }),
  });
}

describe('unfuseSkipLayerNorm', () => {
  it('splits into Add (+ bias Add) and LayerNormalization, the sum keeping the 4th output name', () => {
    const plain = unfuseSkipLayerNorm(sln(['y', '', '', 'sum']));
    expect(plain.graph?.node?.map((n) => [n.opType, n.input, n.output])).toEqual([
      ['Add', ['x', 'skip'], ['sum']],
      ['LayerNormalization', ['sum', 'gamma', 'beta'], ['y']],
    ]);
    const biased = unfuseSkipLayerNorm(sln(['y'], ['x', 'skip', 'gamma', 'beta', 'bias']));
    expect(biased.graph?.node?.map((n) => [n.opType, n.input, n.output])).toEqual([
      ['Add', ['x', 'skip'], ['sln0/layerwise/skip_sum']],
      ['Add', ['sln0/layerwise/skip_sum', 'bias'], ['sln0/layerwise/sum']],
      ['LayerNormalization', ['sln0/layerwise/sum', 'gamma', 'beta'], ['y']],
    ]);
    expect(biased.graph?.node?.[2]?.attribute?.find((a) => a.name === 'epsilon')?.f).toBeCloseTo(1e-5, 12);
  });

  it('refuses a fused node whose mean or inverse std is read, naming it; leaves unfused models alone', () => {
    expect(() => unfuseSkipLayerNorm(sln(['y', 'mean']), 'm.onnx')).toThrow("m.onnx: SkipLayerNormalization sln0 has its mean or inverse-std output 'mean' read");
    const none = onnx.ModelProto.create({ graph: onnx.GraphProto.create({ node: [onnx.NodeProto.create({ opType: 'Add', input: ['a', 'b'], output: ['c'] })] }) });
    expect(unfuseSkipLayerNorm(none)).toBe(none);
  });
});
