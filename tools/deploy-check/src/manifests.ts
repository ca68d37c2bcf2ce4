import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import { ROOT } from './workspace';

export const OVERLAYS = ['dev', 'test', 'prod'] as const;
export type Overlay = (typeof OVERLAYS)[number];
/** Where each overlay puts the product. */
export const NAMESPACES: Record<Overlay, string> = { dev: 'ai-marketplace-dev', test: 'ai-marketplace-test', prod: 'ai-marketplace' };

/** A rendered Kubernetes object, as far as the checks read it. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The pinned kubectl (kustomize v5), fetched and checked by tools/scripts/fetch-kubectl.mjs. */
export function kubectl(): string {
  return execFileSync(process.execPath, [join(ROOT, 'tools/scripts/fetch-kubectl.mjs')], { encoding: 'utf8' }).trim();
}

/** `kubectl kustomize` of a folder: its objects. */
export function render(kubectlPath: string, folder: string): KubeObject[] {
  const text = execFileSync(kubectlPath, ['kustomize', folder], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return parseAllDocuments(text).map((document) => {
    if (document.errors.length) throw new Error(`kustomize printed invalid YAML: ${document.errors[0].message}`);
    return document.toJS() as KubeObject;
  });
}

export const nameOf = (object: KubeObject) => `${object.kind}/${object.metadata.name}`;

/** Problems kubernetes-models finds (types, required fields, formats), by object. */
export function schemaProblems(objects: KubeObject[]): string[] {
  const output = execFileSync(process.execPath, [join(__dirname, 'validate-models.mjs')], { input: JSON.stringify(objects), encoding: 'utf8', cwd: ROOT });
  return JSON.parse(output) as string[];
}

/**
 * Keys Kubernetes does not know, at any depth (kubernetes-models' validation lets them pass): each
 * object becomes an object literal typed with its kubernetes-models interface, and TypeScript's excess
 * property check, with the types and required fields, judges it.
 */
export function unknownKeyProblems(objects: KubeObject[]): string[] {
  const file = join(ROOT, 'tools/deploy-check/src/__rendered-manifests__.ts');
  const lines = objects.map((object, index) => {
    const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
    const module = `kubernetes-models/${group ? `${group}/` : ''}${version}/${object.kind}`;
    return `export const object${index}: import(${JSON.stringify(module)}).I${object.kind} = ${JSON.stringify(object)};`;
  });
  const source = lines.join('\n');
  const options: ts.CompilerOptions = { strict: true, noEmit: true, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, target: ts.ScriptTarget.ES2022, skipLibCheck: true, types: [] };
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, language, ...rest) => (name === file ? ts.createSourceFile(name, source, language) : getSourceFile.call(host, name, language, ...rest));
  host.fileExists = (name) => name === file || fileExists.call(host, name);
  host.readFile = (name) => (name === file ? source : readFile.call(host, name));
  const program = ts.createProgram([file], options, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const line = diagnostic.file && diagnostic.start !== undefined ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line : -1;
    const object = line >= 0 && diagnostic.file?.fileName === file ? nameOf(objects[line]) : diagnostic.file?.fileName ?? 'the check';
    return `${object}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`;
  });
}
