export { init, runtime, core, type InitOptions, type Runtime } from './runtime.js';
export { Arena, MAX_BYTES, formatBytes } from './arena.js';
export { Act, bindKernels, type Kernels, type Exports, type DType } from './ops.js';
export { WasmTensor, BYTES, type StorageType, type WasmView } from './wasm-tensor.js';
