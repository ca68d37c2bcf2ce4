#!/usr/bin/env node
// `npx marketplace ...`: runs the built CLI, building it first when it is missing.
const { existsSync } = require('node:fs');
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');

const root = join(__dirname, '../../..');
const bundle = join(root, 'dist/apps/cli/main.js');
if (!existsSync(bundle)) {
  const build = spawnSync('npx', ['nx', 'build', 'cli', '--output-style=static'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' },
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
}
require(bundle);
