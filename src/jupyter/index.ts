/** The Jupyter side: registering this project's tslab as the kernel `layerwise`, and the environment check of notebook 00. */
export { registerKernel, KERNEL_NAME, type RegisterKernelOptions, type RegisterKernelResult } from './kernelSpec';
export { environmentReport, type EnvironmentReport, type EnvironmentCheck } from './environmentReport';
