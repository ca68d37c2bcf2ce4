// Validates Kubernetes objects (a JSON array on stdin) with kubernetes-models, the schemas of
// Kubernetes itself; prints a JSON array of problems. A script of its own: the package is ESM only.
import { readFileSync } from 'node:fs';

const objects = JSON.parse(readFileSync(0, 'utf8'));
const problems = [];
for (const object of objects) {
  const name = `${object.kind}/${object.metadata?.name}`;
  const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
  let models;
  try {
    models = await import(`kubernetes-models/${group ? `${group}/` : ''}${version}`);
  } catch {
    problems.push(`${name}: kubernetes-models knows no API version ${object.apiVersion}`);
    continue;
  }
  const Model = models[object.kind];
  if (!Model) {
    problems.push(`${name}: ${object.apiVersion} has no kind ${object.kind}`);
    continue;
  }
  try {
    new Model(object).validate();
  } catch (error) {
    problems.push(`${name}: ${error.message}`);
  }
}
console.log(JSON.stringify(problems));
