import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { ROOT } from './workspace';

export interface Step {
  keyword: string;
  /** Arguments with the file's ARG defaults filled in. */
  args: string[];
  flags: Record<string, string>;
}

export interface Stage {
  name: string | null;
  image: string;
  steps: Step[];
}

export interface ParsedDockerfile {
  /** What dockerfile-utils' validator (the one VS Code uses) finds wrong. */
  problems: string[];
  stages: Stage[];
}

/** An app's Dockerfile, parsed by dockerfile-ast into its stages. */
export function parseDockerfile(app: string): ParsedDockerfile {
  const text = readFileSync(join(ROOT, 'apps', app, 'Dockerfile'), 'utf8');
  const dockerfile = DockerfileParser.parse(text);
  const defaults = Object.fromEntries(
    dockerfile.getInitialARGs().map((arg) => [arg.getProperty()?.getName() ?? '', arg.getProperty()?.getValue() ?? '']),
  );
  const expand = (value: string) => value.replace(/\$\{?([A-Z_][A-Z0-9_]*)\}?/g, (whole, name: string) => defaults[name] ?? whole);
  const stages = dockerfile.getFROMs().map((from) => {
    const template = dockerfile.getContainingImage(from.getRange().start);
    const steps = (template?.getInstructions() ?? [])
      .filter((instruction) => instruction.getKeyword() !== 'FROM')
      .map((instruction) => {
        const flags = 'getFlags' in instruction ? (instruction as unknown as { getFlags(): { getName(): string; getValue(): string | null }[] }).getFlags() : [];
        return {
          keyword: instruction.getKeyword(),
          args: instruction.getArguments().map((argument) => expand(argument.getValue())),
          flags: Object.fromEntries(flags.map((flag) => [flag.getName(), flag.getValue() ?? ''])),
        };
      });
    return { name: from.getBuildStage(), image: expand(from.getImage() ?? ''), steps };
  });
  return { problems: validate(text).map((diagnostic) => `line ${diagnostic.range.start.line + 1}: ${diagnostic.message}`), stages };
}
