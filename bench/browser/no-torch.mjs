// In the place of ../lib/torch-cells.mjs in a browser page: PyTorch is native, it is measured
// in the Node run only (browsers have no PyTorch contender, so these are never called).

const native = () => Object.assign(new Error('PyTorch is native: it runs in the Node bench only'), { status: 'not installed' });
export async function torchTrainCell() { throw native(); }
export async function torchPredictCell() { throw native(); }
