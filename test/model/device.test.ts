/**
 * The GPU option: `device: 'cuda'` runs a model on onnxruntime's CUDA provider where its CUDA build is installed
 * (then the hidden states match the CPU's), and otherwise fails at once with what to install; the CPU path is
 * the default and unchanged.
 */
import { cudaProviderLibrary, Session } from '../../src/backend/ort';
import { loadModel } from '../../src/model/loadModel';
import { GraphBuilder } from '../../src/onnx/GraphBuilder';
import { run as extractCli } from '../../src/cli/extract';

describe("device: 'cuda'", () => {
  const lib = cudaProviderLibrary();

  it('is refused with what to install where the CUDA build is missing, or matches the CPU where it is there', async () => {
    if ('missing' in lib) {
      await expect(loadModel('demo:wav2vec2-tiny-random', { device: 'cuda' })).rejects.toThrow(
        /device 'cuda': .*onnxruntime_providers_cuda\.so is not installed; install onnxruntime-node's CUDA build with `npm install onnxruntime-node --onnxruntime-node-install=cuda12`/,
      );
      return;
    }
    const x = new Float32Array(16000).map((_, t) => 0.3 * Math.sin(t / 7));
    const cpu = await loadModel('demo:wav2vec2-tiny-random');
    const gpu = await loadModel('demo:wav2vec2-tiny-random', { device: 'cuda' });
    const a = (await cpu.run(x)).hidden(12);
    const b = (await gpu.run(x)).hidden(12);
    let worst = 0;
    let scale = 0;
    for (let k = 0; k < a.data.length; k++) {
      worst = Math.max(worst, Math.abs((a.data[k] ?? 0) - (b.data[k] ?? 0)));
      scale = Math.max(scale, Math.abs(a.data[k] ?? 0));
    }
    expect(worst / scale).toBeLessThan(1e-3);
    await cpu.release();
    await gpu.release();
  });

  it('rejects other devices by name; cpu is the default', async () => {
    await expect(extractCli(['--model', 'demo:wav2vec2-tiny-random', '--data', 'x', '--out', 'y', '--device', 'tpu'])).rejects.toThrow("--device must be cpu or cuda, got 'tpu'");
    const g = new GraphBuilder('id');
    g.output(g.op('Identity', [g.input('x', 'float32', [2])]), 'y', 'float32', [2]);
    const s = await Session.create(g.toBytes(), { device: 'cpu' });
    expect((await s.run({ x: { type: 'float32', data: new Float32Array([1, 2]), dims: [2] } }))['y']?.data).toEqual(new Float32Array([1, 2]));
  });
});
