export { Optimizer, trainableVariablesOf, type GradAndVar, type HyperParameter, type MinimizeOptions } from "./optimizer.js";
export { GradientDescentOptimizer } from "./gradient-descent.js";
export { MomentumOptimizer, type MomentumOptions } from "./momentum.js";
export { AdamOptimizer, type AdamOptions } from "./adam.js";
export { RMSPropOptimizer, type RMSPropOptions } from "./rmsprop.js";
export { AdagradOptimizer, type AdagradOptions } from "./adagrad.js";
export { exponentialDecay, type ExponentialDecayOptions } from "./learning-rate-decay.js";
export { createGlobalStep, getGlobalStep, getOrCreateGlobalStep } from "./global-step.js";
export {
  evaluate,
  evaluateAsync,
  fit,
  fitAsync,
  lineReporter,
  formatEpochLog,
  formatBatchLog,
  type BatchFeeds,
  type MetricFetches,
  type MetricValues,
  type EvaluateOptions,
  type FitOptions,
  type FitTargets,
  type BatchLog,
  type EpochLog,
  type TrainReporter,
  type LineReporterOptions,
} from "./loop.js";
export { Saver, type SaveOptions } from "./saver.js";
