import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, ValidateIf } from 'class-validator';

export type StoreDriverName = 'sqlite' | 'mongo';

/**
 * Every setting the marketplace reads from the environment, with its default (optional ones default
 * to `undefined` explicitly: only declared properties are read from the environment). Names and defaults
 * are listed in the README and `.env.example`; keep the three in step.
 */
export class Environment {
  @Type(() => Number) @IsInt() @Min(0) @Max(65535) PORT = 3000;
  @IsString() HOST = '0.0.0.0';
  @IsString() @MinLength(1) DATA_DIR = './data';
  /** The built webapp; by default dist/apps/webapp/browser of the repository. */
  @IsOptional() @IsString() @MinLength(1) WEBAPP_DIR?: string = undefined;
  /** `sqlite`: a file in DATA_DIR (one process, or replicas on one machine); `mongo`: MongoDB at MONGODB_URI (the split shape). */
  @IsIn(['sqlite', 'mongo']) STORE_DRIVER: StoreDriverName = 'sqlite';
  @ValidateIf((environment: Environment) => environment.STORE_DRIVER === 'mongo' || environment.MONGODB_URI !== undefined)
  @Matches(/^mongodb(\+srv)?:\/\/\S+$/, { message: 'MONGODB_URI must be mongodb://host:27017/database (needed with STORE_DRIVER=mongo)' })
  MONGODB_URI?: string = undefined;
  /**
   * Replicas of the engine on one store: each names itself (unique per process; default: host, process
   * id and a random part) and holds the jobs it runs by a lease it renews; a replica that dies loses its
   * jobs to another once JOB_LEASE_MS has passed.
   */
  @IsOptional() @Matches(/^[\w.-]{1,100}$/, { message: 'ENGINE_REPLICA_ID must be 1-100 letters, digits, ".", "-" or "_"' }) ENGINE_REPLICA_ID?: string = undefined;
  @Type(() => Number) @IsInt() @Min(300) @Max(600_000) JOB_LEASE_MS = 15_000;
  @IsIn(['error', 'warn', 'log', 'debug', 'verbose']) LOG_LEVEL: 'error' | 'warn' | 'log' | 'debug' | 'verbose' = 'log';

  @IsIn(['auto', 'node', 'wasm', 'cpu']) ML_BACKEND: 'auto' | 'node' | 'wasm' | 'cpu' = 'auto';

  @Type(() => Number) @IsInt() @Min(1024) MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
  @Type(() => Number) @IsInt() @Min(1) MAX_IMAGE_PIXELS = 40_000_000;
  @Type(() => Number) @IsInt() @Min(1) MAX_ACTIVE_JOBS = 1000;

  @Type(() => Number) @Min(0) SUBMIT_RATE_PER_SECOND = 50;
  @Type(() => Number) @IsInt() @Min(1) SUBMIT_RATE_BURST = 100;
  @Type(() => Number) @IsInt() @Min(0) @Max(3600) MAX_WAIT_SECONDS = 60;
  @Type(() => Number) @IsInt() @Min(1) MAX_FOREACH_ITEMS = 1000;
  @Type(() => Number) @IsInt() @Min(1) @Max(10_000) EXPRESSION_TIMEOUT_MS = 100;
  @Type(() => Number) @IsInt() @Min(10) @Max(10_000) EXPRESSION_MAX_DEPTH = 500;
  @Type(() => Number) @IsInt() @Min(1) EXPRESSION_MAX_ITEMS = 100_000;

  @Type(() => Number) @IsInt() @Min(1) STEP_TIMEOUT_MS = 30_000;
  @Type(() => Number) @IsInt() @Min(1) @Max(20) STEP_MAX_ATTEMPTS = 3;
  @Type(() => Number) @IsInt() @Min(1) RETRY_BASE_DELAY_MS = 500;

  @Type(() => Number) @IsInt() @Min(10) HEARTBEAT_INTERVAL_MS = 5000;
  @Type(() => Number) @IsInt() @Min(1) HEARTBEAT_MISSED_BEATS = 3;
  @Type(() => Number) @IsInt() @Min(0) SERVICE_WAIT_MS = 10_000;
  @Type(() => Number) @IsInt() @Min(1) SERVICE_CONCURRENCY = 8;
  @Type(() => Number) @IsInt() @Min(0) SERVICE_QUEUE_LIMIT = 8;

