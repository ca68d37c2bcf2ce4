// `npm run start:service -- <name>`: builds the service's app and runs it (the split shape).
import { execFileSync, spawn } from 'node:child_process';

const SERVICES = ['image-processing', 'face-detection', 'face-analyzer', 'digit-recognition'];
const name = process.argv[2];
if (!SERVICES.includes(name)) {
  console.error(`usage: npm run start:service -- <${SERVICES.join('|')}>`);
  process.exit(64);
}
const env = { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' };
execFileSync('npx', ['nx', 'build', `${name}-app`], { stdio: 'inherit', env });
const child = spawn(process.execPath, [`dist/apps/${name}/main.js`], { stdio: 'inherit', env: process.env });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
