import {
  findTask,
  INPUTS_REF,
  isReservedName,
  MAX_JSON_DEPTH,
  nestsDeeperThan,
  own,
  outputFitsInput,
  ParamsValidator,
  parseReference,
  PIPELINE_DEFINITION_SCHEMA,
  PipelineDefinition,
  PipelineStep,
  Problem,
  ServiceDescriptor,
  TaskDescriptor,
} from '@aim/contracts';
import { CONTEXT_NAMES, findCycle, stepDependencies, stepExpressions } from './pipeline-graph';
import { PipelineExpressions } from './pipeline-expressions';

export type ServiceCatalog = (service: string) => ServiceDescriptor | undefined;

/** Checks a pipeline definition and answers every problem found, each with its path. */
export class PipelineValidator {
  constructor(
    private readonly params: ParamsValidator,
    private readonly expressions: PipelineExpressions,
  ) {}

  validate(candidate: unknown, catalog: ServiceCatalog): Problem[] {
    if (nestsDeeperThan(candidate, MAX_JSON_DEPTH)) return [{ path: '$', message: `the definition nests deeper than ${MAX_JSON_DEPTH} levels` }];
    const shape = this.params.validate(PIPELINE_DEFINITION_SCHEMA, candidate as Record<string, unknown>, '$');
    if (shape.length) return shape.map((problem) => ({ ...problem, path: problem.path.replace(/^\$\.?/, '') || '$' }));
    const definition = candidate as PipelineDefinition;
    const problems: Problem[] = reservedNames(definition);
    if (problems.length) return problems;
    if (definition.params) problems.push(...this.params.schemaProblems(definition.params, 'params'));

    const steps = new Map<string, { step: PipelineStep; task?: TaskDescriptor }>();
    definition.steps.forEach((step, index) => {
      if (steps.has(step.id)) problems.push({ path: `steps[${index}].id`, message: `step id "${step.id}" is used twice` });
      const descriptor = catalog(step.service);
      const task = descriptor && findTask(descriptor, step.task);
      steps.set(step.id, { step, task });
    });

    definition.steps.forEach((step, index) => {
      problems.push(...this.checkStep(definition, step, `steps[${index}]`, steps, catalog));
    });

    for (const [name, reference] of Object.entries(definition.outputs)) {
      const problem = this.checkStepReference(reference, steps, `outputs.${name}`);
      if (problem) problems.push(problem);
    }

    const cycle = findCycle(stepDependencies(definition, this.expressions));
    if (cycle) problems.push({ path: 'steps', message: `the steps form a cycle: ${cycle.join(' → ')}` });
    return problems;
  }

  private checkStep(
    definition: PipelineDefinition,
    step: PipelineStep,
    path: string,
    steps: Map<string, { step: PipelineStep; task?: TaskDescriptor }>,
    catalog: ServiceCatalog,
  ): Problem[] {
    const problems: Problem[] = [];
    const descriptor = catalog(step.service);
    const task = steps.get(step.id)?.task;
    if (!descriptor) {
      problems.push({ path: `${path}.service`, message: `unknown service "${step.service}"` });
    } else if (!task) {
      const known = descriptor.tasks.map((t) => t.name).join(', ');
      problems.push({ path: `${path}.task`, message: `service "${step.service}" has no task "${step.task}" (it has ${known})` });
    }

    for (const { path: where, text } of stepExpressions(step)) {
      try {
        for (const name of this.expressions.rootNames(text)) {
          const isStep = steps.has(name);
          if (!isStep && !CONTEXT_NAMES.has(name)) {
            problems.push({ path: `${path}.${where}`, message: `"${name}" is neither a step nor one of ${[...CONTEXT_NAMES].join(', ')}` });
          } else if ((name === 'item' || name === 'index') && !step.forEach) {
            problems.push({ path: `${path}.${where}`, message: `"${name}" is only defined in a step with forEach` });
          }
        }
      } catch (error) {
        problems.push({ path: `${path}.${where}`, message: `not a valid expression: ${(error as Error).message}` });
      }
    }

    for (const [inputName, reference] of Object.entries(step.inputs)) {
      const inputPath = `${path}.inputs.${inputName}`;
      const accepted = task?.inputs.find((input) => input.name === inputName)?.contentTypes;
      if (task && !accepted) {
        problems.push({ path: inputPath, message: `task "${task.name}" has no input "${inputName}"` });
        continue;
      }
      const parsed = parseReference(reference);
      if (parsed?.source === 'input') {
        const pipelineInput = own(definition.inputs, parsed.name);
        if (!pipelineInput) {
          problems.push({ path: inputPath, message: `the pipeline has no input "${parsed.name}"` });
        } else if (accepted) {
          const refused = pipelineInput.contentTypes.filter((type) => !accepted.includes(type));
          if (refused.length) {
            problems.push({ path: inputPath, message: `content type mismatch: ${INPUTS_REF}.${parsed.name} may be ${refused.join(', ')}, but ${step.task}.${inputName} accepts ${accepted.join(', ')}` });
          }
        }
        continue;
      }
      const problem = this.checkStepReference(reference, steps, inputPath, step.id);
      if (problem) {
        problems.push(problem);
        continue;
      }
      const source = steps.get(parsed!.step!)!;
      const output = source.task?.outputs.find((o) => o.name === parsed!.name);
      if (output && accepted && !outputFitsInput(output.contentType, accepted)) {
        problems.push({ path: inputPath, message: `content type mismatch: ${reference} is ${output.contentType}, but ${step.task}.${inputName} accepts ${accepted.join(', ')}` });
      }
      if (source.step.forEach && source.step.forEach !== step.forEach) {
        problems.push({ path: inputPath, message: `${reference} is a list (step "${source.step.id}" runs for each item); give this step the same forEach to take its items one by one` });
      }
    }
    if (task) {
      for (const input of task.inputs) {
        if (!Object.hasOwn(step.inputs, input.name)) problems.push({ path: `${path}.inputs.${input.name}`, message: `task "${task.name}" needs the input "${input.name}"` });
      }
      problems.push(...this.checkParams(step, task, path));
    }
    return problems;
  }

