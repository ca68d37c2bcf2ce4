#!/usr/bin/env node
// The Nx projects an app is made of: the app and everything it depends on, from the project graph.
//   node tools/scripts/ci-projects.mjs digit-recognition-app          comma-separated project names
//   node tools/scripts/ci-projects.mjs digit-recognition-app --roots  their folders, one per line
//   node tools/scripts/ci-projects.mjs --json engine-app ...          { project: [folders] } for each
// The GitLab jobs of an app test these projects, and its `rules: changes` list these folders (checked
// by tools/deploy-check against this same graph).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function projectGraph() {
  const folder = mkdtempSync(join(tmpdir(), 'nx-graph-'));
  try {
    execFileSync('npx', ['nx', 'graph', `--file=${join(folder, 'graph.json')}`], { stdio: 'ignore', env: { ...process.env, NX_DAEMON: 'false', NX_NO_CLOUD: 'true' } });
    return JSON.parse(readFileSync(join(folder, 'graph.json'), 'utf8')).graph;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** The project and every workspace project it depends on, directly or not (npm packages left out). */
export function projectClosure(graph, project) {
  if (!graph.nodes[project]) throw new Error(`no Nx project is called ${project}`);
  const seen = new Set([project]);
  const visit = (name) => {
    for (const { target } of graph.dependencies[name] ?? []) {
      if (graph.nodes[target] && !seen.has(target)) {
        seen.add(target);
        visit(target);
      }
    }
  };
  visit(project);
  return [...seen].sort();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const graph = projectGraph();
  const roots = (project) => projectClosure(graph, project).map((name) => graph.nodes[name].data.root);
  if (args[0] === '--json') console.log(JSON.stringify(Object.fromEntries(args.slice(1).map((project) => [project, roots(project)]))));
  else if (args[1] === '--roots') console.log(roots(args[0]).join('\n'));
  else console.log(projectClosure(graph, args[0]).join(','));
}
