// @monsteros/flows: the data layer composed. So far: the typed configuration and the pipeline
// model that every flow is written in; createDataLayer and the flows arrive with issue 8.
export { type DataLayerConfig, loadConfig } from './config.js';
export { ConfigError, FlowError, type FlowErrorCode, StepError } from './errors.js';
export {
  Pipeline,
  type PipelineResult,
  pipeline,
  type StepOptions,
  type StepStore,
  type StepTiming,
  type TimingRecorder,
} from './pipeline.js';
export {
  createRelay,
  type DrainResult,
  type OutboxHandler,
  PermanentError,
  type Relay,
  type RelayOptions,
  type RelayStats,
} from './relay.js';
