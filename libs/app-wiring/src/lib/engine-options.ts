import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { LoadedEnvironment } from '@aim/config';
import { EngineOptions } from '@aim/engine';
import { StoreOptions } from '@aim/store';

/** Where the engine keeps jobs and pipelines, from the environment. */
export function storeOptionsFrom(config: LoadedEnvironment): StoreOptions {
  if (config.STORE_DRIVER === 'mongo') {
    // Twice the retention: a backstop for jobs retention could not delete, never before it.
    return { driver: 'mongo', uri: config.MONGODB_URI as string, backstopTtlMs: config.JOB_RETENTION_HOURS * 2 * 3600 * 1000 };
  }
  return { driver: 'sqlite', dataDir: resolve(config.DATA_DIR) };
}

/** The engine's options from the environment: the same in one process and in the split shape. */
export function engineOptionsFrom(config: LoadedEnvironment): EngineOptions {
  return {
    heartbeatIntervalMs: config.HEARTBEAT_INTERVAL_MS,
    missedBeats: config.HEARTBEAT_MISSED_BEATS,
    serviceWaitMs: config.SERVICE_WAIT_MS,
    stepTimeoutMs: config.STEP_TIMEOUT_MS,
    stepMaxAttempts: config.STEP_MAX_ATTEMPTS,
    retryBaseDelayMs: config.RETRY_BASE_DELAY_MS,
    maxActiveJobs: config.MAX_ACTIVE_JOBS,
    maxUploadBytes: config.MAX_UPLOAD_BYTES,
    submitRatePerSecond: config.SUBMIT_RATE_PER_SECOND,
    submitRateBurst: config.SUBMIT_RATE_BURST,
    maxWaitSeconds: config.MAX_WAIT_SECONDS,
    maxForEachItems: config.MAX_FOREACH_ITEMS,
    expressionLimits: { timeoutMs: config.EXPRESSION_TIMEOUT_MS, maxDepth: config.EXPRESSION_MAX_DEPTH, maxItems: config.EXPRESSION_MAX_ITEMS },
    maxImagePixels: config.MAX_IMAGE_PIXELS,
    retentionMs: config.JOB_RETENTION_HOURS * 3600 * 1000,
    retentionSweepMs: config.RETENTION_SWEEP_MS,
    webhookSecret: config.WEBHOOK_SECRET,
    webhookMaxAttempts: config.WEBHOOK_MAX_ATTEMPTS,
    webhookTimeoutMs: config.WEBHOOK_TIMEOUT_MS,
    webhookAllowPrivateTargets: config.WEBHOOK_ALLOW_PRIVATE_TARGETS,
    adminKeyHashes: config.adminKeyHashes,
    userKeyHashes: config.userKeyHashes,
    allowAnonymous: config.ALLOW_ANONYMOUS,
    replicaId: config.ENGINE_REPLICA_ID ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
    leaseMs: config.JOB_LEASE_MS,
    // A submit stores its files, then its job, within seconds; a minute is far beyond that.
    leftoverGraceMs: 60_000,
  };
}
