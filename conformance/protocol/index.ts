/** `sa-storage-kit/protocol`: check a backend written in any language, over JSON lines (docs/protocol.md). */

export {
  applyIncidents,
  checkProcessBackend,
  type ProcessCheckReport,
  type ProcessDetails,
  processDetails,
} from './check-process.js';
export { encodeOperation, operationArguments, PROTOCOL_VERSION, parseResponse } from './messages.js';
export {
  type IncidentKind,
  ProcessBackend,
  type ProcessBackendOptions,
  type ProcessIncident,
} from './process-backend.js';
export { type ServedStorageFactory, type ServeOptions, serveProtocol } from './serve.js';
export {
  type Expectation,
  generateVectors,
  replayVectorCase,
  serializeVectors,
  VECTORS_FORMAT,
  VECTORS_VERSION,
  type VectorCase,
  type VectorFile,
  type VectorOptions,
  type VectorStep,
} from './vectors.js';
