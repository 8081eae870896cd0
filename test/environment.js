// onnxruntime-node creates output tensors in Node's own realm, and onnxruntime-common then checks them
// with `instanceof Float32Array` inside Jest's sandboxed realm, which fails. Sharing the outer realm's
// typed-array constructors with the sandbox makes both sides agree.
const { TestEnvironment } = require('jest-environment-node');

const shared = [
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Float32Array', 'Float64Array', 'Int8Array', 'Uint8Array',
  'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array',
];

class SharedTypedArrayEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of shared) this.global[name] = globalThis[name];
  }
}

module.exports = SharedTypedArrayEnvironment;
