// The lecture toolkit: gradient checking and pre-training diagnostics (CS231n's "one time
// setup" and "babysitting the learning process" checks) over the public model API.
export { gradCheck, type GradCheckOptions, type GradCheckResult, type ParamCheck } from './gradcheck.js';
export { diagnostics, type LayerStats, type ActivationStatsOptions, type SanityCheckOptions, type SanityCheckResult } from './diagnostics.js';
