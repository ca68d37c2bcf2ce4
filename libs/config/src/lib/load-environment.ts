import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { createHash } from 'node:crypto';
import { Environment } from './environment';

export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigurationError';
  }
}

export interface LoadedEnvironment extends Omit<Environment, 'ADMIN_API_KEY' | 'ADMIN_API_KEY_SHA256'> {
  /** SHA-256 digests of the admin keys: the plain key is hashed here and not kept. */
  adminKeyHashes: string[];
}

/** Reads and checks the environment once; a wrong value throws an error naming the variable. */
export function loadEnvironment(source: NodeJS.ProcessEnv = process.env): LoadedEnvironment {
  const known = Object.keys(new Environment());
  const raw = Object.fromEntries(Object.entries(source).filter(([name, value]) => known.includes(name) && value !== ''));
  const environment = plainToInstance(Environment, raw, { exposeDefaultValues: true });
  const errors = validateSync(environment, { forbidUnknownValues: true });
  if (errors.length) {
    throw new ConfigurationError(
      errors.map((error) => {
        const given = error.property.startsWith('ADMIN_API_KEY') || error.property === 'WEBHOOK_SECRET' ? '(hidden)' : JSON.stringify(raw[error.property]);
        return `${error.property}=${given}: ${Object.values(error.constraints ?? {}).join('; ')}`;
      }),
    );
  }
  const { ADMIN_API_KEY, ADMIN_API_KEY_SHA256, ...rest } = environment;
  const adminKeyHashes = [
    ...(ADMIN_API_KEY ? [createHash('sha256').update(ADMIN_API_KEY).digest('hex')] : []),
    ...(ADMIN_API_KEY_SHA256 ? ADMIN_API_KEY_SHA256.split(',') : []),
  ];
  return { ...rest, adminKeyHashes };
}