  private checkParams(step: PipelineStep, task: TaskDescriptor, path: string): Problem[] {
    const bound = Object.keys(step.bind ?? {});
    const problems: Problem[] = [];
    const properties = (task.params['properties'] ?? {}) as Record<string, unknown>;
    for (const name of bound) {
      if (!Object.hasOwn(properties, name)) problems.push({ path: `${path}.bind.${name}`, message: `task "${task.name}" has no parameter "${name}"` });
      if (step.params && Object.hasOwn(step.params, name)) problems.push({ path: `${path}.bind.${name}`, message: `"${name}" is both fixed in params and bound` });
    }
    // Bound parameters are only known at run time, where the full schema is checked again.
    let schema = task.params;
    if (bound.length) {
      const { anyOf: _anyOf, required = [], ...rest } = task.params as { anyOf?: unknown; required?: string[] };
      schema = { ...rest, required: required.filter((name) => !bound.includes(name)) };
    }
    problems.push(...this.params.validate(schema, structuredClone(step.params ?? {}), `${path}.params`));
    return problems;
  }

  private checkStepReference(
    reference: string,
    steps: Map<string, { step: PipelineStep; task?: TaskDescriptor }>,
    path: string,
    consumer?: string,
  ): Problem | undefined {
    const parsed = parseReference(reference);
    if (!parsed || parsed.source !== 'step') return { path, message: `"${reference}" must name a step output as <step>.<output>` };
    const source = steps.get(parsed.step!);
    if (!source) return { path, message: `"${reference}" refers to a step "${parsed.step}" that does not exist` };
    if (parsed.step === consumer) return { path, message: `a step cannot read its own output "${reference}"` };
    if (source.task && !source.task.outputs.some((o) => o.name === parsed.name)) {
      return { path, message: `step "${parsed.step}" (${source.task.name}) has no output "${parsed.name}"; it has ${source.task.outputs.map((o) => o.name).join(', ')}` };
    }
    return undefined;
  }
}

/** Names that every object answers by inheritance would be mistaken for real inputs, outputs or steps. */
function reservedNames(definition: PipelineDefinition): Problem[] {
  const named: [string, string[]][] = [
    ['inputs', Object.keys(definition.inputs)],
    ['outputs', Object.keys(definition.outputs)],
    ...definition.steps.flatMap((step, index): [string, string[]][] => [
      [`steps[${index}].id`, [step.id]],
      [`steps[${index}].inputs`, Object.keys(step.inputs)],
      [`steps[${index}].bind`, Object.keys(step.bind ?? {})],
    ]),
  ];
  return named.flatMap(([path, names]) =>
    names.filter(isReservedName).map((name) => ({ path: path.endsWith('.id') ? path : `${path}.${name}`, message: `"${name}" is a reserved name; choose another` })),
  );
}
