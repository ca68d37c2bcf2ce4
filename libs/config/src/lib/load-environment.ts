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

export interface LoadedEnvironment extends Omit<Environment, 'ADMIN_API_KEY' | 'ADMIN_API_KEY_SHA256' | 'API_KEYS' | 'API_KEYS_SHA256'> {
  /** SHA-256 digests of the admin keys: the plain key is hashed here and not kept. */
  adminKeyHashes: string[];
  /** SHA-256 digests of the user keys. */
  userKeyHashes: string[];
}

// A MongoDB address may carry a password.
const SECRETS = ['ADMIN_API_KEY', 'API_KEYS', 'WEBHOOK_SECRET', 'MONGODB_URI'];
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Reads and checks the environment once; a wrong value throws an error naming the variable. */
export function loadEnvironment(source: NodeJS.ProcessEnv = process.env): LoadedEnvironment {
  const known = Object.keys(new Environment());
  const raw = Object.fromEntries(Object.entries(source).filter(([name, value]) => known.includes(name) && value !== ''));
  const environment = plainToInstance(Environment, raw, { exposeDefaultValues: true });
  const errors = validateSync(environment, { forbidUnknownValues: true });
  if (errors.length) {
    throw new ConfigurationError(
      errors.map((error) => {
        const given = SECRETS.includes(error.property) ? '(hidden)' : JSON.stringify(raw[error.property]);
        return `${error.property}=${given}: ${Object.values(error.constraints ?? {}).join('; ')}`;
      }),
    );
  }
  const { ADMIN_API_KEY, ADMIN_API_KEY_SHA256, API_KEYS, API_KEYS_SHA256, ...rest } = environment;
  const adminKeyHashes = [...(ADMIN_API_KEY ? [sha256(ADMIN_API_KEY)] : []), ...(ADMIN_API_KEY_SHA256 ? ADMIN_API_KEY_SHA256.split(',') : [])];
  const userKeyHashes = [...(API_KEYS ? API_KEYS.split(',').map(sha256) : []), ...(API_KEYS_SHA256 ? API_KEYS_SHA256.split(',') : [])];
  return { ...rest, adminKeyHashes, userKeyHashes };
}
