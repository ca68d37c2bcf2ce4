import { INestApplication, Logger, LogLevel } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { ConfigurationError, LoadedEnvironment, loadEnvironment } from '@aim/config';
import { describeFault, guardAgainstUnhandledRejections } from '@aim/service-kit';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Nest's log levels for the configured one. */
export function logLevels(config: LoadedEnvironment): LogLevel[] {
  return LEVELS.slice(0, LEVELS.indexOf(config.LOG_LEVEL) + 1);
}

export interface RunningApp {
  app: INestApplication;
  /** Counts an unhandled rejection (the process goes on), where the app has a metric for it. */
  onUnhandledRejection?: () => void;
}

/**
 * What every app's main does: no unhandled rejection ends the process (tfjs-wasm would rethrow it), the
 * environment is read once (`.env` below it; a wrong value exits with 78, EX_CONFIG, naming the variable),
 * then the app is built, listens on PORT, and says where.
 */
export async function runApp(name: string, create: (config: LoadedEnvironment) => Promise<RunningApp>, describe: (config: LoadedEnvironment) => string): Promise<void> {
  let counted: (() => void) | undefined;
  guardAgainstUnhandledRejections((reason) => {
    Logger.error(`unhandled promise rejection (the process goes on): ${describeFault(reason)}`, 'Process');
    counted?.();
  });
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config: LoadedEnvironment;
  try {
    config = loadEnvironment();
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    console.error(error.message);
    process.exit(78);
  }
  try {
    const { app, onUnhandledRejection } = await create(config);
    counted = onUnhandledRejection;
    await app.listen(config.PORT, config.HOST);
    Logger.log(describe(config), 'Main');
  } catch (error) {
    Logger.error(`${name} could not start: ${describeFault(error)}`, 'Main');
    process.exit(1);
  }
}
