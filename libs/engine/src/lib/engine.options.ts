import { ExpressionLimits } from './pipelines/pipeline-expressions';

export const ENGINE_OPTIONS = Symbol('ENGINE_OPTIONS');

/** Everything the engine can be tuned with; the app builds it from validated configuration. */
export interface EngineOptions {
  heartbeatIntervalMs: number;
  /** Beats an instance may miss before it is marked unavailable. */
  missedBeats: number;
  /** How long a step waits for its service to become available before the attempt fails. */
  serviceWaitMs: number;
  stepTimeoutMs: number;
  stepMaxAttempts: number;
  retryBaseDelayMs: number;
  /** Jobs accepted and not finished, at most; one more is refused with 429. */
  maxActiveJobs: number;
  maxUploadBytes: number;
  /** Submits per second and burst per caller (API key, else address); 0 turns the limit off. */
  submitRatePerSecond: number;
  submitRateBurst: number;
  /** Longest wait a caller may ask for with `Prefer: wait=N` (seconds); 0 turns waiting off. */
  maxWaitSeconds: number;
  /** Items a for-each list may have; a longer one fails its step. */
  maxForEachItems: number;
  /** Time, depth and list size one pipeline expression may use. */
  expressionLimits: ExpressionLimits;
  maxImagePixels: number;
  retentionMs: number;
  retentionSweepMs: number;
  webhookSecret?: string;
  webhookMaxAttempts: number;
  webhookTimeoutMs: number;
  /** Lets webhooks reach loopback and private addresses (local testing only). */
  webhookAllowPrivateTargets: boolean;
  /** SHA-256 hex digests of the admin API keys; empty means pipeline writes are refused. */
  adminKeyHashes: string[];
  /** SHA-256 hex digests of the user API keys: each owns the jobs it submits. */
  userKeyHashes: string[];
  /** Callers without a key may submit, owning their jobs through a cookie. */
  allowAnonymous: boolean;
  /** This replica's name on the store: the owner of the leases it takes (unique per process). */
  replicaId: string;
  /** How long a job's lease lasts unless renewed (renewed every third of it). */
  leaseMs: number;
  /**
   * How old what a crash left behind (half-written files, files of jobs never stored) must be before it
   * is swept: another replica's submit may be writing them right now. 0 sweeps at start (one process alone, tests).
   */
  leftoverGraceMs: number;
}
