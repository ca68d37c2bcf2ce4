#!/usr/bin/env node
// The model files each AI image carries, checked against pinned SHA-256 digests before the image is
// built: `node tools/scripts/verify-models.mjs <app>` (the GitLab prepare stage). Human's models come
// with @vladmandic/human (npm ci), gear is fetched by `npm ci` (prepare), the digit and face-detection
// models are committed.
// A model that changes on purpose (a retrained digit model) changes its digests here in the same commit.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HUMAN = 'node_modules/@vladmandic/human/models';
const BLAZEFACE = {
  [`${HUMAN}/blazeface.json`]: 'cd7bbfc078270572beb39f9e5ae67aadbd50b5e67cff37e6d4f6b3ea39312e5f',
  [`${HUMAN}/blazeface.bin`]: 'dc9a97fdc50bc43216554bdd69aa3e7b9361a519ee7bdd996a2f69a98a6f9b72',
};
export const MODELS = {
  'face-detection': {
    'libs/services/face-detection/model/facemesh-detection-short.json': '39a0a802cee9aeacd430e35b819f3a77f1440ca94747388a4147185a0bda7a03',
    'libs/services/face-detection/model/facemesh-detection-short.bin': 'e9b69ee1c1f8cd33c58120bcd75bf8c56bfba20c880f447e9d293ec102059d4b',
  },
  'face-analyzer': {
    ...BLAZEFACE,
    [`${HUMAN}/faceres.json`]: '5b83d49c0385d2e68a05122441b94226313677cae9fcc40b9587ad50079eb4df',
    [`${HUMAN}/faceres.bin`]: '2c7d2d62b76c97528b736527aa09d310ea71743c9e3e79fb6c62d4b2d73af79b',
    [`${HUMAN}/emotion.json`]: '56f7e557eb0c863a8b9ab04ac7ccba756e93bf2c27dce135ef0e8712b80b7ad2',
    [`${HUMAN}/emotion.bin`]: '927ac8224f356ab1e68c2bcfbfa07b0c8567047d1bcf817388ba6e38214c4987',
    'libs/services/face-analyzer/model/gear/gear.json': 'd364960439f8ff5d73e5a38e16ffc695a586330f5e03e40b6e0e7a3ec77ff03f',
    'libs/services/face-analyzer/model/gear/gear.bin': '53ef6bad582dd0a4617908489404866d96593ad11f29dec8f084dacaaf7f9ff6',
  },
  'digit-recognition': {
    'libs/services/digit-recognition/model/member-7/model.json': '2459a858b80e858817ecd9b1f862ad1405117c92362e8097b4b4f6c10b287da4',
    'libs/services/digit-recognition/model/member-7/weights.bin': '13a842118ad471a524d9f3901d72a3a7b8913f098de4f1581ed4b2f615b79eee',
    'libs/services/digit-recognition/model/member-8/model.json': '500b8307b5cfddc3eefe1f6dd799142296c65183cbba39819c9dfc272398ace4',
    'libs/services/digit-recognition/model/member-8/weights.bin': '40d65dbb92e0baeaa0ce361fe2e6687fd9fcddbb0d9114dded3d14e653a34421',
    'libs/services/digit-recognition/model/calibration.json': '3e3132d27ca3f3664a2a23f01e1b24df7e4f601015a545fb970f01d7b4917722',
  },
};

/** The files of `app` that are missing or differ from their digest, as messages; empty when all match. */
export function modelProblems(app, root) {
  const files = MODELS[app];
  if (!files) return [`no AI app is called ${app} (${Object.keys(MODELS).join(', ')})`];
  return Object.entries(files).flatMap(([file, sha]) => {
    const path = join(root, file);
    if (!existsSync(path)) return [`${file} is missing`];
    const actual = createHash('sha256').update(readFileSync(path)).digest('hex');
    return actual === sha ? [] : [`${file} has SHA-256 ${actual}, pinned ${sha}`];
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const app = process.argv[2];
  const problems = modelProblems(app, join(dirname(fileURLToPath(import.meta.url)), '../..'));
  for (const problem of problems) console.error(problem);
  if (problems.length) process.exit(1);
  console.log(`${app}: ${Object.keys(MODELS[app]).length} model files match their pinned SHA-256`);
}
