// Jest runs the TypeScript sources through ts-jest. A few packages (audio decoders, the Parquet reader and writer) ship as ES modules only;
// Node 20.19+ loads them with require() at run time, but Jest's own module loader does not, so those
// packages are transpiled to CommonJS for the tests.
const esmOnly = [
  'mpg123-decoder', 'ogg-opus-decoder', 'hyparquet', 'hyparquet-writer',
  '@wasm-audio-decoders', '@eshaz', 'simple-yenc', 'codec-parser', 'opus-decoder', '@thi.ng',
];
module.exports = {
  testEnvironment: '<rootDir>/test/environment.js',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.tsx?$': ['ts-jest', { tsconfig: '<rootDir>/test/tsconfig.json' }],
    '^.+\\.m?js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', target: 'ES2022', isolatedModules: true } }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  testTimeout: 120000,
};
