/**
 * layerwise: layer-wise analysis of speech models in TypeScript.
 * `require('layerwise')` gives everything below.
 */
export * from './matrix';
export * from './model/ActivationCache';
