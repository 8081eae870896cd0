/**
 * layerwise: layer-wise analysis of speech models in TypeScript.
 * `require('layerwise')` gives everything below.
 */
export * from './matrix';
export * from './random';
export { environmentReport, type EnvironmentReport, type EnvironmentCheck } from './env/environmentReport';
export { registerKernel, kernelSpec, KERNEL_NAME, type RegisterKernelOptions, type RegisterKernelResult } from './env/kernelSpec';
export * from './model';
export * from './data';
export * from './viz';
export * from './report';
export * from './kernels';
export * from './sae';
