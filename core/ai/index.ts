export * from './types.js';
export { aiConfigFromEnv, aiConfigSchema, aiEnvShape, type AiConfig, type ProviderSettings } from './config.js';
export { createOrchestrator, type Orchestrator, type OrchestratorOptions } from './orchestrator.js';
export { createProviders } from './registry.js';
export { estimateUsage } from './usage.js';
export { CircuitBreaker, type CircuitState } from './circuit-breaker.js';
