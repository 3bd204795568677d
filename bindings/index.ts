export { init, runtime, core, type InitOptions, type Runtime } from './runtime.js';
export { Arena, MAX_BYTES, formatBytes } from './arena.js';
export { Act, bindRaw, type Kernels, type RawKernels, type Geometry, type Exports, type DType } from './ops.js';
export { bindKernels } from './kernels.js';
export { WasmTensor, TensorView, BYTES, type Operand, type StorageType, type WasmView } from './wasm-tensor.js';