  /** The split shape: how the engine and the service processes reach each other. */
  @IsIn(['nats', 'tcp']) TRANSPORT: 'nats' | 'tcp' = 'nats';
  @IsString() @Matches(/^(nats|tls):\/\/[^\s,]+(,(nats|tls):\/\/[^\s,]+)*$/, { message: 'NATS_URL must be nats://host:port (comma-separated for several)' })
  NATS_URL = 'nats://127.0.0.1:4222';
  /** TCP: where the engine hears the services' announcements. */
  @IsString() ENGINE_TCP_HOST = '127.0.0.1';
  @Type(() => Number) @IsInt() @Min(1) @Max(65535) ENGINE_TCP_PORT = 4100;
  /** TCP: where each service takes calls, `name=host:port,...`; a service process listens on its own entry's port. */
  @Matches(/^([a-z0-9-]+=[^:,\s]+:\d{1,5})(,[a-z0-9-]+=[^:,\s]+:\d{1,5})*$/, { message: 'TCP_SERVICES must be name=host:port,name=host:port' })
  TCP_SERVICES = 'image-processing=127.0.0.1:4101,face-detection=127.0.0.1:4102,face-analyzer=127.0.0.1:4103,digit-recognition=127.0.0.1:4104';
  /** Split shape: blobs in the NATS object store (`nats`) or a folder every process shares (`folder`, DATA_DIR/blobs); `auto`: nats over NATS, folder over TCP. */
  @IsIn(['auto', 'nats', 'folder']) BLOB_DRIVER: 'auto' | 'nats' | 'folder' = 'auto';
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: 'BLOB_BUCKET must be 1-64 letters, digits, - or _' }) BLOB_BUCKET = 'aim-blobs';
  /** A service process that is stopped finishes the calls it holds for at most this long. */
  @Type(() => Number) @IsInt() @Min(0) SERVICE_STOP_GRACE_MS = 30_000;

  @Type(() => Number) @Min(0) JOB_RETENTION_HOURS = 168;
  @Type(() => Number) @IsInt() @Min(1000) RETENTION_SWEEP_MS = 10 * 60 * 1000;

  @IsOptional() @IsString() @MinLength(16, { message: 'WEBHOOK_SECRET must be at least 16 characters' }) WEBHOOK_SECRET?: string = undefined;
  @Type(() => Number) @IsInt() @Min(1) @Max(20) WEBHOOK_MAX_ATTEMPTS = 5;
  @Type(() => Number) @IsInt() @Min(100) WEBHOOK_TIMEOUT_MS = 5000;
  /** Only for local testing: lets webhooks reach loopback, private and link-local addresses. */
  @Transform(({ value }) => (typeof value === 'string' ? { true: true, false: false }[value.toLowerCase()] ?? value : value))
  @IsBoolean({ message: 'WEBHOOK_ALLOW_PRIVATE_TARGETS must be true or false' })
  WEBHOOK_ALLOW_PRIVATE_TARGETS = false;

  @IsOptional() @IsString() @MinLength(16, { message: 'ADMIN_API_KEY must be at least 16 characters' }) ADMIN_API_KEY?: string = undefined;
  @IsOptional()
  @Matches(/^[0-9a-f]{64}(,[0-9a-f]{64})*$/, { message: 'ADMIN_API_KEY_SHA256 must be comma-separated SHA-256 hex digests' })
  ADMIN_API_KEY_SHA256?: string = undefined;

  /** User keys: each owns the jobs submitted with it. Comma-separated, each at least 16 characters. */
  @IsOptional()
  @Matches(/^[^,\s]{16,}(,[^,\s]{16,})*$/, { message: 'API_KEYS must be comma-separated keys of at least 16 characters each' })
  API_KEYS?: string = undefined;
  @IsOptional()
  @Matches(/^[0-9a-f]{64}(,[0-9a-f]{64})*$/, { message: 'API_KEYS_SHA256 must be comma-separated SHA-256 hex digests' })
  API_KEYS_SHA256?: string = undefined;
  /** Callers without a key may submit jobs (a browser owns its jobs through a cookie). */
  @Transform(({ value }) => (typeof value === 'string' ? { true: true, false: false }[value.toLowerCase()] ?? value : value))
  @IsBoolean({ message: 'ALLOW_ANONYMOUS must be true or false' })
  ALLOW_ANONYMOUS = true;
}
