/** ONNX graphs built in TypeScript and their cached sessions; public is only the cache's release. */
export { releaseGraphSessions } from './graphSession';
