// The public API of @micro-ts/platform. It starts with structured logging and health;
// config, store, events, auth, trace and metrics follow, one folder each.
export {
  type LogLevel,
  type JsonLogger,
  type JsonLoggerOptions,
  createJsonLogger,
} from "./log/json-logger.js";
export {
  type HealthStatus,
  type HealthCheck,
  type HealthReport,
  type HealthOptions,
  type Health,
  createHealth,
} from "./health/health.js";
