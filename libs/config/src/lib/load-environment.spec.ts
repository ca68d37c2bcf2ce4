import { createHash } from 'node:crypto';
import { ConfigurationError, loadEnvironment } from './load-environment';

describe('loadEnvironment', () => {
  it('gives the defaults for an empty environment', () => {
    const config = loadEnvironment({});
    expect(config).toMatchObject({ PORT: 3000, DATA_DIR: './data', MAX_UPLOAD_BYTES: 20 * 1024 * 1024, STEP_MAX_ATTEMPTS: 3, adminKeyHashes: [] });
  });

  it('converts numbers and keeps only the hash of the admin key', () => {
    const config = loadEnvironment({ PORT: '8080', ADMIN_API_KEY: 'a-very-secret-admin-key' });
    expect(config.PORT).toBe(8080);
    expect(config.adminKeyHashes).toEqual([createHash('sha256').update('a-very-secret-admin-key').digest('hex')]);
    expect(JSON.stringify(config)).not.toContain('a-very-secret-admin-key');
  });

  it('reads the optional settings too, and ignores variables it does not know', () => {
    const config = loadEnvironment({ WEBHOOK_SECRET: 'a-webhook-secret-of-length', WEBAPP_DIR: '/srv/webapp', HOME: '/root' });
    expect(config).toMatchObject({ WEBHOOK_SECRET: 'a-webhook-secret-of-length', WEBAPP_DIR: '/srv/webapp' });
    expect(config).not.toHaveProperty('HOME');
  });

  it('reads booleans as true or false only', () => {
    expect(loadEnvironment({}).WEBHOOK_ALLOW_PRIVATE_TARGETS).toBe(false);
    expect(loadEnvironment({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'TRUE' }).WEBHOOK_ALLOW_PRIVATE_TARGETS).toBe(true);
    expect(() => loadEnvironment({ WEBHOOK_ALLOW_PRIVATE_TARGETS: 'yes' })).toThrow(/WEBHOOK_ALLOW_PRIVATE_TARGETS="yes": WEBHOOK_ALLOW_PRIVATE_TARGETS must be true or false/);
  });

  it('refuses wrong values, naming each variable and never echoing a secret', () => {
    let error: ConfigurationError | undefined;
    try {
      loadEnvironment({ PORT: 'eighty', STEP_MAX_ATTEMPTS: '0', STORE_DRIVER: 'oracle', ADMIN_API_KEY: 'short' });
    } catch (e) {
      error = e as ConfigurationError;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error!.problems.map((p) => p.split('=')[0]).sort()).toEqual(['ADMIN_API_KEY', 'PORT', 'STEP_MAX_ATTEMPTS', 'STORE_DRIVER']);
    expect(error!.message).not.toContain('short');
  });

  it('takes MongoDB as the store only with its address, and never echoes the address', () => {
    expect(loadEnvironment({ STORE_DRIVER: 'mongo', MONGODB_URI: 'mongodb://aim:pw@mongodb-0.mongodb:27017/aim?authSource=admin' })).toMatchObject({ STORE_DRIVER: 'mongo' });
    expect(() => loadEnvironment({ STORE_DRIVER: 'mongo' })).toThrow(/MONGODB_URI must be mongodb:\/\/host:27017\/database \(needed with STORE_DRIVER=mongo\)/);
    let error: ConfigurationError | undefined;
    try {
      loadEnvironment({ STORE_DRIVER: 'mongo', MONGODB_URI: 'postgres://aim:hunter2@db/aim' });
    } catch (e) {
      error = e as ConfigurationError;
    }
    expect(error?.problems).toEqual([expect.stringMatching(/^MONGODB_URI=\(hidden\): MONGODB_URI must be mongodb:/)]);
    expect(error?.message).not.toContain('hunter2');
  });
});
